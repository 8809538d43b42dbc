// Turns case results into the markdown printed to stdout and written to bench/RESULTS.md.
import { markdownTable, met } from './table.mjs';

export function summaryTable(cases) {
  const rows = cases.flatMap((c) => c.summary.map((s) => [s.benchmark, s.sloth, s.reference, s.ratio, s.target, met(s.met)]));
  return markdownTable(['benchmark', 'sloth-runner', 'reference', 'ratio', 'target', 'met?'], rows);
}

export function caseSection(c) {
  const parts = [`### ${c.title}`, '', markdownTable(c.headers, c.rows)];
  for (const x of c.extra ?? []) {
    parts.push('', `**${x.title}**`, '');
    parts.push(x.rows ? markdownTable(x.headers, x.rows) : x.text);
  }
  return parts.join('\n');
}

export function resultsMarkdown({ machine, cases, totalMs, skippedAnsible, loadAtEnd }) {
  const toolLines = Object.entries(machine.tools).map(([k, v]) => `- ${k}: ${v}`);
  return [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (bench/run.mjs); the latest run replaces this file. Do not edit by hand.',
    '',
    `- Date: ${machine.date}`,
    `- Machine: nproc ${machine.nproc}, ${machine.cpu}, ${machine.memGiB} GiB RAM, ${machine.os}`,
    `- Node: ${machine.node}`,
    ...toolLines,
    `- Load average (1 min) at start / end: ${machine.loadAtStart} / ${loadAtEnd} (on ${machine.nproc} cores; anything else running skews the numbers)`,
    `- Whole run: ${(totalMs / 1000).toFixed(0)} s${skippedAnsible ? ' (Ansible skipped)' : ''}`,
    '',
    'Ratios are sloth-runner / reference (lower is better) unless said otherwise; "median (min–max, n)" over repeated runs, Ansible once.',
    '',
    '## Summary',
    '',
    summaryTable(cases),
    '',
    '## Interpretation',
    '',
    ...cases.flatMap((c) => c.notes.filter(Boolean).map((n) => `- ${n}`)),
    '',
    '## Details',
    '',
    cases.map(caseSection).join('\n\n'),
    '',
  ].join('\n');
}
