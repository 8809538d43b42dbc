import { type EventRecord, stateRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { addHook, hookSource, until, useStores } from './events.test-helper.js';
import { eventLiteral } from './hook-runner.js';
import { MAX_LITERAL_DEPTH } from './lua-literal.js';

const { fresh } = useStores();
const meta = { source: 'cli', runId: 'run-1' };

/** Dispatches one event per data table and returns the stored records, in order. */
function eventsOf(t: ReturnType<typeof fresh>, data: Record<string, unknown>[]): EventRecord[] {
  return data.map((d) => t.events.find(t.events.dispatch('x.y', d, meta)) as EventRecord);
}

const items = (events: EventRecord[]) => events.map((event) => ({ event, attempt: 1 }));

describe('eventLiteral', () => {
  it('writes each event its own created_at, however events of one millisecond and others alternate', () => {
    const at = (createdAt: number) =>
      /created_at="([^"]+)"/.exec(
        eventLiteral(
          { id: 'x', type: 't', source: 's', stack: undefined, runId: undefined, data: {}, depth: 0, attempts: 1, createdAt },
          1,
        ),
      )?.[1];
    const times = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_000, 0];
    expect(times.map(at)).toEqual(times.map((t) => new Date(t).toISOString()));
  });
});

describe('HookRunner.executeBatch', () => {
  it('runs every event of a batch in order, each with its own result, output and timing', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource(
        'h',
        'x.y',
        'state.append("order", event.data.n) if event.data.n % 2 == 0 then return true, "even " .. event.data.n end',
      ),
    );
    const events = eventsOf(
      t,
      [1, 2, 3, 4].map((n) => ({ n })),
    );
    const before = Date.now();
    const results = await t.runner.executeBatch(hook, items(events));
    expect(results.map((r) => [r.success, r.output, r.error, r.stopped])).toEqual([
      [true, undefined, undefined, false],
      [true, 'even 2', undefined, false],
      [true, undefined, undefined, false],
      [true, 'even 4', undefined, false],
    ]);
    expect(stateRepo(t.store).get('order')).toEqual([1, 2, 3, 4]);
    for (const r of results) {
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(r.startedAt).toBeGreaterThanOrEqual(before - 1);
    }
  });

  it('the hook sees the event table: id, type, source, stack, run_id, data, created_at, attempt', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'fields.lua',
      hookSource(
        'fields',
        'x.y',
        'return true, table.concat({ event.id, event.type, event.source, tostring(event.stack), tostring(event.run_id), ' +
          'event.data.name, event.data.list[2], tostring(event.data.gone), event.created_at, event.attempt }, "|")',
      ),
    );
    const withStack = t.events.find(
      t.events.dispatch('x.y', { name: 'a "quoted"\nname', list: [1, 2], gone: null }, { ...meta, stack: 'prod' }),
    ) as EventRecord;
    const bare = t.events.find(t.events.dispatch('x.y', { name: 'b', list: [3, 4] }, { source: 'api' })) as EventRecord;
    const [a, b] = await t.runner.executeBatch(hook, [
      { event: withStack, attempt: 2 },
      { event: bare, attempt: 1 },
    ]);
    const iso = (e: EventRecord) => new Date(e.createdAt).toISOString();
    expect(a?.output).toBe(`${withStack.id}|x.y|cli|prod|run-1|a "quoted"\nname|2|nil|${iso(withStack)}|2`);
    expect(b?.output).toBe(`${bare.id}|x.y|api|nil|nil|b|4|nil|${iso(bare)}|1`);
  });

  it('a hook that throws or returns false for one event fails that event only', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'picky.lua',
      hookSource(
        'picky',
        'x.y',
        'if event.data.n == 2 then error("no twos") end if event.data.n == 3 then return false, { why = "three" } end return true',
      ),
    );
    const results = await t.runner.executeBatch(
      hook,
      items(
        eventsOf(
          t,
          [1, 2, 3, 4].map((n) => ({ n })),
        ),
      ),
    );
    expect(results.map((r) => r.success)).toEqual([true, false, false, true]);
    expect(results[1]?.error).toMatch(/picky\.lua:3: no twos/);
    expect(results[2]?.error).toBe('{"why":"three"}');
  });

  it('the 3rd event hangs: 1-2 finish, 3 times out alone, 4-5 run after it in a fresh thread', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'hangs.lua',
      hookSource(
        'hangs',
        'x.y',
        'if event.data.n == 3 then while true do end end state.append("done", event.data.n) return true, "ok " .. event.data.n',
        ', timeout = "300ms"',
      ),
    );
    const results = await t.runner.executeBatch(
      hook,
      items(
        eventsOf(
          t,
          [1, 2, 3, 4, 5].map((n) => ({ n })),
        ),
      ),
    );
    expect(results.map((r) => [r.success, r.output, r.stopped])).toEqual([
      [true, 'ok 1', false],
      [true, 'ok 2', false],
      [false, undefined, false],
      [true, 'ok 4', false],
      [true, 'ok 5', false],
    ]);
    expect(results[2]?.error).toMatch(/timed out after 300ms \(hook hangs in .*hangs\.lua\)/);
    // Its time was its own: the events before it do not count against it.
    expect(results[2]?.durationMs).toBeGreaterThanOrEqual(290);
    expect(stateRepo(t.store).get('done')).toEqual([1, 2, 4, 5]);
  });

  it('each event gets the whole timeout, even after others used most of it; waiting on a command times out too', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'slow.lua',
      hookSource(
        'slow',
        'x.y',
        'if event.data.n == 4 then exec.run({ "sleep", "30" }) end exec.run({ "sleep", "0.6" }) return true',
        ', timeout = "1500ms"',
      ),
    );
    const results = await t.runner.executeBatch(
      hook,
      items(
        eventsOf(
          t,
          [1, 2, 3, 4].map((n) => ({ n })),
        ),
      ),
    );
    // Three events of 600ms each outlast one 1.5s timeout: none of them is cut short.
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results[3]?.error).toMatch(/timed out after 1500ms/);
    expect(results[3]?.durationMs).toBeGreaterThanOrEqual(1490);
  });

  it('a stop keeps what finished and hands back the running event and the rest as stopped', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'h.lua',
      hookSource('h', 'x.y', 'if event.data.n == 2 then state.set("second", true) exec.run({ "sleep", "30" }) end return true'),
    );
    const stop = new AbortController();
    const state = stateRepo(t.store);
    const running = t.runner.executeBatch(
      hook,
      items(
        eventsOf(
          t,
          [1, 2, 3].map((n) => ({ n })),
        ),
      ),
      stop.signal,
    );
    await until(() => state.get('second') === true, 10_000, 'the second event');
    stop.abort();
    const results = await running;
    expect(results.map((r) => [r.success, r.stopped])).toEqual([
      [true, false],
      [false, true],
      [false, true],
    ]);
  });

  it('a stored hook that no longer loads fails every event of the batch with the reason, and the runner goes on', async () => {
    const t = fresh();
    const good = await addHook(t.store, t.dir, 'h.lua', hookSource('h', 'x.y', 'return true'));
    const broken = t.hooks.save({ ...good, name: 'broken', source: 'local hook = {' }).hook;
    const results = await t.runner.executeBatch(broken, items(eventsOf(t, [{ n: 1 }, { n: 2 }, { n: 3 }])));
    expect(results.map((r) => [r.success, r.stopped])).toEqual([
      [false, false],
      [false, false],
      [false, false],
    ]);
    expect(results[0]?.error).toMatch(/h\.lua:1: .*expected/);
    expect((await t.runner.executeBatch(good, items(eventsOf(t, [{ n: 4 }])))).map((r) => r.success)).toEqual([true]);
  });

  it('event data reaches Lua exactly: escapes, unicode, integers and floats, holes', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'echo.lua',
      hookSource(
        'echo',
        'x.y',
        'local d = event.data return true, json.encode({ d = d, int = math.type(d.int), float = math.type(d.float), big = math.type(d.big), hole = d.list[2] == nil, n = #d.list, nul = #d.nul })',
      ),
    );
    const tricky = {
      text: 'quote " backslash \\ newline \n tab \t cr \r ctrl \u0001 then 23 del \u007f ]] [[ end',
      unicode: 'héllo wörld ✓ 😀 日本',
      'key with "quotes" and \\': 'ok',
      '': 'empty key',
      int: 42,
      float: 1.5,
      big: 1e21,
      negative: -7,
      list: [1, null, 3],
      bool: false,
      // A NUL byte arrives whole (5 bytes); only strings coming back to JS stop at one (wasmoon).
      nul: 'ab\u0000cd',
    };
    const results = await t.runner.executeBatch(hook, items(eventsOf(t, [tricky])));
    expect(results[0]?.error).toBeUndefined();
    const out = JSON.parse(results[0]?.output as string);
    expect(out).toMatchObject({ int: 'integer', float: 'float', big: 'float', hole: true, n: 3, nul: 5 });
    const { list: _list, nul: _nul, ...plain } = tricky;
    expect(out.d).toMatchObject(plain);
  });

  it('deeply nested data reaches the hook; data too deep for Lua fails that event alone, with the reason', async () => {
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'deep.lua',
      hookSource(
        'deep',
        'x.y',
        'local d, n = event.data, 0 while d.down do d, n = d.down, n + 1 end return true, n .. " " .. tostring(d.leaf)',
      ),
    );
    const nest = (levels: number) => {
      let d: Record<string, unknown> = { leaf: 'bottom' };
      for (let i = 0; i < levels; i++) d = { down: d };
      return d;
    };
    // 50 levels: more than wasmoon's own conversion survives (it crashes near 30).
    const results = await t.runner.executeBatch(
      hook,
      items(eventsOf(t, [nest(50), nest(MAX_LITERAL_DEPTH + 5), { leaf: 'flat' }])),
    );
    expect(results.map((r) => [r.success, r.output])).toEqual([
      [true, '50 bottom'],
      [false, undefined],
      [true, '0 flat'],
    ]);
    expect(results[1]?.error).toMatch(/its data is nested deeper than 64 levels, too deep for a hook to receive/);
  });
});
