// The environment variables that steer `pnpm bench` (bench/ is not a turbo task, so turbo.json does not list them).

/** BENCH_SKIP_ANSIBLE=1: skip the ~100 s Ansible reference and report it as "skipped". */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by bench/run.mjs only, not by a turbo task
export const skipAnsible = process.env.BENCH_SKIP_ANSIBLE === '1';

/** BENCH_ONLY=exec,noop,fib,startup: run a subset (RESULTS.md is then not rewritten). */
export const onlyCases =
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by bench/run.mjs only, not by a turbo task
  process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
