// A fake salt-call and salt (no Salt master or minion runs on the test machines): they keep which states were applied
// in a JSON state file and answer with the shapes the real ones print with --out json (per-minion returns, state
// results keyed "file_|-id_|-name_|-managed" with changes, result, comment and __run_num__).
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.applied ??= false;
if (process.env.FAKE_SALT_GARBAGE) { out('local:'); out('    True'); exit(0); }
const remote = argv[0] === '--static';
const rest = argv.filter((a) => !['--static', '--local', '--retcode-passthrough'].includes(a));
const parts = rest.slice(2);
const minions = remote ? [parts.shift() === 'web*' ? 'web1' : 'db1', 'web2'] : ['local'];
const [fun, ...args] = parts;
const per = (v) => Object.fromEntries(minions.map((m) => [m, v]));
if (fun === 'test.ping') out(JSON.stringify(per(true), null, 4));
else if (fun === 'pkg.version') out(JSON.stringify(per('1.22.1-9'), null, 4));
else if (fun === 'state.apply') {
  const test = args.includes('test=True');
  const sls = args.find((a) => !a.includes('=')) || 'highstate';
  const motdChanged = !state.applied;
  const states = {
    'file_|-motd_|-/etc/motd_|-managed': { name: '/etc/motd', __id__: 'motd', __sls__: sls, __run_num__: 1, start_time: '10:00:00.123456', duration: 12.3,
      result: motdChanged ? (test ? null : true) : true,
      comment: motdChanged ? (test ? 'The file /etc/motd is set to be changed' : 'File /etc/motd updated') : 'File /etc/motd is in the correct state',
      changes: motdChanged ? (test ? {} : { diff: 'New file' }) : {} },
    'pkg_|-nginx_|-nginx_|-installed': { name: 'nginx', __id__: 'nginx', __sls__: sls, __run_num__: 0, start_time: '10:00:00.012345', duration: 402.1,
      result: true, comment: 'All specified packages are already installed', changes: {} },
  };
  if (sls === 'broken') {
    states['pkg_|-nginx_|-nginx_|-installed'] = { ...states['pkg_|-nginx_|-nginx_|-installed'], result: false, comment: 'Package nonexistent-pkg-xyz failed to install: E: Unable to locate package nonexistent-pkg-xyz' };
  }
  if (!test && sls !== 'broken') state.applied = true;
  out(JSON.stringify(per(sls === 'missing' ? ["No matching sls found for 'missing' in env 'base'"] : states), null, 4));
  if (sls === 'broken' || sls === 'missing') exit(2);
} else { err("'" + fun + "' is not available."); exit(1); }
`;

/** A fake salt-call (see BODY): `bin` to pass as SLOTH_SALT_CALL_BIN. */
export const fakeSaltCall = (): FakeTool => fakeTool('salt-call', BODY);
/** A fake salt (a master's CLI) answering for two minions. */
export const fakeSalt = (): FakeTool => fakeTool('salt', BODY);
