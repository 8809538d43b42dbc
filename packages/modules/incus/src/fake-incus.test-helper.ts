// A fake incus (no Incus daemon runs on the test machines): it keeps instances in a JSON state file and answers with
// the shapes the real incus prints (list --format json, "Error: Instance not found").
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.instances ??= {};
const [cmd, ...rest] = argv;
const need = (name) => { if (!state.instances[name]) { err('Error: Failed checking instance exists "local:' + name + '": Instance not found'); exit(1); } return state.instances[name]; };
if (cmd === 'list') {
  const re = new RegExp(rest[0]);
  out(JSON.stringify(Object.entries(state.instances).filter(([n]) => re.test(n)).map(([name, i]) => ({
    name, status: i.status, status_code: i.status === 'Running' ? 103 : 102, type: i.vm ? 'virtual-machine' : 'container',
    architecture: 'x86_64', created_at: '2026-12-05T10:00:00Z', profiles: i.profiles, config: { 'image.os': 'Debian' },
    state: i.status === 'Running' ? { status: 'Running', pid: 4242, network: { eth0: { addresses: [{ family: 'inet', address: '10.10.10.2' }] } } } : null,
  }))));
} else if (cmd === 'init') {
  const [image, name] = rest;
  if (image.includes('missing')) { err('Error: Failed instance creation: The requested image couldn\\'t be found'); exit(1); }
  state.instances[name] = { status: 'Stopped', image, profiles: rest.flatMap((a, i) => rest[i - 1] === '--profile' ? [a] : []), vm: rest.includes('--vm') };
  out('Creating ' + name);
} else if (cmd === 'start') { need(rest[0]).status = process.env.FAKE_INCUS_SLOW_BOOT ? 'Starting' : 'Running'; }
else if (cmd === 'stop') { need(rest[0]).status = 'Stopped'; }
else if (cmd === 'delete') { need(rest[0]); delete state.instances[rest[0]]; }
else if (cmd === 'exec') {
  const i = need(rest[0]);
  if (i.status !== 'Running') { err('Error: Instance is not running'); exit(1); }
  out(rest.slice(rest.indexOf('--') + 1).join(' '));
} else if (cmd === 'file' && rest[0] === 'push') {
  need(rest[2].split('/')[0]); fs.accessSync(rest[1]);
} else { err('Error: unknown command "' + cmd + '" for "incus"'); exit(1); }
`;

/** A fake incus (see BODY): `bin` to pass as SLOTH_INCUS_BIN, `calls()` its argv so far. */
export const fakeIncus = (): FakeTool => fakeTool('incus', BODY);
