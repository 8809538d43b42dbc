import { dirname, relative } from 'node:path';
import { type ModuleCallContext, SlothError } from '@sloth/core';
import type { Template } from 'nunjucks';

/**
 * Renders a template (Jinja syntax, through nunjucks) with `vars`. Autoescape is off: these are config files, not
 * HTML. An undefined value in `{{ }}` is an error naming it, since a config with an empty hole is worse than none.
 * `{% include %}` and `{% extends %}` find files next to the template and below the workflow's directory.
 */
export async function renderTemplate(
  ctx: ModuleCallContext,
  path: string,
  source: string,
  vars: Record<string, unknown>,
): Promise<string> {
  try {
    return (await compiled(ctx, path, source)).render(vars);
  } catch (err) {
    throw templateError(ctx, path, source, err);
  }
}

// Compiled templates by file and text: a configuration renders the same template for many files, and again on
// every run of a long-lived process (an agent). Included files are read on each render.
const MAX_COMPILED = 256;
const compiledTemplates = new Map<string, Template>();

async function compiled(ctx: ModuleCallContext, path: string, source: string): Promise<Template> {
  const key = `${ctx.sourceDir}\0${path}\0${source}`;
  const known = compiledTemplates.get(key);
  if (known) return known;
  // Loaded on first use: most runs render no template, and every CLI start and goroutine thread loads the modules.
  const { default: nunjucks } = await import('nunjucks');
  const searchPaths = [...new Set([dirname(path), ctx.sourceDir])];
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(searchPaths, { noCache: true }), {
    autoescape: false,
    throwOnUndefined: true,
  });
  const template = new nunjucks.Template(source, env, path, true);
  if (compiledTemplates.size >= MAX_COMPILED) compiledTemplates.delete(compiledTemplates.keys().next().value as string);
  compiledTemplates.set(key, template);
  return template;
}

/** nunjucks' "(file) [Line N, Column M]\n  message" as "template FILE line N: message", naming an undefined value. */
function templateError(ctx: ModuleCallContext, path: string, source: string, err: unknown): SlothError {
  const text = err instanceof Error ? err.message : String(err);
  const located = /^\((.*?)\)(?: \[Line (\d+), Column (\d+)\])?\n\s*([\s\S]*)$/.exec(text);
  const file = located?.[1] && located[1] !== 'unknown path' ? located[1] : path;
  const line = located?.[2] ? Number(located[2]) : undefined;
  let message = (located?.[4] ?? text).replace(/^Error: /, '').trim();
  if (message.startsWith('attempted to output null or undefined value') && line !== undefined && file === path) {
    const expression = expressionAt(source, line, Number(located?.[3]));
    if (expression) message = `'${expression}' is undefined (pass it in vars, or write {{ ${expression} | default("...") }})`;
  }
  const shown = relative(ctx.sourceDir, file).startsWith('..') ? file : relative(ctx.sourceDir, file);
  return new SlothError('invalid_argument', `${ctx.fn}: template ${shown}${line === undefined ? '' : `:${line}`}: ${message}`, {
    hint: 'fix the template or the vars given to it; variables are vars, values and params',
  });
}

/** The expression of the `{{ ... }}` at a 1-based line and column (where nunjucks reports an undefined output). */
function expressionAt(source: string, line: number, column: number): string | undefined {
  const text = source.split('\n')[line - 1] ?? '';
  const from = text.lastIndexOf('{{', Math.max(0, column - 1) + 1);
  const match = /^\{\{-?\s*(.*?)\s*-?\}\}/.exec(text.slice(Math.max(from, 0)));
  return match?.[1];
}
