/** A line of values over time in plain SVG: `max` is the top of the scale (values above it stretch it). */
export function Sparkline({
  values,
  max,
  label,
  width = 320,
  height = 64,
}: {
  values: number[];
  max: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const top = Math.max(max, ...values, Number.EPSILON);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / top) * height).toFixed(1)}`).join(' ');
  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      <rect x="0" y="0" width={width} height={height} class="frame" />
      {values.length === 1 ? (
        <circle cx="0" cy={height - ((values[0] as number) / top) * height} r="2" />
      ) : (
        <polyline points={points} />
      )}
    </svg>
  );
}
