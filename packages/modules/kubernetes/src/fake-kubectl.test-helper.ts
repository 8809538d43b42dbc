// A fake kubectl (no cluster runs on the test machines): it keeps applied objects in a JSON state file and answers
// with the shapes the real kubectl prints (apply's "created/configured/unchanged", -o json objects, diff headers,
// NotFound errors).
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.objects ??= {};
let args = argv.slice();
let ns = 'default';
const flags = {};
while (args[0] && args[0].startsWith('--') && ['--kubeconfig', '--context', '--namespace'].includes(args[0])) { flags[args[0]] = args[1]; args = args.slice(2); }
if (flags['--namespace']) ns = flags['--namespace'];
const [cmd, ...rest] = args;
const group = (kind) => ({ deployment: 'deployment.apps', statefulset: 'statefulset.apps', daemonset: 'daemonset.apps' })[kind] || kind;
const docsOf = (text) => text.split(/^---$/m).filter((d) => d.trim()).map((d) => {
  const kind = /^kind: (\\S+)/m.exec(d)[1];
  const name = /^metadata:\\n(?:  .*\\n)*?  name: (\\S+)/m.exec(d)[1];
  return { key: kind.toLowerCase() + '/' + name, kind, name, text: d };
});
const input = () => { const f = rest[rest.indexOf('-f') + 1]; return f === '-' ? stdin : fs.readFileSync(f, 'utf8'); };
const objectJson = (key, o) => ({ apiVersion: o.kind === 'Deployment' ? 'apps/v1' : 'v1', kind: o.kind,
  metadata: { name: o.name, namespace: o.ns, uid: 'b8c1e5a2-1f0e-4c61-9b7a-3f0c2d9e8a71', resourceVersion: '48213', generation: 2,
    creationTimestamp: '2026-12-05T10:00:00Z' },
  spec: o.kind === 'Deployment' ? { replicas: o.replicas ?? 1, template: { spec: { containers: [{ name: 'web', image: o.image ?? 'nginx:1.27' }] } } } : undefined,
  status: o.kind === 'Deployment' ? { replicas: o.replicas ?? 1, readyReplicas: o.replicas ?? 1, availableReplicas: o.replicas ?? 1 } : undefined });
const find = (kind, name) => Object.keys(state.objects).find((k) => k === kind.replace(/s$/, '').toLowerCase() + '/' + name || k === kind.split('/')[0] + '/' + name);
const notFound = (kind, name) => { err('Error from server (NotFound): ' + kind + ' "' + name + '" not found'); exit(1); };
if (process.env.FAKE_KUBECTL_GARBAGE && cmd === 'get') { out('Unable to connect to the server: EOF'); exit(0); }
if (cmd === 'apply') {
  for (const d of docsOf(input())) {
    const old = state.objects[d.key];
    const action = !old ? 'created' : old.text === d.text ? 'unchanged' : 'configured';
    const replicas = /^spec:\\n(?:  .*\\n)*?  replicas: (\\d+)/m.exec(d.text);
    state.objects[d.key] = { ...(old || {}), kind: d.kind, name: d.name, ns, text: d.text, ...(replicas ? { replicas: Number(replicas[1]) } : {}) };
    out(group(d.kind.toLowerCase()) + '/' + d.name + ' ' + action);
  }
} else if (cmd === 'diff') {
  let differs = false;
  for (const d of docsOf(input())) {
    const old = state.objects[d.key];
    if (old && old.text === d.text) continue;
    differs = true;
    const id = (d.kind === 'Deployment' ? 'apps.v1.' : 'v1.') + d.kind + '.' + ns + '.' + d.name;
    out('diff -u -N /tmp/LIVE-2817263/' + id + ' /tmp/MERGED-2817263/' + id);
    out('--- /tmp/LIVE-2817263/' + id + '\\t2026-12-05 10:00:00.000000000 +0000');
    out('+++ /tmp/MERGED-2817263/' + id + '\\t2026-12-05 10:00:00.000000000 +0000');
  }
  exit(differs ? 1 : 0);
} else if (cmd === 'get') {
  let [kind, name] = rest;
  if (kind.includes('/')) [kind, name] = kind.split('/');
  if (name && name !== '-o') {
    const key = find(kind, name);
    if (!key) notFound(kind, name);
    out(JSON.stringify(objectJson(key, state.objects[key]), null, 4));
  } else {
    const items = Object.entries(state.objects).filter(([k]) => k.startsWith(kind.replace(/s$/, ''))).map(([k, o]) => objectJson(k, o));
    out(JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4));
  }
} else if (cmd === 'delete') {
  const [kind, name] = rest;
  const key = find(kind, name);
  if (key) { if (!rest.includes('--dry-run=server')) delete state.objects[key]; out(kind + ' "' + name + '" deleted' + (rest.includes('--dry-run=server') ? ' (server dry run)' : '')); }
} else if (cmd === 'scale') {
  const [kind, name] = rest[0].split('/');
  const key = find(kind, name);
  if (!key) notFound(kind, name);
  state.objects[key].replicas = Number(rest[1].split('=')[1]); out(group(kind) + '/' + name + ' scaled');
} else if (cmd === 'set' && rest[0] === 'image') {
  const [kind, name] = rest[1].split('/');
  const key = find(kind, name);
  if (!key) notFound(kind, name);
  const image = rest[2].split('=')[1];
  if (state.objects[key].image !== image) { if (!rest.includes('--dry-run=server')) state.objects[key].image = image; out(group(kind) + '/' + name + ' image updated' + (rest.includes('--dry-run=server') ? ' (server dry run)' : '')); }
} else if (cmd === 'rollout') {
  const [kind, name] = rest[1].split('/');
  if (!find(kind, name)) notFound(kind, name);
  if (rest[0] === 'status') { out('Waiting for deployment "' + name + '" rollout to finish: 1 of 2 updated replicas are available...'); out('deployment "' + name + '" successfully rolled out'); }
  else if (rest[0] === 'restart') out(group(kind) + '/' + name + ' restarted');
  else out(group(kind) + '/' + name + ' rolled back');
} else if (cmd === 'wait') {
  const [kind, name] = rest[0].split('/');
  if (!find(kind, name)) { err('error: timed out waiting for the condition on ' + group(kind) + '/' + name); exit(1); }
  out(group(kind) + '/' + name + ' condition met');
} else if (cmd === 'logs') {
  out('10.244.0.1 - - [05/Dec/2026:10:00:02 +0000] "GET /healthz HTTP/1.1" 200 2');
} else if (cmd === 'exec') {
  out(rest.slice(rest.indexOf('--') + 1).join(' '));
} else { err('error: unknown command "' + cmd + '" for "kubectl"'); exit(1); }
`;

/** A fake kubectl (see BODY): `bin` to pass as SLOTH_KUBECTL_BIN, `calls()` its argv so far. */
export const fakeKubectl = (): FakeTool => fakeTool('kubectl', BODY);
