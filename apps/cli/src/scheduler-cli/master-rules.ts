import type { ScheduleRules } from '@sloth/master';
import { scheduleRepo } from '@sloth/store-sqlite';
import { scheduleInput } from './schedule-input.js';
import { setSchedulesEnabled } from './set-enabled.js';

/** A master's checks for `scheduler add|enable|disable --master`: the same as the local commands', run on its store. */
export const masterScheduleRules: ScheduleRules = {
  add: (store, name, flags) => {
    const repo = scheduleRepo(store);
    return repo.add(scheduleInput(name, flags, repo, Date.now(), true));
  },
  setEnabled: (store, name, enabled) => setSchedulesEnabled(store, name, enabled),
};
