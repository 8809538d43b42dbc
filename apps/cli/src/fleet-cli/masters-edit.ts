import { masterBaseUrl } from '@sloth/client/connection';
import { didYouMean, SlothError } from '@sloth/core';
import { defaultDataDir } from '@sloth/store-sqlite';
import { MASTER_NAME, type MastersFile, readMasters, type SavedMaster, writeMasters } from './masters-file.js';

/** A name for `master add`; one that could be read as an address is refused. */
export function checkMasterName(name: string): void {
  if (!MASTER_NAME.test(name)) {
    throw new SlothError('usage', `'${name}' is not a valid master name`, {
      hint: 'use letters, digits, "_" and "-", starting with a letter (dots and colons are kept for addresses)',
    });
  }
}

/** The address as given, once it is known to parse. */
export function checkAddress(address: string): string {
  masterBaseUrl(address);
  return address.trim();
}

/** Reads the saved masters, lets `edit` change them (or refuse with an error), and writes them back. */
export function updateMasters<T>(
  dataDir: string | undefined,
  edit: (file: MastersFile) => T | { error: string; hint?: string },
): T {
  const dir = dataDir ?? defaultDataDir();
  const file = readMasters(dir);
  const result = edit(file);
  if (result !== null && typeof result === 'object' && 'error' in result) {
    throw new SlothError('usage', result.error, result.hint ? { hint: result.hint } : {});
  }
  writeMasters(dir, file);
  return result as T;
}

/** The saved master called `name`; not_found (with a did-you-mean) when there is none. */
export function findMaster(file: MastersFile, name: string): SavedMaster {
  const m = file.masters.find((x) => x.name === name);
  if (m) return m;
  throw new SlothError(
    'not_found',
    `no saved master named '${name}'${didYouMean(
      name,
      file.masters.map((x) => x.name),
    )}`,
    {
      hint: '`sloth-runner master list` shows the saved masters',
    },
  );
}
