import { Code, ConnectError } from '@connectrpc/connect';
import { codeFromString, codeToString } from '@connectrpc/connect/protocol-connect';
import { detailOf, rpcErrorDetail } from './rpc-errors.js';

/** Error metadata key of a failed ExecCommand/RunTask: the master's verdict on the work ('lost' or 'timeout'). */
export const WORK_STATUS_KEY = 'sloth-work-status';

/** The master's verdict carried by a failed work call, or undefined when the call failed for another reason. */
export function workVerdict(err: unknown): 'lost' | 'timeout' | undefined {
  const status = ConnectError.from(err).metadata.get(WORK_STATUS_KEY);
  return status === 'lost' || status === 'timeout' ? status : undefined;
}

/** RunTasks' report for one agent, as the wire has it. */
interface WorkFailedInit {
  code: string;
  message: string;
  workStatus: string;
  detail?: { code: string; hint: string; location: string } | undefined;
}

/** A work error as RunTasks reports it for one agent (its Connect code, message, details and the master's verdict). */
export function toWorkFailed(err: ConnectError): WorkFailedInit {
  return {
    code: codeToString(err.code),
    message: err.rawMessage,
    workStatus: err.metadata.get(WORK_STATUS_KEY) ?? '',
    detail: detailOf(rpcErrorDetail(err)).value,
  };
}

/** The error a RunTask call would have ended with, from RunTasks' report for one agent. */
export function fromWorkFailed(failed: WorkFailedInit): ConnectError {
  const metadata = failed.workStatus === '' ? undefined : { [WORK_STATUS_KEY]: failed.workStatus };
  const details = failed.detail ? [detailOf(failed.detail)] : [];
  return new ConnectError(failed.message, codeFromString(failed.code) ?? Code.Unknown, metadata, details);
}
