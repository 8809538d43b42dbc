import { SlothError } from './errors.js';

/** An agent as a run sees it when choosing where to send work: its labels and its last reported load. */
export interface AgentSummary {
  name: string;
  active: boolean;
  labels: Record<string, string>;
  /** 1-minute load average over CPUs, as a percentage. */
  cpuPercent: number;
  memoryPercent: number;
  /** Work it is running now. */
  runningWork: number;
}

export const SELECTION_STRATEGIES = ['least_loaded', 'round_robin', 'weighted', 'random'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

/** How to choose agents: which qualify (labels, constraints), how many, and in what order (strategy, weights). */
export interface AgentSelection {
  labels?: Record<string, string> | undefined;
  /** Pick this many; absent: every agent that qualifies. */
  count?: number | undefined;
  strategy?: SelectionStrategy | undefined;
  criteria?: { cpuWeight?: number; memoryWeight?: number; queueWeight?: number } | undefined;
  constraints?: { maxCpuPercent?: number; maxMemoryPercent?: number; maxQueueSize?: number } | undefined;
}

// Round robin turns per set of labels, for the life of this process (one run: its tasks spread evenly).
const turns = new Map<string, number>();

/** A load score: lower is less loaded (weights default to CPU and queue alike, memory less). */
function score(a: AgentSummary, criteria: AgentSelection['criteria'] = {}): number {
  const { cpuWeight = 1, memoryWeight = 0.5, queueWeight = 1 } = criteria;
  return cpuWeight * a.cpuPercent + memoryWeight * a.memoryPercent + queueWeight * 100 * a.runningWork;
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/**
 * The agents `selection` picks among `agents`: active ones with every label asked, within the constraints; all of
 * them, or `count` of them in the strategy's order. None qualifying is an error naming what was asked and what exists.
 */
export function selectAgents(
  agents: readonly AgentSummary[],
  selection: AgentSelection,
  random: () => number = Math.random,
): string[] {
  const labels = selection.labels ?? {};
  const labelled = agents.filter((a) => a.active && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  const c = selection.constraints ?? {};
  const qualified = labelled.filter(
    (a) =>
      (c.maxCpuPercent === undefined || a.cpuPercent <= c.maxCpuPercent) &&
      (c.maxMemoryPercent === undefined || a.memoryPercent <= c.maxMemoryPercent) &&
      (c.maxQueueSize === undefined || a.runningWork <= c.maxQueueSize),
  );
  if (qualified.length === 0) {
    const wanted = Object.keys(labels).length > 0 ? `with labels ${labelText(labels)}` : '';
    const why =
      labelled.length > 0
        ? `${labelled.length} active agent(s) ${wanted} are over the constraints`
        : `no active agent ${wanted || 'at all'}`;
    const known = agents.map(
      (a) => `${a.name}${a.active ? '' : ' (inactive)'}${Object.keys(a.labels).length ? ` [${labelText(a.labels)}]` : ''}`,
    );
    throw new SlothError('not_found', `cannot choose an agent: ${why}`.trim(), {
      hint: known.length ? `the master's agents: ${known.join(', ')}` : 'no agent is registered with the master',
    });
  }
  if (selection.count === undefined) return qualified.map((a) => a.name);
  const n = Math.min(selection.count, qualified.length);
  const strategy = selection.strategy ?? 'least_loaded';
  const byName = [...qualified].sort((a, b) => a.name.localeCompare(b.name));
  if (strategy === 'round_robin') {
    const key = labelText(labels);
    const start = turns.get(key) ?? 0;
    turns.set(key, start + n);
    return Array.from({ length: n }, (_, i) => (byName[(start + i) % byName.length] as AgentSummary).name);
  }
  if (strategy === 'random')
    return shuffle(byName, random)
      .slice(0, n)
      .map((a) => a.name);
  if (strategy === 'weighted') {
    // Less loaded agents are more likely, not certain: chosen one by one with weight 1 / (1 + score).
    const pool = [...byName];
    const out: string[] = [];
    while (out.length < n) {
      const weights = pool.map((a) => 1 / (1 + score(a, selection.criteria)));
      let r = random() * weights.reduce((sum, w) => sum + w, 0);
      let at = pool.length - 1;
      for (let k = 0; k < weights.length; k++) {
        r -= weights[k] as number;
        if (r < 0) {
          at = k;
          break;
        }
      }
      out.push((pool.splice(at, 1)[0] as AgentSummary).name);
    }
    return out;
  }
  return byName
    .sort((a, b) => score(a, selection.criteria) - score(b, selection.criteria))
    .slice(0, n)
    .map((a) => a.name);
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
