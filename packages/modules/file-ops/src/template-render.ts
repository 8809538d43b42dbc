import { dirname, relative } from 'node:path';
import { type ModuleCallContext, SlothError } from '@sloth/core';
import nunjucks from 'nunjucks';

/**
 * Renders a template (Jinja syntax, through nunjucks) with `vars`. Autoescape is off: these are config files, not
 * HTML. An undefined value in `{{ }}` is an error naming it, since a config with an empty hole is worse than none.
 * `{% include %}` and `{% extends %}` find files next to the template and below the workflow's directory.
 */
export function renderTemplate(ctx: ModuleCallContext, path: string, source: string, vars: Record<string, unknown>): string {
  const searchPaths = [...new Set([dirname(path), ctx.sourceDir])];
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(searchPaths, { noCache: true }), {
    autoescape: false,
    throwOnUndefined: true,
  });
  try {
    return new nunjucks.Template(source, env, path, true).render(vars);
  } catch (err) {
    throw templateError(ctx, path, source, err);
  }
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
