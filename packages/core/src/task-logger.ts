export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Structured fields attached to a log line (values must be JSON-serialisable). */
export type LogFields = Record<string, unknown>;

/** Where a task writes its log; the engine prefixes every line with the task's name. */
export interface TaskLogger {
  log(level: LogLevel, message: string, fields?: LogFields, stream?: 'stdout' | 'stderr'): void;
}
