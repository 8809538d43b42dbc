#!/usr/bin/env node
// `--version` is answered without loading oclif: it is the command scripts call most to probe for us.
if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sloth-runner version ${pkg.version}\n`);
  process.exit(0);
}
// The bundle (built by scripts/bundle-app.mjs): loading the ~1,000 files it holds one by one took longer than most commands.
const { createRequire } = await import('node:module');
const { execute } = createRequire(import.meta.url)('../dist/bundle/load.cjs').loadBundle();
await execute({ dir: import.meta.url });
