// A fake incus (no Incus daemon runs on the test machines): it keeps instances, networks, profiles, storage pools and
// snapshots in a JSON state file and answers with the shapes the real incus prints (list --format json, "Error: ...").
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.instances ??= {};
state.network ??= {};
state.profile ??= { default: { description: 'Default Incus profile', config: {} } };
state.storage ??= {};
const [cmd, ...rest] = argv;
const fail = (m) => { err('Error: ' + m); exit(1); };
const need = (name) => { if (!state.instances[name]) fail('Failed checking instance exists "local:' + name + '": Instance not found'); return state.instances[name]; };
const pairs = (list) => Object.fromEntries(list.filter((a) => a.includes('=') && !a.startsWith('--')).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
const devices = (i) => Object.fromEntries([['root', { type: 'disk', path: '/', pool: 'default' }], ...i.networks.map((n) => [n, { type: 'nic', network: n }])]);
if (cmd === 'list') {
  const re = new RegExp(rest[0]);
  out(JSON.stringify(Object.entries(state.instances).filter(([n]) => re.test(n)).map(([name, i]) => ({
    name, status: i.status, status_code: i.status === 'Running' ? 103 : 102, type: i.vm ? 'virtual-machine' : 'container',
    architecture: 'x86_64', created_at: '2026-12-05T10:00:00Z', profiles: i.profiles, config: { 'image.os': 'Debian' },
    expanded_devices: devices(i),
    state: i.status === 'Running' ? { status: 'Running', pid: 4242, network: { eth0: { addresses: [{ family: 'inet', address: '10.10.10.2' }] } } } : null,
  }))));
} else if (cmd === 'init') {
  const [image, name] = rest;
  if (image.includes('missing')) fail('Failed instance creation: The requested image couldn\\'t be found');
  const profiles = rest.flatMap((a, i) => rest[i - 1] === '--profile' ? [a] : []);
  for (const p of profiles) if (!state.profile[p]) fail('Failed loading profile "' + p + '": Profile not found');
  state.instances[name] = { status: 'Stopped', image, profiles, vm: rest.includes('--vm'), networks: [], snapshots: [] };
  out('Creating ' + name);
} else if (cmd === 'start') { need(rest[0]).status = process.env.FAKE_INCUS_SLOW_BOOT ? 'Starting' : 'Running'; }
else if (cmd === 'stop') { need(rest[0]).status = 'Stopped'; }
else if (cmd === 'delete') { need(rest[0]); delete state.instances[rest[0]]; }
else if (cmd === 'exec') {
  const i = need(rest[0]);
  if (i.status !== 'Running') fail('Instance is not running');
  const command = rest.slice(rest.indexOf('--') + 1);
  // The only command whose answer the module reads: the mode of a pushed file.
  if (command[0] === 'stat') {
    const f = (i.files ?? {})[command.at(-1)];
    if (!f) { err("stat: cannot statx '" + command.at(-1) + "': No such file or directory"); exit(1); }
    out(f.mode);
  } else out(command.join(' '));
} else if (cmd === 'file' && (rest[0] === 'push' || rest[0] === 'pull')) {
  const remote = rest[0] === 'push' ? rest[2] : rest[1];
  const i = need(remote.split('/')[0]);
  const at = remote.slice(remote.indexOf('/'));
  i.files ??= {};
  if (rest[0] === 'pull') {
    if (!i.files[at]) fail('Not Found');
    process.stdout.write(Buffer.from(i.files[at].content, 'base64'));
  } else {
    const bytes = fs.readFileSync(rest[1]);
    const mode = rest.includes('--mode') ? rest[rest.indexOf('--mode') + 1].replace(/^0(?=[0-7]{3})/, '') : (fs.statSync(rest[1]).mode & 0o777).toString(8);
    i.files[at] = { content: bytes.toString('base64'), mode };
  }
} else if (['network', 'profile', 'storage'].includes(cmd)) {
  const [verb, name, ...args] = rest;
  const all = state[cmd];
  const noun = { network: 'Network', profile: 'Profile', storage: 'Storage pool' }[cmd];
  const obj = () => all[name] ?? fail(noun + ' not found');
  if (verb === 'list') out(JSON.stringify(Object.entries(all).map(([n, o]) => ({ name: n, ...o }))));
  else if (verb === 'create') {
    if (all[name]) fail(noun + ' "' + name + '" already exists');
    all[name] = { description: '', config: pairs(args), ...(cmd === 'storage' ? { driver: args[0] } : {}), ...(cmd === 'network' ? { type: (args.find((a) => a.startsWith('--type=')) ?? '--type=bridge').slice(7) } : {}) };
    out(noun + ' ' + name + ' created');
  } else if (verb === 'set') {
    const o = obj();
    if (args.includes('--property')) Object.assign(o, pairs(args)); else Object.assign(o.config, pairs(args));
  } else if (verb === 'delete') { obj(); delete all[name]; }
  else if (cmd === 'network' && (verb === 'attach' || verb === 'detach')) {
    obj(); const i = need(args[0]);
    if (verb === 'attach') { if (i.networks.includes(name)) fail('The device already exists'); i.networks.push(name); }
    else { if (!i.networks.includes(name)) fail('No device found for this network'); i.networks = i.networks.filter((n) => n !== name); }
  } else if (cmd === 'profile' && (verb === 'add' || verb === 'remove')) {
    const i = need(name); const p = args[0];
    if (verb === 'add') { if (!state.profile[p]) fail('Profile not found'); if (i.profiles.includes(p)) fail('Profile ' + p + ' is already applied'); i.profiles.push(p); }
    else { if (!i.profiles.includes(p)) fail('Profile ' + p + ' isn\\'t currently applied'); i.profiles = i.profiles.filter((x) => x !== p); }
  } else fail('unknown command "' + verb + '" for "incus ' + cmd + '"');
} else if (cmd === 'snapshot') {
  const [verb, inst, name] = rest;
  const i = need(inst);
  if (verb === 'list') out(JSON.stringify(i.snapshots.map((s) => ({ name: s.name, stateful: s.stateful, created_at: '2026-12-05T10:00:00Z' }))));
  else if (verb === 'create') {
    if (i.snapshots.some((s) => s.name === name)) fail('Snapshot "' + name + '" already exists');
    if (rest.includes('--stateful') && i.status !== 'Running') fail('Unable to create a stateful snapshot. The instance isn\\'t running');
    i.snapshots.push({ name, stateful: rest.includes('--stateful') });
  } else if (verb === 'restore' || verb === 'delete') {
    if (!i.snapshots.some((s) => s.name === name)) fail('Failed to fetch snapshot "' + name + '": Snapshot not found');
    if (verb === 'delete') i.snapshots = i.snapshots.filter((s) => s.name !== name);
  } else fail('unknown command "' + verb + '" for "incus snapshot"');
} else { err('Error: unknown command "' + cmd + '" for "incus"'); exit(1); }
`;

/** A fake incus (see BODY): `bin` to pass as SLOTH_INCUS_BIN, `calls()` its argv so far. */
export const fakeIncus = (): FakeTool => fakeTool('incus', BODY);
