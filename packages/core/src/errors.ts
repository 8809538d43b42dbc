/** Stable error codes; the CLI maps them to exit codes, RPC will map them to Connect codes. */
export type SlothErrorCode =
  | 'usage' // bad CLI input
  | 'load' // a workflow file failed to load (syntax, unknown method, cycle...)
  | 'not_found' // a named thing (file, workflow, task, module) does not exist
  | 'invalid_argument' // a module function got a wrong argument
  | 'task_failed'
  | 'timeout'
  | 'aborted'
  | 'store' // the state database cannot be opened, read or written
  | 'unavailable' // a master (or an agent) cannot be reached, or it went away
  | 'unauthenticated' // a master refused the token
  | 'conflict' // the thing is in a state that forbids it (an agent name already connected, an inactive agent)
  | 'internal';

export interface SlothErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** `file:line` in the user's workflow, when known. */
  location?: string;
  cause?: unknown;
}

/** The one error type of Sloth Runner: a code, a message for people, a hint, a cause. */
export class SlothError extends Error {
  readonly code: SlothErrorCode;
  readonly hint: string | undefined;
  readonly location: string | undefined;

  constructor(code: SlothErrorCode, message: string, options: SlothErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlothError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }

  /** The message with its hint, as shown to people. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** Turns anything thrown into a message fit for a log line. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
