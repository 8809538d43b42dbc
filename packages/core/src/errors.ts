/** Stable error codes; the CLI maps them to exit codes, the master's RPC layer to Connect codes. */
export const SLOTH_ERROR_CODES = [
  'usage', // bad CLI input
  'load', // a workflow file failed to load (syntax, unknown method, cycle...)
  'not_found', // a named thing (file, workflow, task, module) does not exist
  'invalid_argument', // a module function got a wrong argument
  'task_failed', // a task's own code failed (error("..."), return false, a command that exited non-zero)
  'timeout',
  'aborted',
  'store', // the state database cannot be opened, read or written
  'unavailable', // a master (or an agent) cannot be reached, or it went away
  'unauthenticated', // a master refused the token
  'conflict', // the thing is in a state that forbids it (an inactive agent, a master that takes no events)
  'already_exists', // a name that must be unique is taken (an agent name already connected)
  'unsupported', // asked of something that is not built yet (a check run on an agent from infra_test)
  'internal',
] as const;

export type SlothErrorCode = (typeof SLOTH_ERROR_CODES)[number];

/** True for one of the codes above (a code read back from Lua or from the wire). */
export function isSlothErrorCode(code: unknown): code is SlothErrorCode {
  return typeof code === 'string' && (SLOTH_ERROR_CODES as readonly string[]).includes(code);
}

export interface SlothErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** `file:line` in the user's workflow, when known. */
  location?: string;
  cause?: unknown;
}

/** The one error type of Sloth Runner: a code, a message for people, a hint, a cause. */
/** Marks a SlothError of any copy of this package (a plugin brings its own): see Symbol.hasInstance below. */
const BRAND = Symbol.for('sloth.SlothError');

export class SlothError extends Error {
  /**
   * `instanceof SlothError` holds for a SlothError made by another copy of @sloth/core, such as the one a plugin
   * installs with its own dependencies: its code and hint then survive the plugin boundary. A subclass checks as usual.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: a subclass checks as usual, so this must be the class asked
    if (this !== SlothError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

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
Object.defineProperty(SlothError.prototype, BRAND, { value: true });

/** The code of anything thrown: a SlothError's own; anything else is the task's own failure (task_failed). */
export function errorCodeOf(err: unknown): SlothErrorCode {
  return err instanceof SlothError ? err.code : 'task_failed';
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
