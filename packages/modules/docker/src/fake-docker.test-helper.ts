// A fake docker CLI (no engine runs on the test machines): it keeps containers, images, networks and volumes in a
// JSON state file and answers with the shapes the real docker prints (inspect documents, pull progress, errors).
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.containers ??= {};
state.images ??= ['alpine:3'];
state.networks ??= ['bridge'];
state.volumes ??= [];
const [cmd, ...rest] = argv;
const noSuch = (what, name) => { err('Error response from daemon: No such ' + what + ': ' + name); exit(1); };
const inspectDoc = (name, c) => ({
  Id: c.id, Created: '2026-12-05T10:00:00.000000000Z', Path: c.command[0] || 'nginx', Args: c.command.slice(1),
  State: { Status: c.running ? 'running' : 'exited', Running: c.running, Paused: false, Restarting: false,
    OOMKilled: false, Dead: false, Pid: c.running ? 4242 : 0, ExitCode: 0, Error: '',
    StartedAt: '2026-12-05T10:00:01.000000000Z', FinishedAt: '0001-01-01T00:00:00Z' },
  Image: 'sha256:' + 'ab'.repeat(32), Name: '/' + name, RestartCount: 0, Driver: 'overlay2', Platform: 'linux',
  HostConfig: { RestartPolicy: { Name: c.restart || 'no', MaximumRetryCount: 0 }, NetworkMode: c.network || 'bridge' },
  Config: { Hostname: c.id.slice(0, 12), Env: c.env, Image: c.image, Labels: c.labels, Cmd: c.command },
  NetworkSettings: { Networks: { [c.network || 'bridge']: { IPAddress: '172.17.0.2' } } },
});
const parseCreate = (args) => {
  const c = { env: [], labels: {}, ports: [], volumes: [], running: false, id: Math.random().toString(16).slice(2).padEnd(64, '0') };
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i += 2) {
    const [flag, v] = [args[i], args[i + 1]];
    if (flag === '--name') c.name = v; else if (flag === '--label') { const [k, ...x] = v.split('='); c.labels[k] = x.join('='); }
    else if (flag === '-e') c.env.push(v); else if (flag === '-p') c.ports.push(v); else if (flag === '-v') c.volumes.push(v);
    else if (flag === '--restart') c.restart = v; else if (flag === '--network') c.network = v;
  }
  c.image = args[i]; c.command = args.slice(i + 1);
  return c;
};
if (process.env.FAKE_DOCKER_FAIL && argv.join(' ').includes(process.env.FAKE_DOCKER_FAIL)) {
  err('Error response from daemon: driver failed programming external connectivity on endpoint web:');
  err('Bind for 0.0.0.0:8080 failed: port is already allocated');
  exit(125);
}
if (cmd === 'container' && rest[0] === 'inspect' || cmd === 'inspect') {
  const args = cmd === 'inspect' ? rest : rest.slice(1);
  const fmt = args[0] === '--format' ? args[1] : undefined;
  const name = args[args.length - 1];
  if (process.env.FAKE_DOCKER_GARBAGE) { out('<html>502 Bad Gateway</html>'); exit(0); }
  const c = state.containers[name];
  if (!c) { if (cmd === 'inspect') { out('[]'); err('Error: No such object: ' + name); exit(1); } noSuch('container', name); }
  const doc = inspectDoc(name, c);
  out(fmt === '{{json .State}}' ? JSON.stringify(doc.State) : JSON.stringify([doc], null, 4));
} else if (cmd === 'image' && rest[0] === 'inspect') {
  const image = rest[rest.length - 1];
  if (!state.images.includes(image)) { out('[]'); err('Error response from daemon: No such image: ' + image); exit(1); }
  out('sha256:' + 'cd'.repeat(32));
} else if (cmd === 'pull') {
  const image = rest[0];
  const [repo, tag] = image.split(':');
  if (state.images.includes(image)) { out((tag || 'latest') + ': Pulling from library/' + repo); out('Digest: sha256:' + 'ef'.repeat(32)); out('Status: Image is up to date for ' + image); out('docker.io/library/' + image); }
  else { state.images.push(image); out((tag || 'latest') + ': Pulling from library/' + repo); out('a2abf6c4d29d: Pull complete'); out('Digest: sha256:' + 'ef'.repeat(32)); out('Status: Downloaded newer image for ' + image); out('docker.io/library/' + image); }
} else if (cmd === 'create') {
  const c = parseCreate(rest);
  if (state.containers[c.name]) { err('Error response from daemon: Conflict. The container name "/' + c.name + '" is already in use by container "' + state.containers[c.name].id + '". You have to remove (or rename) that container to be able to reuse that name.'); exit(125); }
  state.containers[c.name] = c; out(c.id);
} else if (cmd === 'run') {
  const detach = rest[0] === '-d';
  const c = parseCreate(detach ? rest.slice(1).filter((a) => a !== '--rm') : rest.filter((a) => a !== '--rm'));
  if (detach) { c.running = true; state.containers[c.name || c.id.slice(0, 12)] = c; out(c.id); } else out(c.command.slice(1).join(' '));
} else if (cmd === 'start' || cmd === 'stop') {
  const c = state.containers[rest[rest.length - 1]];
  if (!c) noSuch('container', rest[rest.length - 1]);
  c.running = cmd === 'start'; out(rest[rest.length - 1]);
} else if (cmd === 'rm') {
  const name = rest[rest.length - 1];
  if (!state.containers[name]) noSuch('container', name);
  delete state.containers[name]; out(name);
} else if (cmd === 'ps') {
  for (const [name, c] of Object.entries(state.containers)) {
    if (!c.running && !rest.includes('-a')) continue;
    out(JSON.stringify({ Command: JSON.stringify(c.command.join(' ')), CreatedAt: '2026-12-05 10:00:00 +0000 UTC', ID: c.id, Image: c.image, Labels: '', LocalVolumes: '0', Mounts: '', Names: name, Networks: 'bridge', Ports: c.ports.join(', '), RunningFor: '2 minutes ago', Size: '0B', State: c.running ? 'running' : 'exited', Status: c.running ? 'Up 2 minutes' : 'Exited (0) 1 minute ago' }));
  }
} else if (cmd === 'logs') {
  out('192.168.1.5 - - [05/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 615'); err('2026/12/05 10:00:01 [notice] 1#1: start worker processes');
} else if (cmd === 'exec') {
  const c = state.containers[rest.find((a, i) => !a.startsWith('-') && !(rest[i - 1] || '').startsWith('-'))];
  if (!c || !c.running) { err('Error response from daemon: container is not running'); exit(1); }
  out('nginx: configuration file /etc/nginx/nginx.conf test is successful');
} else if (cmd === 'network' || cmd === 'volume') {
  const list = cmd === 'network' ? state.networks : state.volumes;
  const name = rest[rest.length - 1];
  if (rest[0] === 'inspect') { if (!list.includes(name)) { out('[]'); err('Error response from daemon: ' + cmd + ' ' + name + ' not found'); exit(1); } out(JSON.stringify([{ Name: name, Driver: 'bridge' }])); }
  else if (rest[0] === 'create') { list.push(name); out(cmd === 'network' ? 'f'.repeat(64) : name); }
} else if (cmd === 'build') {
  out('#0 building with "default" instance using docker driver'); out('#5 naming to ' + (rest[rest.indexOf('-t') + 1] || '') + ' done'); out('#5 DONE 0.0s');
} else if (cmd === 'push') {
  out('The push refers to repository [' + rest[0].split(':')[0] + ']'); out('5f70bf18a086: Layer already exists'); out('a2abf6c4d29d: Pushed'); out((rest[0].split(':')[1] || 'latest') + ': digest: sha256:' + '12'.repeat(32) + ' size: 1570');
} else { err('docker: unknown command: docker ' + cmd); exit(1); }
`;

/** A fake docker (see BODY): `bin` to pass as SLOTH_DOCKER_BIN, `calls()` its argv so far. */
export const fakeDocker = (): FakeTool => fakeTool('docker', BODY);

/** The calls that changed something (create, start, stop, rm, run, pull...), not the reads. */
export const changingCalls = (fake: FakeTool) =>
  fake.calls().filter((a) => !['inspect', 'ps', 'logs'].includes(a[0] as string) && a[1] !== 'inspect');
