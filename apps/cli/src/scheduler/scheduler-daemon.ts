import { untilSignal } from '../until-signal.js';
import { Scheduler, type SchedulerOptions } from './scheduler-loop.js';

/** `scheduler run`: a scheduler until SIGINT/SIGTERM, then a clean stop (runs stopped and recorded, lease released). */
export async function runSchedulerUntilSignal(options: SchedulerOptions): Promise<void> {
  const scheduler = new Scheduler(options);
  scheduler.start();
  options.log('info', `scheduler started on ${options.dataDir} (pid ${process.pid})`);
  options.log('info', `${await untilSignal()} received: stopping the scheduler`);
  await scheduler.stop();
  options.log('info', 'scheduler stopped');
}
