// Sets one version on every publishable package of the workspace (every package.json not marked "private"), and
// the range other packages of the workspace ask of them as peers (`^VERSION`): `node scripts/set-version.mjs 0.2.0`.
// Why one version: the packages are released together and depend on each other exactly (pnpm writes the version
// in place of `workspace:*` when it packs), so a user never mixes @sloth/core 0.2 with @sloth/lua 0.1.
// Without a version, it prints the current one (and fails if the packages disagree).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspace = dirname(dirname(fileURLToPath(import.meta.url)));
const groups = ['apps', 'packages', 'packages/modules', 'examples/plugins'];

/** Every package.json of the workspace's packages: path and parsed content. */
function manifests() {
  const found = [];
  for (const group of groups) {
    for (const entry of readdirSync(join(workspace, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = join(workspace, group, entry.name, 'package.json');
      let text;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if (error.code === 'ENOENT') continue;
        throw error;
      }
      found.push({ file, pkg: JSON.parse(text) });
    }
  }
  return found;
}

const all = manifests();
const published = all.filter(({ pkg }) => !pkg.private);
const version = process.argv[2];
if (!version) {
  const versions = new Set(published.map(({ pkg }) => pkg.version));
  if (versions.size !== 1) {
    for (const { file, pkg } of published) console.error(`${relative(workspace, file)}: ${pkg.version}`);
    console.error('the publishable packages disagree on their version: run `node scripts/set-version.mjs VERSION`');
    process.exit(1);
  }
  console.log([...versions][0]);
  process.exit(0);
}
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`set-version: "${version}" is not a version (MAJOR.MINOR.PATCH, e.g. 0.2.0 or 0.2.0-rc.1)`);
  process.exit(2);
}
const names = new Set(published.map(({ pkg }) => pkg.name));
for (const { file, pkg } of all) {
  let changed = false;
  if (names.has(pkg.name) && pkg.version !== version) {
    pkg.version = version;
    changed = true;
  }
  for (const name of Object.keys(pkg.peerDependencies ?? {})) {
    if (names.has(name) && pkg.peerDependencies[name] !== `^${version}`) {
      pkg.peerDependencies[name] = `^${version}`;
      changed = true;
    }
  }
  if (changed) {
    writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    console.log(`${relative(workspace, file)}: ${pkg.name} ${version}`);
  }
}
