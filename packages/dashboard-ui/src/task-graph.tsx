import type { RunTaskState } from '@sloth/proto';

const NODE_W = 160;
const NODE_H = 30;
const GAP_X = 56;
const GAP_Y = 14;
/** Characters of a task's name shown in its box; the whole name is in its tooltip. */
const MAX_LABEL = 20;

/**
 * How deep each task sits: 0 without dependencies, else one more than its deepest dependency. The engine refuses
 * cycles; one here (a damaged record) is cut where it closes.
 */
function levels(tasks: RunTaskState[]): Map<string, number> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const deps = (byName.get(name)?.dependsOn ?? []).filter((d) => byName.has(d));
    const l = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(of));
    visiting.delete(name);
    level.set(name, l);
    return l;
  };
  for (const t of tasks) of(t.name);
  return level;
}

/**
 * A run's tasks as a graph in plain SVG: each task a box colored by its status, in columns by depth (a task right of
 * everything it depends on), an arrow from each dependency to its dependent.
 */
export function TaskGraph({ tasks }: { tasks: RunTaskState[] }) {
  const level = levels(tasks);
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const t of tasks) {
    const col = level.get(t.name) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    at.set(t.name, { x: col * (NODE_W + GAP_X), y: row * (NODE_H + GAP_Y) });
  }
  const width = (Math.max(0, ...level.values()) + 1) * (NODE_W + GAP_X) - GAP_X + 2;
  const height = Math.max(1, ...rows.values()) * (NODE_H + GAP_Y) - GAP_Y + 2;
  return (
    <svg class="task-graph" viewBox={`-1 -1 ${width} ${height}`} width={width} height={height} role="img" aria-label="Task graph">
      <defs>
        <marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M0,0 L8,4 L0,8 z" />
        </marker>
      </defs>
      {tasks.flatMap((t) =>
        t.dependsOn
          .filter((d) => at.has(d))
          .map((d) => {
            const from = at.get(d) as { x: number; y: number };
            const to = at.get(t.name) as { x: number; y: number };
            const x1 = from.x + NODE_W;
            const y1 = from.y + NODE_H / 2;
            const x2 = to.x;
            const y2 = to.y + NODE_H / 2;
            const mid = (x1 + x2) / 2;
            return (
              <path
                key={`${d}->${t.name}`}
                class="edge"
                data-graph-edge={`${d}->${t.name}`}
                d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
                marker-end="url(#arrow)"
              />
            );
          }),
      )}
      {tasks.map((t) => {
        const p = at.get(t.name) as { x: number; y: number };
        const label = t.name.length > MAX_LABEL ? `${t.name.slice(0, MAX_LABEL - 1)}…` : t.name;
        return (
          <g key={t.name} class={`node ${t.status}`} data-graph-task={t.name} data-status={t.status}>
            <title>
              {t.name}: {t.status}
            </title>
            <rect x={p.x} y={p.y} width={NODE_W} height={NODE_H} rx="5" />
            <text x={p.x + 10} y={p.y + NODE_H / 2 + 4}>
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
