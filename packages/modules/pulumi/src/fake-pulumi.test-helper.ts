// A fake pulumi (the Pulumi service and cloud providers cannot run on the test machines): it keeps what was deployed
// per stack in a JSON state file and answers with the shapes the real pulumi prints (preview --json with its change
// summary, the text summary of up/destroy, stack output --json, error diagnostics).
import { type FakeTool, fakeTool } from '../../../core/src/fake-tool.test-helper.js';

const BODY = `
state.stacks ??= {};
state.current ??= 'dev';
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const stack = flag('--stack') || state.current;
const config = argv.flatMap((a, i) => argv[i - 1] === '--config' ? [a] : []).join(',');
const deployed = state.stacks[stack];
const urn = (t, n) => 'urn:pulumi:' + stack + '::website::' + t + '::' + n;
const [cmd, sub] = argv;
if (config.includes('broken')) {
  if (argv.includes('--json')) out(JSON.stringify({ steps: [], diagnostics: [{ message: 'error: Missing required configuration variable \\'website:domain\\'\\n', severity: 'error' }] }));
  else err('error: Missing required configuration variable \\'website:domain\\'');
  exit(255);
}
if (cmd === 'preview') {
  const summary = !deployed ? { create: 2 } : deployed.config === config ? { same: 2 } : { same: 1, update: 1 };
  out(JSON.stringify({ steps: [{ op: deployed ? 'same' : 'create', urn: urn('pulumi:pulumi:Stack', 'website-' + stack) }], duration: 1520000000, changeSummary: summary }, null, 4));
} else if (cmd === 'up') {
  out('Updating (' + stack + ')'); out('     Type                 Name             Status');
  out(' +   pulumi:pulumi:Stack  website-' + stack + '      created'); out('Outputs:'); out('    url: "http://website-' + stack + '.example.test"');
  out('Resources:'); out('    + 2 created'); out('Duration: 3s');
  state.stacks[stack] = { config };
} else if (cmd === 'destroy') {
  const n = deployed ? 2 : 0;
  out('Destroying (' + stack + ')'); out('Resources:'); out(n ? '    - ' + n + (argv.includes('--preview-only') ? ' to delete' : ' deleted') : '');
  if (!argv.includes('--preview-only')) delete state.stacks[stack];
} else if (cmd === 'refresh') {
  out('Refreshing (' + stack + ')'); out('Resources:'); out('    2 unchanged');
} else if (cmd === 'stack' && sub === 'output') {
  if (process.env.FAKE_PULUMI_GARBAGE) { out('Current stack outputs (1):'); exit(0); }
  out(JSON.stringify(deployed ? { url: 'http://website-' + stack + '.example.test', dbPassword: '[secret]' } : {}, null, 2));
} else if (cmd === 'stack' && sub === '--show-name') {
  out(state.current);
} else if (cmd === 'stack' && sub === 'select') {
  if (!state.known?.includes(argv[2]) && !argv.includes('--create')) { err("error: no stack named '" + argv[2] + "' found"); exit(255); }
  state.known = [...(state.known || []), argv[2]]; state.current = argv[2];
} else { err('error: unknown command "' + cmd + '" for "pulumi"'); exit(255); }
`;

/** A fake pulumi (see BODY): `bin` to pass as SLOTH_PULUMI_BIN, `calls()` its argv so far. */
export const fakePulumi = (): FakeTool => fakeTool('pulumi', BODY);
