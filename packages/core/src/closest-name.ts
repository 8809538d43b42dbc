/**
 * Edit distance for "did you mean" hints: insertions, deletions, substitutions and swaps of two neighbouring
 * characters each count 1 (`biuld` is one edit from `build`: the typo people make most).
 */
export function editDistance(a: string, b: string): number {
  // Three rows: the one before the previous is needed for swaps.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * How many edits still make a plausible typo of a name of `length` characters: 1 up to 5 characters, a third of
 * the length beyond. A fixed bound suggested `log` for `pkg` and `a` for `zz`.
 */
function allowedEdits(length: number): number {
  return Math.max(1, Math.floor(length / 3));
}

/**
 * The candidate nearest to `name`, if it is near enough to be a plausible typo: within a few edits relative to the
 * name's length (never replacing every character of the shorter one), else the shortest candidate that starts with
 * the name or that the name starts with (3 characters at least: `exe` -> `exec`, `logger` -> `log`).
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let prefixed: string | undefined;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const d = editDistance(wanted, lower);
    if (d < bestDistance && d <= allowedEdits(wanted.length) && d < Math.min(wanted.length, lower.length)) {
      best = candidate;
      bestDistance = d;
    }
    const shorter = Math.min(wanted.length, lower.length);
    // A name that adds a word to a candidate (`terraform_plan_task`, `fs_tools`) is another name, not a typo of it.
    const addsWord = wanted.startsWith(lower) && /[_.-]/.test(wanted[lower.length] ?? '');
    if (shorter >= 3 && lower !== wanted && !addsWord && (lower.startsWith(wanted) || wanted.startsWith(lower))) {
      if (prefixed === undefined || candidate.length < prefixed.length) prefixed = candidate;
    }
  }
  return best ?? prefixed;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closestName(name, candidates);
  return best ? ` (did you mean '${best}'?)` : '';
}
