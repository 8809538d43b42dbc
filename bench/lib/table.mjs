// Markdown tables and number formatting.

/** A GitHub-flavoured markdown table, columns padded to equal width (as biome formats markdown); pipes escaped. */
export function markdownTable(headers, rows) {
  const cell = (v) =>
    String(v ?? '')
      .replaceAll('|', '\\|')
      .replaceAll('\n', ' ');
  const all = [headers, ...rows].map((r) => r.map(cell));
  const len = (s) => [...s].length;
  const widths = headers.map((_, i) => Math.max(3, ...all.map((r) => len(r[i] ?? ''))));
  const line = (r) => `| ${widths.map((w, i) => (r[i] ?? '') + ' '.repeat(w - len(r[i] ?? ''))).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
}

/** Milliseconds for humans: "1234 ms", "12.3 ms", "0.456 ms"; "–" when not a number. */
export function ms(v) {
  if (!Number.isFinite(v)) return '–';
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(3)} ms`;
}

/** A ratio such as "1.23x"; "–" when not a number. */
export function ratio(v) {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? `${Math.round(v)}x` : `${v.toFixed(2)}x`;
}

/** "yes" / "NO" / "–" (unknown). */
export function met(ok) {
  if (ok === undefined || ok === null) return '–';
  return ok ? 'yes' : 'NO';
}

/** `spread` of what `stat` (measure.mjs) made of millisecond samples. */
export function statCell(s) {
  return spread(s.med, s.lo, s.hi, s.n);
}

/** "median (min–max, n=N)" of a list of millisecond samples. */
export function spread(med, lo, hi, n) {
  if (!Number.isFinite(med)) return '–';
  return n > 1 ? `${ms(med)} (${ms(lo)}–${ms(hi)}, n=${n})` : ms(med);
}
