// The workflow language (lua/prelude.lua) described for editors: every task and workflow builder method, the table
// forms, the task context `this`, and the globals `task`, `workflow`, `values`, `params`, `check_mode`. The prelude
// defines the language in Lua; a test compares these names with the ones the prelude has (__sloth.language()).
import type { StubAlias, StubClass, StubField, StubFile, StubFunction, StubGlobal, StubParam } from './stub-model.js';

const p = (name: string, type: string, doc?: string, optional?: boolean): StubParam => ({ name, type, doc, optional });
const opt = (name: string, type: string, doc?: string): StubParam => p(name, type, doc, true);
/** An optional field of an options table. */
const field = (name: string, type: string, doc?: string): StubField => ({ name, type, optional: true, doc });
/** A builder method: it returns the object it was called on, so calls chain. */
const chain = (self: string, name: string, doc: string, params: StubParam[]): StubFunction => ({
  name,
  doc,
  params,
  returns: [{ type: self }],
});

const ALIASES: StubAlias[] = [
  { name: 'sloth.Duration', type: 'string|number', doc: 'A duration: "300ms", "30s", "5m", "1h30m", or a number of seconds.' },
  { name: 'sloth.RetryStrategy', type: '"fixed"|"linear"|"exponential"', doc: 'How the delay between attempts grows.' },
  { name: 'sloth.Params', type: 'table<string, any>', doc: 'The run parameters (`--param k=v`), read-only.' },
  { name: 'sloth.TaskRef', type: 'string|sloth.Task', doc: 'A task, or the name of one.' },
  {
    name: 'sloth.TaskBody',
    type: 'fun(this: sloth.TaskContext, params: sloth.Params, deps: table<string, table>): any',
    doc: 'A task body. Arguments are bound by name: `this`/`self`/`t`/`task`/`ctx` get the context, `params`/`p` the run parameters, `deps`/`d`/`inputs` the outputs of the ancestors; other names get (this, params, deps) in order. Return nothing or true (success), `true, "message", { outputs }`, `false, "message"`, or a table with a boolean `success`.',
  },
  {
    name: 'sloth.Condition',
    type: '(fun(this: sloth.TaskContext, params: sloth.Params, deps: table<string, table>): boolean)|string',
    doc: 'A function returning true or false, or a shell command (exit 0 means true).',
  },
  {
    name: 'sloth.Hook',
    type: 'fun(this: sloth.TaskContext, params: sloth.Params, output: table?)',
    doc: 'Called after the task succeeded, with its outputs.',
  },
  {
    name: 'sloth.ErrorHook',
    type: 'fun(this: sloth.TaskContext, params: sloth.Params, err: string)',
    doc: 'Called after the task failed or timed out, with the error.',
  },
  {
    name: 'sloth.Agents',
    type: 'string|string[]|sloth.AgentSelector|(fun(): string|string[])',
    doc: 'Where a body runs: agent names (or SSH hosts), a label selector, or a function returning names when the task starts.',
  },
];

const TASK_METHODS: StubFunction[] = [
  chain('sloth.Task', 'description', 'What the task does, for listings and reports.', [p('text', 'string')]),
  chain('sloth.Task', 'command', 'The body: a Lua function, or a shell command line (success when it exits 0).', [
    p('body', 'sloth.TaskBody|string'),
  ]),
  chain('sloth.Task', 'workdir', 'The directory the task works in, created if missing.', [p('path', 'string')]),
  chain('sloth.Task', 'timeout', 'How long the task may run.', [p('duration', 'sloth.Duration')]),
  chain(
    'sloth.Task',
    'retries',
    'Runs the body again after a failure (not after invalid_argument, not_found, usage or load errors).',
    [
      p('count', 'integer|sloth.RetryOptions', 'attempts after the first, or { count, strategy, delay }'),
      opt('strategy', 'sloth.RetryStrategy'),
      opt('delay', 'sloth.Duration', 'the base delay (default "1s")'),
    ],
  ),
  chain('sloth.Task', 'depends_on', 'Tasks that must succeed first.', [p('tasks', 'sloth.TaskRef|sloth.TaskRef[]')]),
  chain('sloth.Task', 'delegate_to', 'Runs the body on agents (or SSH hosts) instead of here.', [p('agents', 'sloth.Agents')]),
  chain('sloth.Task', 'handler', 'Makes the task a handler: it runs only when a task that changed something notifies it.', [
    opt('on', 'boolean', 'default true'),
  ]),
  chain('sloth.Task', 'notify', 'Handlers to run if this task changed something.', [
    p('handlers', 'sloth.TaskRef|sloth.TaskRef[]'),
  ]),
  chain('sloth.Task', 'run_if', 'Runs the task only when the condition holds (skipped otherwise).', [
    p('condition', 'sloth.Condition'),
  ]),
  chain('sloth.Task', 'abort_if', 'Stops the whole workflow when the condition holds.', [p('condition', 'sloth.Condition')]),
  chain('sloth.Task', 'on_success', 'Called after the task succeeded.', [p('hook', 'sloth.Hook')]),
  chain('sloth.Task', 'on_failure', 'Called after the task failed.', [p('hook', 'sloth.ErrorHook')]),
  chain('sloth.Task', 'on_timeout', 'Called after the task timed out.', [p('hook', 'sloth.ErrorHook')]),
  chain('sloth.Task', 'pre_hook', 'Called before the body.', [p('hook', 'sloth.Hook')]),
  chain('sloth.Task', 'post_hook', 'Called after the body.', [p('hook', 'sloth.Hook')]),
  chain('sloth.Task', 'artifacts', 'Files this task hands to later tasks.', [p('paths', 'string|string[]')]),
  chain('sloth.Task', 'consumes', 'Artifacts of earlier tasks this task needs.', [p('paths', 'string|string[]')]),
  chain('sloth.Task', 'tags', 'Labels for the task.', [p('tags', 'string|string[]')]),
  chain('sloth.Task', 'user', 'Runs its commands (shell strings, exec.run) as that user; needs root.', [p('name', 'string')]),
  chain('sloth.Task', 'env', 'Variables added to the environment of its commands.', [p('vars', 'table<string, any>')]),
  chain('sloth.Task', 'build', 'Ends a builder chain (optional).', []),
  { name: 'name', doc: "The task's name.", params: [], returns: [{ type: 'string' }] },
  {
    name: 'run',
    doc: 'Runs the task now (from another task, or at load time).',
    params: [opt('params', 'table<string, any>')],
    returns: [
      { type: 'boolean', doc: 'success' },
      { type: 'any', doc: 'its output, or the error' },
    ],
  },
];

/** The keys of the table form, `task({ name = ..., command = ... })`: the builder methods plus name, run, retry_strategy. */
function taskTableFields() {
  const methods = TASK_METHODS.filter((m) => !['build', 'name', 'run', 'handler', 'retries'].includes(m.name));
  return [
    { name: 'name', type: 'string', doc: 'The task name (unique in the file).' },
    ...methods.map((m) => field(m.name, (m.params[0] as StubParam).type, m.doc)),
    field('run', 'sloth.TaskBody|string', 'Same as command.'),
    field('retries', 'integer|sloth.RetryOptions', 'Attempts after the first, or { count, strategy, delay }.'),
    field('retry_strategy', 'sloth.RetryStrategy', 'The strategy of retries = N.'),
    field('handler', 'boolean', 'Runs only when notified.'),
  ];
}

const WORKFLOW_METHODS: StubFunction[] = [
  chain('sloth.Workflow', 'description', 'What the workflow does.', [p('text', 'string')]),
  chain('sloth.Workflow', 'version', 'Its version.', [p('version', 'string|number')]),
  chain('sloth.Workflow', 'metadata', 'Anything you want kept with it.', [p('metadata', 'table')]),
  chain('sloth.Workflow', 'tasks', 'Adds tasks: task objects, task tables, or names of declared tasks.', [
    p('tasks', '(sloth.TaskRef|sloth.TaskTable)[]'),
  ]),
  chain('sloth.Workflow', 'config', 'Timeout, parallelism, fail-fast, default retry strategy.', [
    p('config', 'sloth.WorkflowConfig'),
  ]),
  chain('sloth.Workflow', 'on_start', 'Called before the first task.', [p('fn', 'fun()')]),
  chain('sloth.Workflow', 'on_complete', 'Called after the last task.', [
    p(
      'fn',
      'fun(success: boolean, results: table<string, table>)',
      'results.<task>: status, duration_ms, attempts, output, error, ...',
    ),
  ]),
  chain('sloth.Workflow', 'delegate_to', "Runs every task's body on agents (or SSH hosts).", [p('agents', 'sloth.Agents')]),
  chain('sloth.Workflow', 'task', 'Adds a task; tasks added this way run in the order they are added.', [
    p('task', 'string|sloth.Task', 'a new task name, or a task'),
    opt('body', 'sloth.TaskBody|string', 'the body of a new task'),
  ]),
  chain('sloth.Workflow', 'build', 'Ends a builder chain (optional).', []),
];

/** The options of workflow.define: the methods that take one value. */
function workflowOptionFields() {
  return WORKFLOW_METHODS.filter((m) => !['task', 'build'].includes(m.name)).map((m) =>
    field(m.name, (m.params[0] as StubParam).type, m.doc),
  );
}

/** A function of the task context: `this.workdir.get()` and `this.workdir:get()` both work, so `self` is optional. */
const context = (name: string, doc: string, returns: string): StubFunction => ({
  name,
  doc: `${doc} (\`.\` and \`:\` calls both work.)`,
  params: [opt('self', 'table', 'given by a `:` call')],
  returns: [{ type: returns }],
});

const CLASSES: StubClass[] = [
  {
    name: 'sloth.Task',
    doc: 'A task, made by task(name); its methods set it up and return it, so calls chain.',
    functions: TASK_METHODS,
    call: ':',
  },
  {
    name: 'sloth.TaskTable',
    doc: 'A task declared as one table: task({ name = "build", command = ... }).',
    fields: taskTableFields(),
  },
  {
    name: 'sloth.RetryOptions',
    fields: [
      field('count', 'integer', 'attempts after the first'),
      field('max', 'integer', 'same as count'),
      field('strategy', 'sloth.RetryStrategy'),
      field('delay', 'sloth.Duration', 'the base delay (default "1s")'),
    ],
  },
  {
    name: 'sloth.AgentSelector',
    doc: 'Agents chosen by labels when the task starts (see load_balancer.choose).',
    fields: [
      { name: 'labels', type: 'table<string, string>' },
      { name: '[string]', type: 'any' },
    ],
  },
  {
    name: 'sloth.Workflow',
    doc: 'A workflow, made by workflow.define(name) or workflow(name).',
    functions: WORKFLOW_METHODS,
    call: ':',
  },
  { name: 'sloth.WorkflowOptions', doc: 'The options of workflow.define(name, opts).', fields: workflowOptionFields() },
  {
    name: 'sloth.WorkflowConfig',
    fields: [
      field('timeout', 'sloth.Duration', 'for the whole workflow'),
      field('max_parallel_tasks', 'integer', 'default: no limit'),
      field('fail_fast', 'boolean', 'default true: no new task starts after a failure'),
      field('retry_policy', 'sloth.RetryStrategy', 'the strategy of :retries(n) without one'),
      field('environment', 'any', 'kept for your own use'),
    ],
  },
  {
    name: 'sloth.TaskContext',
    doc: 'What a task body gets as `this`.',
    fields: [
      { name: 'run_id', type: 'string' },
      { name: 'attempt', type: 'integer', doc: '1-based' },
      { name: 'name', type: 'fun(): string', doc: "the task's name" },
      { name: 'workdir', type: 'sloth.Workdir' },
      { name: 'agent', type: 'sloth.AgentInfo' },
      { name: 'check_mode', type: 'boolean', doc: 'true under `workflow run --check`' },
    ],
  },
  {
    name: 'sloth.Workdir',
    doc: "The task's working directory.",
    call: '.',
    functions: [
      context('get', 'Its path.', 'string'),
      context('ensure', 'Creates it if missing.', 'boolean'),
      context('exists', 'Whether it exists.', 'boolean'),
      context('cleanup', 'Removes it (only a workdir the task set itself with :workdir).', 'boolean'),
    ],
  },
  {
    name: 'sloth.AgentInfo',
    call: '.',
    functions: [context('get', "The agent's name in a delegated task, nil elsewhere.", 'string?')],
  },
  {
    name: 'sloth.WorkflowNamespace',
    doc: 'Defines workflows: workflow.define(name, opts), or workflow(name, opts).',
    overloads: ['fun(name: string, opts?: sloth.WorkflowOptions): sloth.Workflow'],
    global: 'workflow',
    functions: [
      {
        name: 'define',
        doc: 'Defines a workflow (a name used once per file).',
        params: [p('name', 'string'), opt('opts', 'sloth.WorkflowOptions')],
        returns: [{ type: 'sloth.Workflow' }],
      },
    ],
  },
];

const GLOBALS: StubGlobal[] = [
  {
    kind: 'function',
    name: 'task',
    doc: 'Declares a task: task("name") then builder methods, or task({ name = "name", command = ..., ... }).',
    params: [p('def', 'string|sloth.TaskTable', 'the task name, or the whole task as a table')],
    returns: [{ type: 'sloth.Task' }],
  },
  {
    kind: 'variable',
    name: 'values',
    type: 'table<string, any>',
    value: '{}',
    doc: 'The `-v` values files, deep-merged, then `--set`.',
  },
  { kind: 'variable', name: 'params', type: 'sloth.Params', value: '{}', doc: 'The run parameters (`--param k=v`), read-only.' },
  { kind: 'variable', name: 'check_mode', type: 'boolean', value: 'false', doc: 'True under `workflow run --check`.' },
];

/** The workflow language as one stub file. */
export function workflowLanguageStubs(): StubFile {
  return { aliases: ALIASES, classes: CLASSES, globals: GLOBALS };
}
