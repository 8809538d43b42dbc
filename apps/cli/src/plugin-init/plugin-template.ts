/** The names a plugin skeleton is made with. */
export interface PluginNames {
  /** The npm package name ("sloth-plugin-greet"). */
  pkg: string;
  /** Its Lua module's name ("greet"), also its commands' topic. */
  module: string;
}

/** The Lua module name for a package name: without the scope and the "sloth-plugin-" prefix, as Lua can name it. */
export function moduleNameFor(pkg: string): string {
  const base = (pkg.split('/').pop() ?? pkg)
    .replace(/^sloth-plugin-/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(base) ? base : `plugin${base === '' ? '' : `_${base}`}`;
}

const BUILD = 'tsc -p tsconfig.json && node scripts/manifest.mjs';

/** The files of a plugin skeleton, by path relative to its directory: a Lua module and a command, in TypeScript. */
export function pluginFiles(names: PluginNames, coreVersion: string, oclifVersion: string): Record<string, string> {
  const { pkg, module } = names;
  const packageJson = {
    name: pkg,
    version: '0.1.0',
    type: 'module',
    description: `Sloth Runner plugin: the ${module} Lua module and the \`${module} hello\` command`,
    keywords: ['sloth-runner-plugin', 'oclif-plugin'],
    files: ['dist', 'oclif.manifest.json'],
    scripts: { build: BUILD, prepare: BUILD },
    sloth: { modules: './dist/modules.js' },
    oclif: { commands: './dist/commands', topicSeparator: ' ' },
    dependencies: { '@oclif/core': `^${oclifVersion}` },
    peerDependencies: { '@sloth/core': `^${coreVersion}` },
    devDependencies: { '@sloth/core': `^${coreVersion}`, '@types/node': '^20.19.0', typescript: '~5.9.3' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      declaration: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'src/modules.ts': `import { arg, defineModule, fn, z } from '@sloth/core';

/** The ${module} module: a global \`${module}\` in workflows, and require("${module}"). */
export const ${module}Module = defineModule({
  name: '${module}',
  // Goroutine threads import the module from this file.
  importFrom: import.meta.url,
  doc: 'What the ${module} module does (from the ${pkg} plugin).',
  functions: {
    hello: fn({
      doc: 'Greets someone.',
      args: [arg('name', z.string().min(1), 'who to greet')],
      returns: 'string',
      examples: ['log.info(${module}.hello("sloth"))'],
      run: ([name], ctx) => {
        ctx.log.log('info', \`greeting \${name}\`);
        return \`hello \${name}\`;
      },
    }),
  },
});
`,
    [`src/commands/${module}/hello.ts`]: `import { Args, Command } from '@oclif/core';

/** \`sloth-runner ${module} hello NAME\`: a command this plugin adds. */
export default class Hello extends Command {
  static override summary = 'Say hello (from the ${pkg} plugin).';
  static override args = { name: Args.string({ description: 'Who to greet.', default: 'sloth' }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Hello);
    this.log(\`hello \${args.name}\`);
  }
}
`,
    'scripts/manifest.mjs': `// Writes oclif.manifest.json (after tsc, as \`npm run build\` does): with it, the CLI lists this plugin's commands
// without importing them, so a command of the plugin is loaded only when it runs.
import { writeFileSync } from 'node:fs';
import { Plugin } from '@oclif/core';

const plugin = new Plugin({ root: process.cwd(), type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
writeFileSync('oclif.manifest.json', \`\${JSON.stringify(plugin.manifest, null, 2)}\\n\`);
`,
    'README.md': `# ${pkg}

A Sloth Runner plugin: the \`${module}\` Lua module (\`src/modules.ts\`) and the \`${module} hello\` command
(\`src/commands/${module}/hello.ts\`).

\`\`\`bash
npm install && npm run build
sloth-runner plugins link .          # or, once published: sloth-runner plugins install ${pkg}
sloth-runner ${module} hello
sloth-runner modules list --module ${module}
\`\`\`

\`package.json\`'s \`"sloth": { "modules": "./dist/modules.js" }\` tells Sloth Runner where the modules are: every
export of that file made with \`defineModule\` becomes a global of workflows. \`@sloth/core\` (defineModule, fn, arg,
z) is a peer dependency: the version the CLI has.
`,
  };
}
