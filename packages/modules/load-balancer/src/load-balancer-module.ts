import {
  type AgentSelection,
  type AgentSummary,
  arg,
  defineModule,
  fn,
  luaList,
  luaTable,
  type ModuleCallContext,
  SELECTION_STRATEGIES,
  SlothError,
  selectAgents,
  strictTable,
  z,
} from '@sloth/core/internal';

const labels = luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)));
const percent = z.number().min(0);

const selectShape = {
  strategy: z.enum(SELECTION_STRATEGIES).optional(),
  criteria: strictTable({
    cpu_weight: z.number().min(0).optional(),
    memory_weight: z.number().min(0).optional(),
    queue_weight: z.number().min(0).optional(),
  }).optional(),
  constraints: strictTable({
    max_cpu_percent: percent.optional(),
    max_memory_percent: percent.optional(),
    max_queue_size: z.number().int().min(0).optional(),
  }).optional(),
};

const selectOptions = strictTable({ ...selectShape, affinity: strictTable({ labels: labels.optional() }).optional() });
/** `:delegate_to({ labels = ..., count = 2 })`: every agent with the labels, or `count` (`one = true`: 1) of them. */
const delegateOptions = strictTable({
  ...selectShape,
  labels: labels,
  count: z.number().int().min(1).optional(),
  one: z.boolean().optional(),
  /** Agents not to choose (a task replacing agents that failed passes those it tried). */
  exclude: luaList(z.array(z.string())).optional(),
});

type SelectOptions = z.output<typeof selectOptions>;

function selectionOf(
  o: Omit<SelectOptions, 'affinity'>,
  wanted: Record<string, string> | undefined,
  count?: number,
): AgentSelection {
  return {
    labels: wanted,
    count,
    strategy: o.strategy,
    criteria: o.criteria && {
      cpuWeight: o.criteria.cpu_weight,
      memoryWeight: o.criteria.memory_weight,
      queueWeight: o.criteria.queue_weight,
    },
    constraints: o.constraints && {
      maxCpuPercent: o.constraints.max_cpu_percent,
      maxMemoryPercent: o.constraints.max_memory_percent,
      maxQueueSize: o.constraints.max_queue_size,
    },
  };
}

/** The master's agents (through the run's link to it). */
async function agentsOf(ctx: ModuleCallContext): Promise<AgentSummary[]> {
  const list = ctx.services?.delegate?.listAgents;
  if (!list) {
    throw new SlothError('usage', `${ctx.fn}: choosing agents needs a master, but this run has none`, {
      hint: 'run it with `workflow run --master HOST:PORT` (or set $SLOTH_MASTER)',
    });
  }
  return list.call(ctx.services?.delegate);
}

const selectAgent = fn({
  doc:
    "Chooses one active agent from the master's agents: those with the affinity labels, within the constraints " +
    '(CPU and memory percent from their last heartbeat, work running now), by strategy: least_loaded (default: ' +
    'lowest cpu_weight x CPU% + memory_weight x memory% + queue_weight x 100 x running work; weights 1, 0.5, 1), ' +
    'round_robin (in turn, per set of labels, for the run), weighted (at random, less loaded more likely) or random. ' +
    'None qualifying is an error naming the agents there are.',
  args: [
    arg(
      'opts',
      selectOptions.optional(),
      '{ strategy, criteria = { cpu_weight, memory_weight, queue_weight }, constraints = { max_cpu_percent, max_memory_percent, max_queue_size }, affinity = { labels = {...} } }',
    ),
  ],
  returns: 'the agent name',
  examples: [
    'task("build"):delegate_to(function()\n  return load_balancer.select_agent({ strategy = "least_loaded", affinity = { labels = { role = "build" } }, constraints = { max_cpu_percent = 80 } })\nend):command(function() ... end):build()',
  ],
  run: async ([opts = {}], ctx) => selectAgents(await agentsOf(ctx), selectionOf(opts, opts.affinity?.labels, 1))[0],
});

const agents = fn({
  doc: "The master's agents with those labels (all without), with their load: { name, active, labels, cpu_percent, memory_percent, running_work }.",
  args: [arg('opts', strictTable({ labels: labels.optional() }).optional(), '{ labels = {...} }')],
  returns: 'a list of { name, active, labels, cpu_percent, memory_percent, running_work }',
  examples: [
    'for _, a in ipairs(load_balancer.agents({ labels = { role = "web" } })) do log.info(a.name .. " " .. a.cpu_percent) end',
  ],
  run: async ([opts], ctx) => {
    const wanted = opts?.labels ?? {};
    return (await agentsOf(ctx))
      .filter((a) => Object.entries(wanted).every(([k, v]) => a.labels[k] === v))
      .map((a) => ({
        name: a.name,
        active: a.active,
        labels: a.labels,
        cpu_percent: Math.round(a.cpuPercent * 10) / 10,
        memory_percent: Math.round(a.memoryPercent * 10) / 10,
        running_work: a.runningWork,
      }));
  },
});

const choose = fn({
  doc:
    'The agents a :delegate_to({ labels = ... }) runs on: every active agent with those labels, or count of them ' +
    '(one = true: one), chosen by strategy (default least_loaded) within the constraints, as select_agent; none of ' +
    'those in exclude.',
  args: [arg('opts', delegateOptions, '{ labels = {...}, count, one, strategy, criteria, constraints, exclude = {...} }')],
  examples: ['local web = load_balancer.choose({ labels = { role = "web" } })'],
  returns: 'a list of agent names',
  run: async ([opts], ctx) => {
    const excluded = new Set(opts.exclude ?? []);
    const candidates = (await agentsOf(ctx)).filter((a) => !excluded.has(a.name));
    return selectAgents(candidates, selectionOf(opts, opts.labels, opts.one ? 1 : opts.count));
  },
});

/** The `load_balancer` module: agents by labels and load. */
export const loadBalancerModule = defineModule({
  name: 'load_balancer',
  importFrom: import.meta.url,
  doc: 'Choose agents by labels and by the load they report in heartbeats (CPU, memory, running work). Used by :delegate_to({ labels = {...} }) (every agent with those labels; count = N or one = true picks among them, least loaded first unless strategy says otherwise) and from a :delegate_to function. Needs a master (workflow run --master).',
  functions: { select_agent: selectAgent, agents, choose },
});
