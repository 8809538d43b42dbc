// Reading a V8 .cpuprofile (node --cpu-prof): self time per function, and a few named totals.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The newest .cpuprofile in `dir`, parsed. */
export function readProfile(dir) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, files[files.length - 1]), 'utf8'));
}

/** Self time in ms per "functionName url" key, plus the total sampled time. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byKey = new Map();
  let totalUs = 0;
  for (const [id, us] of self) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url}`;
    byKey.set(key, (byKey.get(key) ?? 0) + us);
    totalUs += us;
  }
  return { totalMs: totalUs / 1000, ms: (pred) => [...byKey].filter(([k]) => pred(k)).reduce((a, [, us]) => a + us / 1000, 0) };
}

/** A --import preload that prints the process's peak RSS to stderr at exit, as BENCH_MAXRSS_KB=N. */
export const RSS_PRELOAD = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nBENCH_MAXRSS_KB="+process.resourceUsage().maxRSS+"\\n"))`;

export function maxRssMb(stderr) {
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
