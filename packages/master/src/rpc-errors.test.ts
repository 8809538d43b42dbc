import { Code, ConnectError } from '@connectrpc/connect';
import { SlothError } from '@sloth/core';
import { describe, expect, it } from 'vitest';
import { fromRpcError, rpcErrorDetail, toConnectError } from './rpc-errors.js';
import { fromWorkFailed, toWorkFailed } from './work-status.js';

const ADDRESS = '127.0.0.1:50053';

describe('SlothError <-> ConnectError', () => {
  it('maps the code, keeps the message as it is and carries code, hint and location as an ErrorDetail', () => {
    const err = toConnectError(
      new SlothError('conflict', 'agent web-02 is inactive', { hint: 'start it again', location: 'w.sloth:3' }),
    );
    expect([err.code, err.rawMessage]).toEqual([Code.FailedPrecondition, 'agent web-02 is inactive']);
    expect(rpcErrorDetail(err)).toEqual({ code: 'conflict', hint: 'start it again', location: 'w.sloth:3' });
    expect(fromRpcError(err, ADDRESS)).toMatchObject({
      code: 'conflict',
      message: 'agent web-02 is inactive',
      hint: 'start it again',
    });
  });

  it.each([
    ['invalid_argument', Code.InvalidArgument],
    ['not_found', Code.NotFound],
    ['already_exists', Code.AlreadyExists],
    ['timeout', Code.DeadlineExceeded],
    ['unavailable', Code.Unavailable],
    ['task_failed', Code.Internal],
  ] as const)('sends %s as Connect code %s', (code, connect) => {
    expect(toConnectError(new SlothError(code, 'x')).code).toBe(connect);
  });

  it('leaves Connect errors as they are; anything else is internal, with no detail', () => {
    const connect = new ConnectError('bad token', Code.Unauthenticated);
    expect(toConnectError(connect)).toBe(connect);
    const plain = toConnectError(new Error('disk on fire'));
    expect([plain.code, plain.rawMessage, rpcErrorDetail(plain)]).toEqual([Code.Internal, 'disk on fire', {}]);
  });

  it('no longer reads a hint out of the message: a message with "(hint: ...)" stays whole', () => {
    const err = fromRpcError(new ConnectError('no agent named x (hint: look elsewhere)', Code.NotFound), ADDRESS);
    expect(err).toMatchObject({ code: 'not_found', message: 'no agent named x (hint: look elsewhere)', hint: undefined });
  });

  it("keeps a fan-out failure's detail through RunTasks' report for one agent", () => {
    const err = toConnectError(new SlothError('not_found', "no agent named 'nobody'", { hint: 'list them' }));
    const back = fromWorkFailed(toWorkFailed(err));
    expect([back.code, back.rawMessage, rpcErrorDetail(back)]).toEqual([
      Code.NotFound,
      "no agent named 'nobody'",
      { code: 'not_found', hint: 'list them' },
    ]);
  });
});
