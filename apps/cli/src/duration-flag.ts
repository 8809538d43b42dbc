import { errorMessage, parseDuration, SlothError } from '@sloth/core';

/** A duration flag's value in milliseconds (0 when absent); a bad one is a usage error naming the flag. */
export function parseDurationFlag(flag: string, value: string | undefined, hint: string): number {
  if (value === undefined) return 0;
  try {
    return parseDuration(/^\d+$/.test(value) ? Number(value) : value, flag);
  } catch (err) {
    throw new SlothError('usage', `${flag}: ${errorMessage(err)}`, { hint });
  }
}
