import { ConnectError } from '@connectrpc/connect';

/** Error metadata key of a failed ExecCommand/RunTask: the master's verdict on the work ('lost' or 'timeout'). */
export const WORK_STATUS_KEY = 'sloth-work-status';

/** The master's verdict carried by a failed work call, or undefined when the call failed for another reason. */
export function workVerdict(err: unknown): 'lost' | 'timeout' | undefined {
  const status = ConnectError.from(err).metadata.get(WORK_STATUS_KEY);
  return status === 'lost' || status === 'timeout' ? status : undefined;
}
