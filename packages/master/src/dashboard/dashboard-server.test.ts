import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { ModuleSpec } from '@sloth/core';
import { fsModule } from '@sloth/module-fs';
import { Agent_Status, DashboardService, type WatchStackResponse } from '@sloth/proto';
import {
  agentMetricsRepo,
  agentRepo,
  auditRepo,
  eventRepo,
  hookRepo,
  MASTER_HOST_SAMPLES,
  openStore,
  runRepo,
  SecretRepo,
  type Store,
  stackExportJson,
  stackRepo,
  WORK_OUTPUT_TAIL,
} from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView } from '../agent-view.js';
import { rawAgent, rejection, TOKEN, testMaster } from '../master.test-helper.js';
import { stateKey } from './change-feed.js';
import { type DashboardServer, startDashboardServer } from './dashboard-server.js';
import { FAILED_LOGIN_WINDOW_MS, LoginThrottle, MAX_FAILED_LOGINS } from './login-throttle.js';
import { DashboardSessions, SESSION_TTL_MS } from './sessions.js';

const open: { server: DashboardServer; store: Store }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.server.close();
    o.store.close();
  }
});

/**
 * A dashboard server on 127.0.0.1 (with the test token unless told) over a fresh data directory and a page of its own;
 * `agents` are the registered agents it shows, `modules` those its drift checks read resources back with.
 */
async function dashboard(withToken = true, agents: () => AgentView[] = () => [], modules: ModuleSpec[] = []) {
  const token = withToken ? TOKEN : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sloth-dashboard-'));
  const store = openStore(dir);
  const assets = join(dir, 'page');
  mkdirSync(join(assets, 'assets'), { recursive: true });
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(assets, 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  const server = await startDashboardServer({
    port: 0,
    bind: '127.0.0.1',
    token,
    what: 'the test',
    portFlag: '--port',
    sources: { store, agents, modules },
    health: { registries: () => [], ready: () => ({ ready: true, detail: 'ok' }) },
    log: () => {},
    assets,
  });
  open.push({ server, store });
  return { server, store, url: server.url };
}

/** A raw HTTP/1.1 request (any Host header, any path, as a browser or a script may send them). */
function http(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    // The path as given, not normalized (a URL would resolve its `..`).
    const req = request({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Logs in and returns the cookie and CSRF token a browser would hold. */
async function logIn(url: string, token = TOKEN) {
  const r = await http(url, '/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const cookie = String(r.headers['set-cookie']).split(';')[0] as string;
  return { r, cookie, csrf: (JSON.parse(r.body) as { csrf?: string }).csrf ?? '' };
}

/** The dashboard's Connect client with these headers on every call. */
function client(url: string, headers: Record<string, string>) {
  return createClient(
    DashboardService,
    createConnectTransport({
      baseUrl: url,
      httpVersion: '1.1',
      interceptors: [
        (next) => (req) => {
          for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
          return next(req);
        },
      ],
    }),
  );
}

/** The next messages of a stream until one passes `check` (at most 10 s: a change the server never sent fails). */
async function until<T>(stream: AsyncIterator<T>, check: (m: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message showed ${what} within 10 s`)), Math.max(0, deadline - Date.now()));
    });
    const next = await Promise.race([stream.next(), late]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`the stream ended before ${what}`);
    if (check(next.value)) return next.value;
  }
}

/** The first message of a server stream, then the stream is left. */
async function first<T>(stream: AsyncIterable<T>): Promise<T> {
  for await (const m of stream) return m;
  throw new Error('the stream ended without a message');
}

describe('the dashboard server', () => {
  it('opens a session only for the right token: an httpOnly, SameSite=Strict cookie holding no token', async () => {
    const { url } = await dashboard();
    const wrong = await logIn(url, 'not-the-token');
    expect(wrong.r.status).toBe(401);
    expect(wrong.r.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(wrong.r.body).error).toContain('wrong token');

    const right = await logIn(url);
    expect(right.r.status).toBe(200);
    expect(String(right.r.headers['set-cookie'])).toMatch(
      /^sloth_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    expect(String(right.r.headers['set-cookie'])).not.toContain(TOKEN);
    expect(right.csrf).toMatch(/^[\w-]{40,}$/);

    const session = await http(url, '/api/session', { headers: { cookie: right.cookie } });
    expect(JSON.parse(session.body)).toEqual({ tokenRequired: true, csrf: right.csrf, control: false });
    expect(JSON.parse((await http(url, '/api/session')).body)).toEqual({ tokenRequired: true });
  });

  it('answers 429 to an address that sent too many wrong tokens, even with the right one', async () => {
    const { url } = await dashboard();
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await logIn(url, 'guess-000')).r.status).toBe(401);
    const blocked = await logIn(url);
    expect(blocked.r.status).toBe(429);
    expect(JSON.parse(blocked.r.body).error).toMatch(/^too many wrong tokens from this address: try again in \d+ s$/);
  });

  it('refuses a login from another site, a body that is not the JSON asked for, and a GET', async () => {
    const { url } = await dashboard();
    const body = JSON.stringify({ token: TOKEN });
    const foreign = await http(url, '/api/login', { method: 'POST', headers: { origin: 'https://evil.example' }, body });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    expect((await http(url, '/api/login', { method: 'POST', body: 'token=x' })).status).toBe(400);
    expect((await http(url, '/api/login', { method: 'POST', body: 'x'.repeat(10_000) })).status).toBe(400);
    expect((await http(url, '/api/login')).status).toBe(405);
  });

  it('answers API calls only with the session cookie and its CSRF token, until logout', async () => {
    const { url, store } = await dashboard();
    runRepo(store).start({ id: 'r1', workflow: 'deploy', stack: 'prod', startedAt: 1000, tasks: ['t'] });
    const { cookie, csrf } = await logIn(url);

    expect((await rejection(first(client(url, {}).watchRuns({})))).code).toBe(Code.Unauthenticated);
    expect((await rejection(first(client(url, { cookie }).watchRuns({})))).code).toBe(Code.Unauthenticated);
    expect((await rejection(first(client(url, { cookie, 'x-csrf-token': 'forged' }).watchRuns({})))).code).toBe(
      Code.Unauthenticated,
    );
    const ok = await first(client(url, { cookie, 'x-csrf-token': csrf }).watchRuns({}));
    expect(ok.runs.map((r) => [r.workflow, r.status, r.taskCount])).toEqual([['deploy', 'running', 1]]);
    const unknown = await rejection(first(client(url, { cookie, 'x-csrf-token': csrf }).watchRun({ id: 'nope' })));
    expect(unknown.code).toBe(Code.NotFound);
    const badStatus = await rejection(first(client(url, { cookie, 'x-csrf-token': csrf }).watchEvents({ status: 'done' })));
    expect(badStatus.code).toBe(Code.InvalidArgument);
    expect(badStatus.rawMessage).toContain('pending, processing, completed, failed');

    // Logging out needs the CSRF token too (another site cannot log a browser out), then the session is gone.
    expect((await http(url, '/api/logout', { method: 'POST', headers: { cookie } })).status).toBe(200);
    expect((await first(client(url, { cookie, 'x-csrf-token': csrf }).watchRuns({}))).runs).toHaveLength(1);
    const out = await http(url, '/api/logout', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    expect(String(out.headers['set-cookie'])).toContain('sloth_session=; ');
    expect((await rejection(first(client(url, { cookie, 'x-csrf-token': csrf }).watchRuns({})))).code).toBe(Code.Unauthenticated);
  });

  it('enables and disables a hook for a session with its CSRF token, recording each try in the audit log', async () => {
    const { url, store } = await dashboard();
    hookRepo(store).save({
      name: 'notify',
      eventType: 'task.failed',
      stack: undefined,
      enabled: true,
      source: 'return {}',
      path: '/hooks/notify.lua',
      timeoutMs: 30_000,
      maxAttempts: 3,
    });
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });

    // Without the CSRF token the change is refused before it is tried: nothing is recorded.
    const forged = await rejection(client(url, { cookie }).setHookEnabled({ name: 'notify', enabled: false }));
    expect(forged.code).toBe(Code.Unauthenticated);
    expect(hookRepo(store).get('notify').enabled).toBe(true);
    expect(auditRepo(store).latest(10)).toEqual([]);

    const done = await api.setHookEnabled({ name: 'notify', enabled: false });
    expect(done.hook).toMatchObject({ name: 'notify', enabled: false, eventType: 'task.failed', executions: 0 });
    expect(hookRepo(store).get('notify').enabled).toBe(false);
    expect((await first(api.watchHooks({}))).hooks.map((h) => [h.name, h.enabled])).toEqual([['notify', false]]);
    const unknown = await rejection(api.setHookEnabled({ name: 'notfy', enabled: true }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toContain("no hook named 'notfy' (did you mean 'notify'?)");
    expect((await rejection(first(api.watchHookHistory({ name: 'notfy' })))).code).toBe(Code.NotFound);
    expect((await first(api.watchHookHistory({ name: 'notify' }))).executions).toEqual([]);

    const [failed, ok] = auditRepo(store).latest(10);
    expect(ok).toMatchObject({ action: 'hook.disable', target: 'notify', result: 'ok', detail: null });
    expect(ok?.actor).toMatch(/^session [0-9a-f]{8} from 127\.0\.0\.1$/);
    expect(cookie).not.toContain(ok?.actor.split(' ')[1]);
    expect(failed).toMatchObject({ action: 'hook.enable', target: 'notfy', result: 'failed', actor: ok?.actor });
    expect(failed?.detail).toContain("no hook named 'notfy'");
    const audit = await first(api.watchAudit({}));
    expect(audit.entries.map((e) => [e.action, e.target, e.result])).toEqual([
      ['hook.enable', 'notfy', 'failed'],
      ['hook.disable', 'notify', 'ok'],
    ]);
  });

  it("streams the overview's counts from the store (today's runs by status, the event queue, the failures); refuses a call without its session", async () => {
    const { url, store } = await dashboard();
    const runs = runRepo(store);
    const day = 1_000_000;
    runs.start({ id: 'old', workflow: 'yesterday', stack: null, startedAt: day - 1, tasks: ['t'] });
    runs.finish('old', 'failed', day, 'long ago');
    runs.start({ id: 'ok', workflow: 'deploy', stack: null, startedAt: day + 1, tasks: ['t'] });
    runs.finish('ok', 'success', day + 2, undefined);
    runs.start({ id: 'bad', workflow: 'release', stack: null, startedAt: day + 3, tasks: ['t'] });
    runs.finish('bad', 'failed', day + 4, 'task t failed');
    // A run whose process is gone counts as interrupted.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    runs.start({ id: 'dead', workflow: 'crashed', stack: null, startedAt: day + 5, tasks: ['t'], pid: gone });
    const events = eventRepo(store);
    const failing = events.dispatch('task.failed', {}, { source: 'test' });
    events.dispatch('task.completed', {}, { source: 'test' });
    events.flush();
    const owner = { token: 't', host: 'h', pid: process.pid };
    events.claim(owner, 1, 60_000);
    events.finish(owner, [{ id: failing, status: 'failed', error: 'h: boom', executions: [] }]);

    const { cookie, csrf } = await logIn(url);
    expect((await rejection(first(client(url, { cookie }).watchOverview({})))).code).toBe(Code.Unauthenticated);
    expect((await rejection(first(client(url, { 'x-csrf-token': csrf }).watchOverview({})))).code).toBe(Code.Unauthenticated);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const abort = new AbortController();
    const stream = api.watchOverview({ sinceMs: BigInt(day) }, { signal: abort.signal })[Symbol.asyncIterator]();
    const one = (await stream.next()).value;
    // Under `ui` (no master) there are no agents to count.
    expect(one).toMatchObject({ master: false, agentsActive: 0, agentsInactive: 0, agents: [] });
    expect(one.runsToday).toEqual(runs.countsSince(day));
    expect(one.runsToday).toEqual({ success: 1, failed: 1, interrupted: 1 });
    expect([one.eventsPending, one.eventsProcessing, one.eventsFailed]).toEqual([1, 0, 1]);
    expect(one.recentRuns.map((r: { id: string }) => r.id)).toEqual(['dead', 'bad', 'ok', 'old']);
    expect(one.recentFailures.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
      ['dead', 'interrupted'],
      ['bad', 'failed'],
      ['old', 'failed'],
    ]);
    // A new run is pushed without asking.
    runs.start({ id: 'new', workflow: 'deploy', stack: null, startedAt: day + 6, tasks: ['t'] });
    const two = (await stream.next()).value;
    expect(two.runsToday).toEqual({ success: 1, failed: 1, interrupted: 1, running: 1 });
    abort.abort();
  });

  it("counts a master's registered agent as active on the overview, with its samples (network too) and the master's own", async () => {
    const m = await testMaster({ dashboardPort: 0, metricsIntervalMs: 100 });
    const agent = rawAgent(m.url, 'web-1');
    expect((await agent.next())?.msg.case).toBe('registered');
    const url = m.dashboardUrl as string;
    const { cookie, csrf } = await logIn(url);
    const abort = new AbortController();
    const stream = client(url, { cookie, 'x-csrf-token': csrf })
      .watchOverview({}, { signal: abort.signal })
      [Symbol.asyncIterator]();
    const one = (await stream.next()).value;
    expect(one).toMatchObject({ master: true, agentsActive: 1, agentsInactive: 0, moreAgents: 0 });
    expect(one.agents.map((a: { agent?: AgentView }) => a.agent?.name)).toEqual(['web-1']);

    agent.send({
      case: 'heartbeat',
      value: { runningWork: 0, system: { cpus: 2, load1: 0.5, netRxBytes: 5000n, netTxBytes: 7000n } },
    });
    const withNet = await until(
      stream,
      (o) => (o.agents[0]?.samples.length ?? 0) > 0 && (o.masterHost?.samples.length ?? 0) > 0,
      "the agent's sample and the master's own",
    );
    expect(withNet.agents[0]?.samples.map((x) => [x.netRxBytes, x.netTxBytes, x.cpus])).toEqual([[5000n, 7000n, 2]]);
    // The master's machine: a row of its own, not an agent (neither listed nor counted).
    const host = withNet.masterHost?.samples.at(-1);
    expect(host?.cpus).toBeGreaterThan(0);
    expect(host?.memoryTotalBytes).toBeGreaterThan(0n);
    expect(withNet.agents.map((a) => a.agent?.name)).toEqual(['web-1']);
    expect(withNet.agentsActive + withNet.agentsInactive).toBe(1);
    abort.abort();
  });

  it('under `ui` counts and lists the agents a master recorded, saying there is no master', async () => {
    const recorded: AgentView[] = [
      { name: 'web-1', status: Agent_Status.ACTIVE },
      { name: 'db-1', status: Agent_Status.INACTIVE },
    ];
    const { url, store } = await dashboard(true, () => recorded);
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const one = await first(api.watchOverview({}));
    expect(one).toMatchObject({ master: false, agentsActive: 1, agentsInactive: 1, masterProblem: '' });
    expect(one.agents.map((a) => a.agent?.name)).toEqual(['db-1', 'web-1']);
    // No master sampled its machine here: no row for it.
    expect(one.masterHost).toBeUndefined();
    const hostSample = { at: 1000, load1: 0.25, load5: 0, load15: 0, memoryTotal: 8, memoryFree: 2, diskTotal: 0, diskFree: 0 };
    agentMetricsRepo(store).record([
      { ...hostSample, agent: MASTER_HOST_SAMPLES, runningWork: 0, netRx: 900, netTx: 100, cpus: 8 },
    ]);
    const two = await first(api.watchOverview({}));
    expect(two.masterHost?.samples.map((x) => [x.load1, x.netRxBytes, x.netTxBytes, x.cpus])).toEqual([[0.25, 900n, 100n, 8]]);
    expect(two.agents).toHaveLength(2);
  });

  it('sets and deletes secrets as `secret set|delete` do, never sending, auditing or answering with a value', async () => {
    const { url, store } = await dashboard();
    const { cookie, csrf } = await logIn(url);
    const value = 'hunter2-the-value-itself';
    const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    const call = (method: string, body: unknown, h: Record<string, string> = headers) =>
      http(url, `/sloth.v1.DashboardService/${method}`, { method: 'POST', headers: h, body: JSON.stringify(body) });
    // Without the CSRF token nothing is tried, and nothing is recorded.
    const forged = await call('SetSecret', { name: 'db_password', value }, { cookie, 'content-type': 'application/json' });
    expect(forged.status).toBe(401);
    expect(new SecretRepo(store, {}).list()).toEqual([]);
    expect(auditRepo(store).latest(10)).toEqual([]);

    const bodies: string[] = [];
    const set = await call('SetSecret', { name: 'db_password', value });
    expect(set.status).toBe(200);
    bodies.push(set.body);
    expect(new SecretRepo(store, {}).get('db_password')).toBe(value);
    const badName = await call('SetSecret', { name: '9lives', value });
    expect(badName.status).toBe(400);
    bodies.push(badName.body);
    expect(JSON.parse(badName.body).message).toContain("'9lives' is not a secret name");
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const listed = await first(api.watchSecrets({}));
    bodies.push(stateKey(listed));
    expect(listed.secrets.map((x) => x.name)).toEqual(['db_password']);
    expect(listed.secrets[0]?.createdAtMs).toBeGreaterThan(0n);
    const audit = await first(api.watchAudit({}));
    bodies.push(stateKey(audit));
    expect(audit.entries.map((e) => [e.action, e.target, e.result])).toEqual([
      ['secret.set', '9lives', 'failed'],
      ['secret.set', 'db_password', 'ok'],
    ]);
    const missing = await rejection(api.deleteSecret({ name: 'db_pasword' }));
    expect(missing.code).toBe(Code.NotFound);
    await api.deleteSecret({ name: 'db_password' });
    expect(new SecretRepo(store, {}).list()).toEqual([]);
    bodies.push(stateKey(auditRepo(store).latest(10)));
    for (const body of bodies) expect(body).not.toContain(value);
    expect(
      auditRepo(store)
        .latest(2)
        .map((e) => [e.action, e.target, e.result]),
    ).toEqual([
      ['secret.delete', 'db_password', 'ok'],
      ['secret.delete', 'db_pasword', 'failed'],
    ]);
  });

  it('refuses to set a secret under a passphrase this server was not given, saying how to give it', async () => {
    const { url, store } = await dashboard();
    new SecretRepo(store, { passphrase: 'the passphrase' }).set('first', 'one');
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const refused = await rejection(api.setSecret({ name: 'second', value: 'two' }));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toContain('protected by a passphrase, and none was given');
    expect(refused.rawMessage).toContain('SLOTH_SECRET_PASSPHRASE');
    // The names and dates need no key.
    expect((await first(api.watchSecrets({}))).secrets.map((x) => x.name)).toEqual(['first']);
  });

  it('refuses agent control without a master (sloth-runner ui), and records the refusal', async () => {
    const { url, store } = await dashboard();
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const refused = await rejection(first(api.execOnAgents({ agents: ['web-1'], command: 'uptime' })));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toContain('agent control needs a master');
    expect(auditRepo(store).latest(10)).toMatchObject([
      {
        action: 'agent.exec',
        target: 'web-1',
        result: 'failed',
        detail: expect.stringMatching(/^uptime: agent control needs a master/),
      },
    ]);
  });

  it("streams an agent's page: the agent and its kept samples, again when a sample is written; not_found names the nearest", async () => {
    const agent: AgentView = { name: 'web-1', address: '127.0.0.1:5000', version: '1.0.0', lastHeartbeatMs: 1000n };
    const { url, store } = await dashboard(true, () => [agent]);
    const sample = (at: number, load1: number) => ({
      agent: 'web-1',
      at,
      load1,
      load5: 0,
      load15: 0,
      memoryTotal: 1000,
      memoryFree: 250,
      diskTotal: 10,
      diskFree: 5,
      runningWork: 0,
      netRx: 0,
      netTx: 0,
      cpus: 0,
    });
    agentMetricsRepo(store).record([sample(1000, 0.5)]);
    const { cookie, csrf } = await logIn(url);
    // The session cookie without its CSRF token is refused, as for every call.
    expect((await rejection(first(client(url, { cookie }).watchAgent({ name: 'web-1' })))).code).toBe(Code.Unauthenticated);
    // So is its exec box's call (agent control's) without a session.
    expect(
      (await rejection(first(client(url, { 'x-csrf-token': csrf }).execOnAgents({ agents: ['web-1'], command: 'id' })))).code,
    ).toBe(Code.Unauthenticated);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const unknown = await rejection(first(api.watchAgent({ name: 'web-2' })));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toBe("no agent named 'web-2' has registered (did you mean 'web-1'?)");

    const abort = new AbortController();
    const stream = api.watchAgent({ name: 'web-1' }, { signal: abort.signal })[Symbol.asyncIterator]();
    const one = (await stream.next()).value;
    expect(one.agent?.name).toBe('web-1');
    expect(
      one.samples.map((s: { atMs: bigint; load1: number; memoryFreeBytes: bigint }) => [s.atMs, s.load1, s.memoryFreeBytes]),
    ).toEqual([[1000n, 0.5, 250n]]);
    agentMetricsRepo(store).record([sample(2000, 1.5)]);
    const two = (await stream.next()).value;
    expect(two.samples.map((s: { load1: number }) => s.load1)).toEqual([0.5, 1.5]);
    abort.abort();
  });

  it("streams an agent's work, and a work's output: the end kept first, then what follows, a gap said; not_found otherwise", async () => {
    const agent: AgentView = { name: 'web-1', address: '127.0.0.1:5000', version: '1.0.0', lastHeartbeatMs: 1000n };
    const { url, store } = await dashboard(true, () => [agent]);
    const repo = agentRepo(store);
    repo.addWork({ id: 'w1', agent: 'web-1', kind: 'command', what: 'make all', createdAt: 1000, deadline: null });
    repo.addWork({ id: 'w2', agent: 'web-1', kind: 'task', what: 'task build of ci', createdAt: 2000, deadline: null });
    repo.finishWork('w2', { status: 'failed', error: 'boom' }, 2500);
    const line = `${'x'.repeat(99)}\n`;
    repo.appendWorkOutput([{ id: 'w1', text: line.repeat(1000), skipped: 0, seq: 1 }]);
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });

    const list = await first(api.watchAgentWork({ name: 'web-1' }));
    expect(list.work.map((w) => [w.id, w.kind, w.what, w.status, w.error, w.durationMs])).toEqual([
      ['w2', 'task', 'task build of ci', 'failed', 'boom', 500n],
      ['w1', 'command', 'make all', 'running', '', 0n],
    ]);
    const noAgent = await rejection(first(api.watchAgentWork({ name: 'web-2' })));
    expect([noAgent.code, noAgent.rawMessage]).toEqual([
      Code.NotFound,
      "no agent named 'web-2' has registered (did you mean 'web-1'?)",
    ]);

    const abort = new AbortController();
    const stream = api.watchWorkOutput({ id: 'w1' }, { signal: abort.signal })[Symbol.asyncIterator]();
    // First: the end the master kept, and how much before it was not.
    const one = (await stream.next()).value;
    expect(one.work?.status).toBe('running');
    expect(one.output.length).toBe(WORK_OUTPUT_TAIL - (WORK_OUTPUT_TAIL % 100));
    expect(Number(one.skipped) + one.output.length).toBe(100_000);
    expect(one.work?.outputChars).toBe(100_000n);
    // Then only what follows.
    repo.appendWorkOutput([{ id: 'w1', text: 'more\n', skipped: 0, seq: 2 }]);
    const two = (await stream.next()).value;
    expect([two.output, two.skipped]).toEqual(['more\n', 0n]);
    // More at once than the master keeps: the gap is said.
    repo.appendWorkOutput([{ id: 'w1', text: line.repeat(700), skipped: 1000, seq: 3 }]);
    const three = (await stream.next()).value;
    expect(Number(three.skipped) + three.output.length).toBe(71_000);
    // Its end: the stream says so and ends.
    repo.finishWork('w1', { status: 'success', exitCode: 0, durationMs: 42 }, 3000);
    const four = (await stream.next()).value;
    expect([four.work?.status, four.work?.exitCode, four.work?.durationMs, four.output]).toEqual(['success', 0, 42n, '']);
    expect((await stream.next()).done).toBe(true);
    abort.abort();
    const noWork = await rejection(first(api.watchWorkOutput({ id: 'no-such-work' })));
    expect(noWork.code).toBe(Code.NotFound);
    expect(noWork.rawMessage).toMatch(/^no work no-such-work is recorded in this data directory/);
  });

  it('streams the events of a source or a run, and one event with its fields but not its data; not_found for an unknown id', async () => {
    const { url, store } = await dashboard();
    const events = eventRepo(store);
    const fromAgent = events.dispatch('deploy.started', { password: 'not-for-the-page' }, { source: 'agent:web-1' });
    events.dispatch('deploy.started', {}, { source: 'cli' });
    const { cookie, csrf } = await logIn(url);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const list = await first(api.watchEvents({ source: 'agent:web-1' }));
    expect(list.events.map((e) => [e.id, e.source])).toEqual([[fromAgent, 'agent:web-1']]);
    // By run, alone or with the other filters.
    const ofRun = events.dispatch('task.failed', {}, { source: 'workflow:ci', runId: 'run-7' });
    events.dispatch('task.failed', {}, { source: 'workflow:ci', runId: 'run-8' });
    expect((await first(api.watchEvents({ runId: 'run-7' }))).events.map((e) => [e.id, e.runId])).toEqual([[ofRun, 'run-7']]);
    expect((await first(api.watchEvents({ runId: 'run-7', type: 'task.*', status: 'pending' }))).events).toHaveLength(1);
    expect((await first(api.watchEvents({ runId: 'run-7', source: 'cli' }))).events).toEqual([]);
    expect((await first(api.watchEvents({ runId: 'no-such-run' }))).events).toEqual([]);
    const one = await first(api.watchEvent({ id: fromAgent }));
    expect(one.event).toMatchObject({ id: fromAgent, type: 'deploy.started', source: 'agent:web-1', status: 'pending' });
    expect(one.executions).toEqual([]);
    expect(JSON.stringify(one, (_, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('not-for-the-page');
    const unknown = await rejection(first(api.watchEvent({ id: 'NOSUCHEVENT' })));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toMatch(/^no event NOSUCHEVENT is in the queue of this data directory/);
  });

  it('creates, exports, imports and deletes stacks as the CLI does, each try audited; refuses a malformed import clearly', async () => {
    const { url, store } = await dashboard();
    const { cookie, csrf } = await logIn(url);
    // Without the CSRF token no stack action is tried, and none is recorded.
    const forged = client(url, { cookie, 'x-csrf-token': 'forged' });
    expect((await rejection(forged.createStack({ name: 'prod' }))).code).toBe(Code.Unauthenticated);
    expect((await rejection(client(url, {}).exportStack({ name: 'prod' }))).code).toBe(Code.Unauthenticated);
    expect((await rejection(forged.importStack({ json: '{}', name: 'x' }))).code).toBe(Code.Unauthenticated);
    expect((await rejection(client(url, { cookie }).deleteStack({ name: 'prod' }))).code).toBe(Code.Unauthenticated);
    expect(stackRepo(store).listStacks()).toEqual([]);
    expect(auditRepo(store).latest(10)).toEqual([]);

    const api = client(url, { cookie, 'x-csrf-token': csrf });
    await api.createStack({ name: 'prod', description: 'production' });
    const stack = stackRepo(store).getStack('prod');
    const execution = stackRepo(store).insertExecution(stack.id, 'release');
    stackRepo(store).registerResource(stack.id, execution.id, { type: 'marker', name: 'gate', properties: { n: 1 } });
    const exported = await api.exportStack({ name: 'prod' });
    // What `stack export prod` prints, but for the time it was made.
    const cli = `${stackExportJson(store, 'prod')}\n`;
    const withoutTime = (text: string) => ({ ...JSON.parse(text), exportedAt: undefined });
    expect(exported.json.endsWith('}\n')).toBe(true);
    expect(withoutTime(exported.json)).toEqual(withoutTime(cli));
    expect(JSON.parse(exported.json)).toMatchObject({ format: 'sloth-stack', version: 1, stack: { name: 'prod' } });

    expect((await api.importStack({ json: exported.json, name: 'prod-copy' })).name).toBe('prod-copy');
    expect(
      stackRepo(store)
        .resources(stackRepo(store).getStack('prod-copy').id)
        .map((r) => [r.type, r.name]),
    ).toEqual([['marker', 'gate']]);
    const taken = await rejection(api.importStack({ json: exported.json, name: '' }));
    expect(taken.rawMessage).toBe("stack 'prod' already exists");
    const notJson = await rejection(api.importStack({ json: '{"format": ', name: '' }));
    expect(notJson.code).toBe(Code.InvalidArgument);
    expect(notJson.rawMessage).toMatch(/^the file is not JSON: /);
    const notExport = await rejection(api.importStack({ json: '{"hello": 1}', name: 'x' }));
    expect(notExport.rawMessage).toBe('not a stack export: the document has no "format": "sloth-stack"');

    await api.deleteStack({ name: 'prod-copy' });
    expect(
      stackRepo(store)
        .listStacks()
        .map((s) => s.name),
    ).toEqual(['prod']);
    const gone = await rejection(api.deleteStack({ name: 'prod-copy' }));
    expect(gone.code).toBe(Code.NotFound);
    const bad = await rejection(api.createStack({ name: '-bad' }));
    expect(bad.rawMessage).toContain('invalid stack name');

    const audit = auditRepo(store)
      .latest(20)
      .reverse()
      .map((e) => [e.action, e.target, e.result, e.detail]);
    expect(audit).toEqual([
      ['stack.create', 'prod', 'ok', 'production'],
      ['stack.export', 'prod', 'ok', null],
      ['stack.import', 'prod-copy', 'ok', "imported as 'prod-copy'"],
      ['stack.import', '(the name in the file)', 'failed', "stack 'prod' already exists"],
      ['stack.import', '(the name in the file)', 'failed', expect.stringMatching(/^the file is not JSON: /)],
      ['stack.import', 'x', 'failed', 'not a stack export: the document has no "format": "sloth-stack"'],
      ['stack.delete', 'prod-copy', 'ok', null],
      ['stack.delete', 'prod-copy', 'failed', expect.stringContaining("stack 'prod-copy' not found")],
      ['stack.create', '-bad', 'failed', expect.stringContaining('invalid stack name')],
    ]);
  });

  it("streams a stack's page (outputs, history newest first, live) and checks its drift on real files, names only, unaudited", async () => {
    const { url, store } = await dashboard(true, () => [], [fsModule]);
    const { cookie, csrf } = await logIn(url);
    expect((await rejection(first(client(url, { cookie }).watchStack({ name: 'web' })))).code).toBe(Code.Unauthenticated);
    expect((await rejection(client(url, { cookie }).checkStackDrift({ name: 'web' }))).code).toBe(Code.Unauthenticated);
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const unknown = await rejection(first(api.watchStack({ name: 'web' })));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toContain("stack 'web' not found");
    expect((await rejection(api.checkStackDrift({ name: 'web' }))).code).toBe(Code.NotFound);

    // A run that wrote a file and recorded it, with outputs: one plain, one that held a secret (stored masked).
    const dir = mkdtempSync(join(tmpdir(), 'sloth-drift-'));
    const motd = join(dir, 'motd');
    writeFileSync(motd, 'hello\n');
    const repo = stackRepo(store);
    const stack = repo.createStack('web', 'the web tier');
    const one = repo.insertExecution(stack.id, 'deploy', 1000);
    repo.registerResource(stack.id, one.id, {
      type: 'file',
      name: 'motd',
      module: 'fs',
      properties: { path: motd, content: 'hello\n' },
    });
    repo.registerResource(stack.id, one.id, { type: 'database', name: 'pg', properties: { password: '***' } });
    repo.setOutput(stack.id, one.id, 'url', 'https://web.example.com');
    repo.setOutput(stack.id, one.id, 'dsn', 'postgres://app:***@db1/app');
    repo.setOutput(stack.id, one.id, 'ports', [80, 443]);
    repo.finishExecution(one.id, 'success', { total: 1, success: 1 });

    const abort = new AbortController();
    const stream = api.watchStack({ name: 'web' }, { signal: abort.signal })[Symbol.asyncIterator]();
    const page = (await stream.next()).value as WatchStackResponse;
    expect(page.stack?.name).toBe('web');
    expect(page.stack?.description).toBe('the web tier');
    expect(page.stack?.resources.map((r) => [r.type, r.name, r.module])).toEqual([
      ['database', 'pg', ''],
      ['file', 'motd', 'fs'],
    ]);
    expect(page.outputs.map((o) => [o.name, o.value])).toEqual([
      ['dsn', 'postgres://app:***@db1/app'],
      ['ports', '[80,443]'],
      ['url', 'https://web.example.com'],
    ]);
    expect(page.history).toHaveLength(1);
    expect(page.history[0]).toMatchObject({
      id: one.id,
      workflow: 'deploy',
      status: 'success',
      startedAtMs: 1000n,
      taskCounts: { total: 1, success: 1 },
      resourceChanges: { created: 2, changed: 0, unchanged: 0, deleted: 0 },
      pid: process.pid,
      error: '',
    });
    // Resource properties never leave the server.
    expect(stateKey(page)).not.toContain('hello');

    // A second run shows up at the top of the history while it runs, then with its end.
    const two = repo.insertExecution(stack.id, 'deploy', 2000);
    const running = await until(stream, (m) => m.history.length === 2, 'the second run');
    expect(running.history.map((h) => [h.id, h.status])).toEqual([
      [two.id, 'running'],
      [one.id, 'success'],
    ]);
    expect(running.stack?.lastStatus).toBe('running');
    repo.finishExecution(two.id, 'failed', { total: 1, failed: 1 }, 'task motd failed');
    const ended = await until(stream, (m) => m.history[0]?.status === 'failed', 'the second run failed');
    expect(ended.history[0]?.error).toBe('task motd failed');
    expect(ended.history[0]?.finishedAtMs).toBeGreaterThan(0n);

    // Drift, read on this machine: in sync, then drifted (the property's name only), then missing.
    const names = (r: Awaited<ReturnType<typeof api.checkStackDrift>>) =>
      r.resources.map((e) => [e.type, e.name, e.status, e.properties.join(','), e.reason]);
    const clean = await api.checkStackDrift({ name: 'web' });
    expect(names(clean)).toEqual([
      ['database', 'pg', 'not_checkable', '', 'registered without a module (pass module = "..." to stack.register_resource)'],
      ['file', 'motd', 'in_sync', '', ''],
    ]);
    expect(clean.drifted).toBe(0);
    expect(clean.checkedAtMs).toBeGreaterThan(0n);
    writeFileSync(motd, 'the admin password is hunter2\n');
    const drifted = await api.checkStackDrift({ name: 'web' });
    expect(names(drifted)[1]).toEqual(['file', 'motd', 'drifted', 'content', '']);
    expect(drifted.drifted).toBe(1);
    expect(stateKey(drifted)).not.toMatch(/hunter2|hello/);
    rmSync(motd);
    const missing = await api.checkStackDrift({ name: 'web' });
    expect(names(missing)[1]).toEqual(['file', 'motd', 'missing', '', '']);
    expect(missing.drifted).toBe(1);
    // A read: nothing in the audit log.
    expect(auditRepo(store).latest(10)).toEqual([]);

    // Deleted while watched: the page is told it is gone.
    repo.deleteStack('web');
    const gone = await until(stream, (m) => m.stack === undefined, 'the stack deleted');
    expect([gone.outputs, gone.history]).toEqual([[], []]);
    abort.abort();
  });

  it('checks drift with no module to read a resource back: not_checkable, saying so', async () => {
    const { url, store } = await dashboard();
    const { cookie, csrf } = await logIn(url);
    const repo = stackRepo(store);
    const stack = repo.createStack('files');
    const e = repo.insertExecution(stack.id, 'files');
    repo.registerResource(stack.id, e.id, { type: 'file', name: 'motd', module: 'fs', properties: { path: '/etc/motd' } });
    const r = await client(url, { cookie, 'x-csrf-token': csrf }).checkStackDrift({ name: 'files' });
    expect(r.resources.map((x) => [x.status, x.reason])).toEqual([
      ['not_checkable', "no module 'fs' in this build to read it back"],
    ]);
  });

  it('serves the page and its assets from its own directory only, with headers that forbid framing and foreign scripts', async () => {
    const { url } = await dashboard();
    const page = await http(url, '/runs/some-run');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>page</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    const asset = await http(url, '/assets/app-1.js');
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%E0%A4%A']) {
      const r = await http(url, path);
      expect(r.body, path).not.toContain('not for the browser');
    }
    expect((await http(url, '/metrics')).status).toBe(200);
    expect((await http(url, '/healthz')).body).toBe('ok\n');
    expect((await http(url, '/', { method: 'DELETE' })).status).toBe(405);
  });

  it('without a token needs no login on loopback, and refuses a Host that is not a loopback name', async () => {
    const { url } = await dashboard(false);
    const session = await http(url, '/api/session');
    const { csrf, tokenRequired } = JSON.parse(session.body) as { csrf: string; tokenRequired: boolean };
    expect(tokenRequired).toBe(false);
    const cookie = String(session.headers['set-cookie']).split(';')[0] as string;
    expect((await first(client(url, { cookie, 'x-csrf-token': csrf }).watchAgents({}))).agents).toEqual([]);
    const rebound = await http(url, '/api/session', { headers: { host: 'evil.example' } });
    expect(rebound.status).toBe(403);
    expect((await http(url, '/api/session', { headers: { host: 'localhost:1' } })).status).toBe(200);
  });
});

describe("agent control on a master's dashboard", () => {
  it('says which agent could not run the command, refuses a bad request, and audits both', async () => {
    const m = await testMaster({ dashboardPort: 0 });
    const url = m.dashboardUrl as string;
    const { cookie, csrf, r } = await logIn(url);
    expect(r.status).toBe(200);
    expect(JSON.parse((await http(url, '/api/session', { headers: { cookie } })).body)).toMatchObject({ control: true });
    const api = client(url, { cookie, 'x-csrf-token': csrf });
    const replies = [];
    for await (const reply of api.execOnAgents({ agents: ['ghost'], command: 'uptime' })) replies.push(reply);
    expect(replies.map((x) => [x.agent, x.msg.case])).toEqual([['ghost', 'failed']]);
    expect(replies[0]?.msg.value).toMatchObject({ code: 'not_found' });
    const bad = await rejection(first(api.execOnAgents({ agents: ['a', 'a'], command: 'uptime' })));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.rawMessage).toBe('invalid ExecOnAgents: agents names an agent twice');
    const [refused, failed] = auditRepo(m.store).latest(10);
    expect(failed).toMatchObject({ action: 'agent.exec', target: 'ghost', result: 'failed' });
    expect(failed?.detail).toMatch(/^uptime: ghost: not run: .*ghost/);
    expect(refused).toMatchObject({
      target: 'a, a',
      result: 'failed',
      detail: 'uptime: invalid ExecOnAgents: agents names an agent twice',
    });
  });
});

describe('LoginThrottle', () => {
  it('refuses logins from an address for the rest of the window after 10 wrong tokens; other addresses go on', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) t.failed('10.0.0.1', 1000 + i);
    expect(t.waitMs('10.0.0.1', 2000)).toBe(0);
    t.failed('10.0.0.1', 2000);
    expect(t.waitMs('10.0.0.1', 2000)).toBe(FAILED_LOGIN_WINDOW_MS - 1000);
    expect(t.waitMs('10.0.0.2', 2000)).toBe(0);
    expect(t.waitMs('10.0.0.1', 1000 + FAILED_LOGIN_WINDOW_MS)).toBe(0);
  });
});

describe('DashboardSessions', () => {
  const req = (cookie: string, csrf?: string) =>
    ({ headers: { cookie, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) } }) as never;

  it('forgets a session after its lifetime', () => {
    const sessions = new DashboardSessions(TOKEN);
    const s = sessions.open(TOKEN, 1000);
    if (!s) throw new Error('no session');
    expect(sessions.checked(req(`a=b; sloth_session=${s.id}`, s.csrf), 1000 + SESSION_TTL_MS - 1)).toBe(s);
    expect(sessions.of(req(`sloth_session=${s.id}`), 1000 + SESSION_TTL_MS)).toBeUndefined();
    expect(sessions.of(req(`sloth_session=${s.id}`), 1000)).toBeUndefined();
  });

  it('keeps at most 1,000 sessions: a login past that drops the oldest', () => {
    const sessions = new DashboardSessions(TOKEN);
    const firstOne = sessions.open(TOKEN, 0);
    for (let i = 0; i < 1000; i++) sessions.open(TOKEN, 0);
    expect(sessions.of(req(`sloth_session=${firstOne?.id}`), 0)).toBeUndefined();
  });
});
