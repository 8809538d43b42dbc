import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { type ConnectRouter, createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentService, type ConnectRequest, ConnectRequestSchema, ControlService } from './index.js';

// The generated contract on a real HTTP/2 server on 127.0.0.1: a bidi stream (the agent link) and a unary call,
// over both the Connect and the gRPC protocol (so grpcurl and `buf curl` can talk to a master).
let server: Http2Server;
let baseUrl: string;
const sessions = new Set<ServerHttp2Session>();

beforeAll(async () => {
  const routes = (router: ConnectRouter) => {
    router.service(AgentService, {
      async *connect(requests) {
        for await (const req of requests) {
          if (req.msg.case === 'register') {
            yield { msg: { case: 'registered', value: { heartbeatIntervalMs: 5000, masterVersion: req.msg.value.name } } };
          } else if (req.msg.case === 'heartbeat') {
            yield { msg: { case: 'resultAck', value: { workId: String(req.msg.value.runningWork) } } };
          }
        }
      },
    });
    router.service(ControlService, {
      listAgents: () => ({ agents: [{ name: 'a1', labels: { env: 'test' } }] }),
    });
  };
  server = createServer(connectNodeAdapter({ routes }));
  // Clients keep their HTTP/2 session open for reuse; close() alone would wait for them to go idle.
  server.on('session', (session) => sessions.add(session.on('close', () => sessions.delete(session))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  const closed = new Promise((resolve) => server.close(resolve));
  for (const session of sessions) session.close();
  await closed;
});

async function* agentSays(): AsyncIterable<ConnectRequest> {
  yield create(ConnectRequestSchema, { msg: { case: 'register', value: { name: 'web-01', labels: { role: 'web' } } } });
  yield create(ConnectRequestSchema, { msg: { case: 'heartbeat', value: { runningWork: 3 } } });
}

describe('the sloth.v1 contract', () => {
  for (const [protocol, makeTransport] of [
    ['connect', createConnectTransport],
    ['grpc', createGrpcTransport],
  ] as const) {
    it(`carries the agent stream both ways over ${protocol}`, async () => {
      const client = createClient(AgentService, makeTransport({ baseUrl, httpVersion: '2' }));
      const replies = [];
      for await (const res of client.connect(agentSays())) replies.push(res.msg);
      expect(replies).toEqual([
        expect.objectContaining({ case: 'registered', value: expect.objectContaining({ masterVersion: 'web-01' }) }),
        expect.objectContaining({ case: 'resultAck', value: expect.objectContaining({ workId: '3' }) }),
      ]);
    });

    it(`answers unary control calls over ${protocol}`, async () => {
      const client = createClient(ControlService, makeTransport({ baseUrl, httpVersion: '2' }));
      const res = await client.listAgents({});
      expect(res.agents.map((a) => [a.name, a.labels])).toEqual([['a1', { env: 'test' }]]);
    });
  }
});
