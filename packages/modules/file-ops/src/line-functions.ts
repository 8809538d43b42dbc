import { fn, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { fileCall } from './errors.js';
import { fileWriteFields, optionsTable, pathField, textField } from './fields.js';
import { compileRegexp, editBlock, editLine, replaceAll } from './line-edits.js';
import { convergeFile, readFileFacts } from './managed-file.js';
import { targetPath } from './paths.js';

const editFields = { path: pathField, ...fileWriteFields };
const stateField = z.enum(['present', 'absent'], { error: () => 'expected "present" or "absent"' }).default('present');

const RETURNS =
  'table: changed, changes ({ content = { old, new } as "sha256:..." hashes, mode, owner, group }), diff, diff_skipped, check_mode, path, backup_file';

/** A regexp field compiled, or an invalid_argument naming the field. */
function regexpOf(ctx: ModuleCallContext, field: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return compileRegexp(source);
  } catch (err) {
    throw new SlothError(
      'invalid_argument',
      `${ctx.fn}: ${field} '${source}' is not a valid regular expression: ${(err as Error).message}`,
      {
        hint: 'regexps are JavaScript regular expressions; (?P<name>...) is accepted too',
      },
    );
  }
}

/** insertafter/insertbefore: their keyword (EOF, BOF) or a regexp. */
function anchorOf<K extends string>(
  ctx: ModuleCallContext,
  field: string,
  value: string | undefined,
  keyword: K,
): RegExp | K | undefined {
  return value === keyword ? keyword : regexpOf(ctx, field, value);
}

/**
 * Edits the text of the file at `path`: `edit` maps its content (undefined: missing) to the new one, or undefined
 * to leave it alone. A missing file is an error unless `create`.
 */
async function editFile(
  ctx: ModuleCallContext,
  given: string,
  opts: z.output<typeof editFieldsSchema> & { create?: boolean | undefined },
  edit: (content: string) => string,
  absent: boolean,
): Promise<Record<string, unknown>> {
  const path = targetPath(ctx, given);
  return fileCall(ctx, path, async () => {
    const facts = await readFileFacts(ctx, path);
    if (!facts && (await ctx.host.stat(path))) {
      throw new SlothError('invalid_argument', `${ctx.fn}: '${path}' is not a regular file`, { hint: 'give the path of a file' });
    }
    if (!facts && (absent || !opts.create)) {
      if (absent) return { changed: false, changes: {}, check_mode: ctx.checkMode, path };
      const create = ctx.fn.endsWith('.replace') ? '' : 'pass create = true to create it; ';
      throw new SlothError('not_found', `${ctx.fn}: '${path}' does not exist`, {
        hint: `${create}relative paths resolve against the task workdir (${ctx.workdir})`,
      });
    }
    if (facts && facts.content === undefined) {
      throw new SlothError('task_failed', `${ctx.fn}: cannot read '${path}': permission denied`, {
        hint: 'run the task as a user allowed to read and change it',
      });
    }
    const content = Buffer.from(edit(facts?.content?.toString('utf8') ?? ''));
    return convergeFile(ctx, path, { ...opts, content }, { path }, facts);
  });
}
const editFieldsSchema = z.object(editFields);

export const lineinfile = fn({
  doc:
    "Makes sure a line is in a file (or not), with Ansible's semantics: with `regexp` (or `search_string`, a plain " +
    'substring) the LAST matching line is replaced by `line`; with no match `line` is added after the last line matching ' +
    '`insertafter` (a regexp, or "EOF", the default) or before the last matching `insertbefore` (a regexp, or "BOF"), ' +
    'unless it is already there. `backrefs = true` fills \\1 (or $1) in `line` from the regexp, and leaves the file alone ' +
    'when nothing matches. state = "absent" removes every matching line. A missing file is an error unless ' +
    '`create = true`. Regexps are JavaScript ones ((?P<name>...) is accepted too).',
  args: [
    {
      name: 'opts',
      schema: optionsTable(
        {
          ...editFields,
          line: textField.optional(),
          regexp: z.string().min(1).optional(),
          search_string: z.string().min(1).optional(),
          state: stateField,
          insertafter: z.string().min(1).optional(),
          insertbefore: z.string().min(1).optional(),
          create: z.boolean().optional(),
          backrefs: z.boolean().optional(),
        },
        '{ path = "/etc/ssh/sshd_config", regexp = "^#?PermitRootLogin", line = "PermitRootLogin no" }',
      ),
      doc: '{ path, line, regexp | search_string, state, insertafter, insertbefore, create, backrefs, backup, mode, owner, group, validate, diff }',
    },
  ],
  returns: RETURNS,
  examples: [
    'file_ops.lineinfile({ path = "/etc/ssh/sshd_config", regexp = "^#?PermitRootLogin", line = "PermitRootLogin no", validate = "sshd -t -f %s" })',
    'file_ops.lineinfile({ path = "/etc/hosts", line = "10.0.0.5 db.internal", create = true })',
    'file_ops.lineinfile({ path = "/etc/fstab", regexp = "^/swapfile", state = "absent" })',
  ],
  run: async ([opts], ctx) => {
    const regexp = regexpOf(ctx, 'regexp', opts.regexp);
    if (opts.regexp !== undefined && opts.search_string !== undefined) {
      throw new SlothError('invalid_argument', `${ctx.fn}: give regexp or search_string, not both`, {
        hint: 'search_string is a plain substring; regexp a regular expression',
      });
    }
    if (opts.state === 'present' && opts.line === undefined) {
      throw new SlothError('invalid_argument', `${ctx.fn}: state = "present" needs a line`, {
        hint: 'line = "the text the file must contain"',
      });
    }
    if (opts.state === 'absent' && opts.line === undefined && regexp === undefined && opts.search_string === undefined) {
      throw new SlothError('invalid_argument', `${ctx.fn}: state = "absent" needs line, regexp or search_string`, {
        hint: 'say which lines to remove',
      });
    }
    if (opts.backrefs && regexp === undefined) {
      throw new SlothError('invalid_argument', `${ctx.fn}: backrefs = true needs a regexp`, {
        hint: 'the back-references come from the regexp',
      });
    }
    const edit = {
      line: opts.line,
      regexp,
      searchString: opts.search_string,
      state: opts.state,
      insertafter: anchorOf(ctx, 'insertafter', opts.insertafter, 'EOF'),
      insertbefore: anchorOf(ctx, 'insertbefore', opts.insertbefore, 'BOF'),
      backrefs: opts.backrefs ?? false,
    };
    return editFile(ctx, opts.path, opts, (content) => editLine(content, edit), opts.state === 'absent');
  },
});

export const blockinfile = fn({
  doc:
    'Makes sure a block of lines sits between two marker lines in a file ("# BEGIN MANAGED BLOCK" / "# END MANAGED ' +
    'BLOCK"; `marker` with {mark} changes them, e.g. for another comment syntax or to keep several blocks apart). The ' +
    'block replaces what is between the markers; without markers it is added at the end, or after / before the last ' +
    'line matching `insertafter` / `insertbefore` (a regexp; "EOF", "BOF"). state = "absent" (or an empty block) ' +
    'removes the block and its markers. A missing file is an error unless `create = true`.',
  args: [
    {
      name: 'opts',
      schema: optionsTable(
        {
          ...editFields,
          block: textField.default(''),
          marker: z.string().min(1).default('# {mark} MANAGED BLOCK'),
          state: stateField,
          insertafter: z.string().min(1).optional(),
          insertbefore: z.string().min(1).optional(),
          create: z.boolean().optional(),
        },
        '{ path = "/etc/hosts", block = "10.0.0.5 db\\n10.0.0.6 cache" }',
      ),
      doc: '{ path, block, marker, state, insertafter, insertbefore, create, backup, mode, owner, group, validate, diff }',
    },
  ],
  returns: RETURNS,
  examples: [
    'file_ops.blockinfile({\n  path = "/etc/hosts",\n  marker = "# {mark} sloth: internal hosts",\n  block = "10.0.0.5 db.internal\\n10.0.0.6 cache.internal",\n})',
  ],
  run: async ([opts], ctx) => {
    const edit = {
      block: opts.block,
      marker: opts.marker,
      state: opts.state,
      insertafter: anchorOf(ctx, 'insertafter', opts.insertafter, 'EOF'),
      insertbefore: anchorOf(ctx, 'insertbefore', opts.insertbefore, 'BOF'),
    };
    return editFile(ctx, opts.path, opts, (content) => editBlock(content, edit), opts.state === 'absent');
  },
});

export const replace = fn({
  doc:
    'Replaces every match of `regexp` in a file with `replace` (a JavaScript regular expression, matched in multiline ' +
    'mode: ^ and $ match at each line; `replace` takes $1 or $<name> back-references, not \\1). A file already ' +
    'without matches is left alone. The file must exist.',
  args: [
    {
      name: 'opts',
      schema: optionsTable(
        { ...editFields, regexp: z.string().min(1, 'expected a regular expression'), replace: textField.default('') },
        '{ path = "/etc/app.conf", regexp = "^port=\\\\d+", replace = "port=8080" }',
      ),
      doc: '{ path, regexp, replace, backup, mode, owner, group, validate, diff }',
    },
  ],
  returns: RETURNS,
  examples: ['file_ops.replace({ path = "/etc/app.conf", regexp = "^(listen)\\\\s*=.*$", replace = "$1 = 0.0.0.0:8080" })'],
  run: async ([opts], ctx) => {
    const regexp = regexpOf(ctx, 'regexp', opts.regexp) as RegExp;
    return editFile(ctx, opts.path, opts, (content) => replaceAll(content, regexp, opts.replace), false);
  },
});
