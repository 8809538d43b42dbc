import { errorMessage, parseDuration, SlothError } from '@sloth/core';
import { Cron } from 'croner';

/** A parsed schedule expression: the firing times it gives. */
export interface CronTimes {
  /** The first firing strictly after `after` (ms since epoch), or undefined when there is none (a date in the past). */
  next(after: number): number | undefined;
}

const EXAMPLES =
  'e.g. "0 */6 * * *" (minute hour day month weekday), "*/10 * * * * *" (with seconds first), "@hourly", "@daily" or "@every 30s"';

/**
 * Parses a cron expression (5 fields, or 6 with seconds first), a shortcut (@hourly, @daily, @weekly, @monthly,
 * @yearly, @midnight) or `@every DURATION`, in `timezone` (IANA name; default the machine's). Throws a usage error that
 * says what is wrong.
 */
export function parseCron(expression: string, timezone?: string): CronTimes {
  const text = expression.trim();
  if (timezone !== undefined) checkTimezone(timezone);
  const every = /^@every\s+(.+)$/i.exec(text);
  if (every) return everyTimes(text, every[1] as string);
  const fields = text.split(/\s+/).length;
  if (!text.startsWith('@') && fields !== 5 && fields !== 6) {
    throw new SlothError('usage', `invalid cron expression '${text}': ${fields} field(s), expected 5 or 6 (seconds first)`, {
      hint: EXAMPLES,
    });
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { timezone, paused: true });
  } catch (err) {
    throw new SlothError('usage', `invalid cron expression '${text}': ${errorMessage(err).replace(/^CronPattern: /, '')}`, {
      hint: EXAMPLES,
    });
  }
  return { next: (after) => cron.nextRun(new Date(after))?.getTime() };
}

/** `@every 30s`: every interval, aligned on the epoch so every scheduler computes the same times. */
function everyTimes(text: string, duration: string): CronTimes {
  let interval: number;
  try {
    interval = parseDuration(duration.trim(), '@every');
  } catch (err) {
    throw new SlothError('usage', `invalid cron expression '${text}': ${errorMessage(err)}`, { hint: EXAMPLES });
  }
  if (interval < 1000) {
    throw new SlothError('usage', `invalid cron expression '${text}': the interval must be at least 1s`, { hint: EXAMPLES });
  }
  return { next: (after) => (Math.floor(after / interval) + 1) * interval };
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new SlothError('usage', `unknown timezone '${timezone}'`, {
      hint: 'use an IANA name such as Europe/Berlin, America/New_York or UTC',
    });
  }
}
