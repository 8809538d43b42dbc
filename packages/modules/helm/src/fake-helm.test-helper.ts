// A fake helm (no cluster runs on the test machines): it keeps releases and repositories in a JSON state file and
// answers with the shapes the real helm prints (status and list -o json, "Release ... has been upgraded", errors).
import { createRequire } from 'node:module';
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

/** The yaml package (a dependency of the data module), for the fake to read values from stdin as helm does. */
const YAML = createRequire(new URL('../../data/package.json', import.meta.url)).resolve('yaml');

const BODY = `
state.releases ??= {};
state.repos ??= [];
const YAML = require(${JSON.stringify(YAML)});
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const ns = flag('--namespace') || 'default';
const [cmd, ...rest] = argv;
const statusOf = (name, r) => ({ name, info: { first_deployed: '2026-12-05T10:00:00.000000+00:00', last_deployed: '2026-12-05T10:00:00.000000+00:00',
  deleted: '', description: r.version === 1 ? 'Install complete' : 'Upgrade complete', status: 'deployed', notes: 'Thank you for installing ' + r.chart },
  chart: { metadata: { name: r.chart.split('/').pop(), version: r.chartVersion, appVersion: '1.27.3', apiVersion: 'v2' } },
  config: r.values, version: r.version, namespace: r.namespace });
if (cmd === 'status') {
  const r = state.releases[rest[0]];
  if (!r) { err('Error: release: not found'); exit(1); }
  if (process.env.FAKE_HELM_GARBAGE) { out('NAME: ' + rest[0]); exit(0); }
  out(JSON.stringify(statusOf(rest[0], r)));
} else if (cmd === 'upgrade') {
  const [release, chart] = rest.slice(1);
  if (chart.includes('missing')) { err('Error: INSTALLATION FAILED: repo missing not found'); exit(1); }
  const values = rest.includes('-') ? YAML.parse(stdin) || {} : {};
  const old = state.releases[release];
  const next = { chart, chartVersion: flag('--version') || '1.0.0', values, version: (old ? old.version : 0) + 1, namespace: ns };
  if (!argv.includes('--dry-run')) state.releases[release] = next;
  if (old) out('Release "' + release + '" has been upgraded. Happy Helming!'); else out('Release "' + release + '" does not exist. Installing it now.');
  out('NAME: ' + release); out('NAMESPACE: ' + ns); out('STATUS: ' + (argv.includes('--dry-run') ? 'pending-install' : 'deployed')); out('REVISION: ' + next.version);
} else if (cmd === 'uninstall') {
  delete state.releases[rest[0]]; out('release "' + rest[0] + '" uninstalled');
} else if (cmd === 'list') {
  out(JSON.stringify(Object.entries(state.releases).map(([name, r]) => ({ name, namespace: r.namespace, revision: String(r.version),
    updated: '2026-12-05 10:00:00.000000 +0000 UTC', status: 'deployed', chart: r.chart.split('/').pop() + '-' + r.chartVersion, app_version: '1.27.3' }))));
} else if (cmd === 'repo' && rest[0] === 'list') {
  if (state.repos.length === 0) { err('Error: no repositories to show'); exit(1); }
  out(JSON.stringify(state.repos));
} else if (cmd === 'repo' && rest[0] === 'add') {
  const found = state.repos.find((r) => r.name === rest[1]);
  if (found && found.url === rest[2]) { out('"' + rest[1] + '" already exists with the same configuration, skipping'); exit(0); }
  if (found) { err('Error: repository name (' + rest[1] + ') already exists, please specify a different name'); exit(1); }
  state.repos.push({ name: rest[1], url: rest[2] }); out('"' + rest[1] + '" has been added to your repositories');
} else { err('Error: unknown command "' + cmd + '" for "helm"'); exit(1); }
`;

/** A fake helm (see BODY): `bin` to pass as SLOTH_HELM_BIN, `calls()` its argv so far. */
export const fakeHelm = (): FakeTool => fakeTool('helm', BODY);
