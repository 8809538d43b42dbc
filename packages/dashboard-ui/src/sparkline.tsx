/**
 * Lines of values over time in plain SVG: `max` is the top of the scale (values above it stretch it); a null value is a
 * gap (no line drawn across it). `second` is another line on the same scale.
 */
export function Sparkline({
  values,
  second,
  max,
  label,
  width = 320,
  height = 64,
}: {
  values: (number | null)[];
  second?: (number | null)[] | undefined;
  max: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const known = [...values, ...(second ?? [])].filter((v): v is number => v !== null);
  const top = Math.max(max, ...known, Number.EPSILON);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => (height - (v / top) * height).toFixed(1);
  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      <rect x="0" y="0" width={width} height={height} class="frame" />
      <Line values={values} step={step} y={y} kind="first" />
      {second && <Line values={second} step={step} y={y} kind="second" />}
    </svg>
  );
}

/** One line, in runs between its gaps: a run of one value is a dot. */
function Line({
  values,
  step,
  y,
  kind,
}: {
  values: (number | null)[];
  step: number;
  y: (v: number) => string;
  kind: 'first' | 'second';
}) {
  const runs: { x: number; v: number }[][] = [];
  let run: { x: number; v: number }[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push({ x: i * step, v });
  });
  if (run.length > 0) runs.push(run);
  return (
    <g class={`line ${kind}`}>
      {runs.map((r) =>
        r.length === 1 ? (
          <circle key={r[0]?.x} cx={(r[0]?.x ?? 0).toFixed(1)} cy={y(r[0]?.v ?? 0)} r="2" />
        ) : (
          <polyline key={r[0]?.x} points={r.map((p) => `${p.x.toFixed(1)},${y(p.v)}`).join(' ')} />
        ),
      )}
    </g>
  );
}

/** What each line of a two-line chart is, in the lines' colours. */
export function Legend({ names }: { names: [string, string] }) {
  return (
    <span class="legend">
      <i class="first" /> {names[0]} <i class="second" /> {names[1]}
    </span>
  );
}
