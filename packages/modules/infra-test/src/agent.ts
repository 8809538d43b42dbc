import { SlothError } from '@sloth/core';

/**
 * A check given an agent name (its optional last argument). Running one module call on an agent through the master is
 * not built yet: this is the one place that will hand the call there.
 */
export function refuseAgent(fnName: string, agent: string): never {
  throw new SlothError(
    'unsupported',
    `${fnName}: running a check on an agent (${agent}) is not built yet; use :delegate_to("${agent}") on the task`,
    {
      hint: `move the check into a task with :delegate_to("${agent}"): it then runs on that agent`,
    },
  );
}
