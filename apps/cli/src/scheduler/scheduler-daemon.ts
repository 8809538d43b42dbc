import { Scheduler, type SchedulerOptions } from './scheduler-loop.js';

/** `scheduler run`: a scheduler until SIGINT/SIGTERM, then a clean stop (runs stopped and recorded, lease released). */
export async function runSchedulerUntilSignal(options: SchedulerOptions): Promise<void> {
  const scheduler = new Scheduler(options);
  scheduler.start();
  options.log('info', `scheduler started on ${options.dataDir} (pid ${process.pid})`);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      options.log('info', `${signal} received: stopping the scheduler`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await scheduler.stop();
  options.log('info', 'scheduler stopped');
}
