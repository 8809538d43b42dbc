import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type ModuleSpec, SlothError } from '@sloth/core';
import { DEFAULT_STUBS_DIR, editorProjectFiles } from '../lua-stubs-files.js';
import type { ProjectTemplate, TemplateContext } from './project-template.js';
import { TEMPLATES } from './templates/index.js';

/** The template of that name; a usage error listing them otherwise. */
export function findTemplate(name: string): ProjectTemplate {
  const t = TEMPLATES.find((x) => x.name === name);
  if (t) return t;
  throw new SlothError('usage', `unknown template '${name}'`, {
    hint: `choose one of ${TEMPLATES.map((x) => x.name).join(', ')} (\`sloth-runner workflow init --list\`)`,
  });
}

/** A workflow name from a directory name: lowercase letters, digits and "_", starting with a letter. */
export function workflowNameFor(dir: string): string {
  const base = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(base) ? base : `project${base === '' ? '' : `_${base}`}`;
}

/** The files of a project made from `t`, by path relative to its directory, with the stubs of `modules`. */
export function projectFiles(t: ProjectTemplate, ctx: TemplateContext, modules?: readonly ModuleSpec[]): Record<string, string> {
  return {
    'workflow.sloth': t.workflow(ctx),
    'values.yaml': t.values(ctx),
    'README.md': readme(t, ctx),
    ...(t.extraFiles?.(ctx) ?? {}),
    ...editorProjectFiles(modules),
  };
}

/** The paths of a project's files as people want to read them: the stubs directory once, not file by file. */
export function shownFiles(paths: string[]): string[] {
  const stubs = `${DEFAULT_STUBS_DIR}/`;
  const shown = paths.filter((p) => !p.startsWith(stubs));
  return shown.length < paths.length ? [...shown, `${stubs} (editor stubs)`] : shown;
}

/** The paths among `files` that exist already in `dir`. */
export function existingFiles(dir: string, files: Record<string, string>): string[] {
  return Object.keys(files).filter((p) => existsSync(join(dir, p)));
}

/**
 * Writes a project into `dir` (created if needed); refuses, naming them, when files of it exist there already unless
 * `force`. Returns the paths written.
 */
export function writeProject(dir: string, files: Record<string, string>, force: boolean): string[] {
  const taken = existingFiles(dir, files);
  if (taken.length > 0 && !force) {
    throw new SlothError('usage', `${dir}: ${shownFiles(taken).join(', ')} exist(s) already; nothing was written`, {
      hint: 'choose another directory, or pass --force to overwrite them',
    });
  }
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return Object.keys(files);
}

function readme(t: ProjectTemplate, ctx: TemplateContext): string {
  return `# ${ctx.workflow}

Made with \`sloth-runner workflow init --template ${t.name}\`: ${t.summary}.

${t.notes}

\`\`\`bash
sloth-runner validate -f workflow.sloth -v values.yaml
${t.usage(ctx).join('\n')}
\`\`\`

\`workflow.sloth\` holds the workflow, \`values.yaml\` its settings (override one with \`--set key=value\`).
\`.luarc.json\` and \`${DEFAULT_STUBS_DIR}/\` give editors with lua-language-server completion and checks of the
workflow language and modules (associate \`*.sloth\` files with Lua); \`sloth-runner modules stubs\` writes them again.
`;
}
