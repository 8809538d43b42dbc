/** How much of a piece of work's output agent_work keeps: its last this many characters. */
export const WORK_OUTPUT_TAIL = 64 * 1024;

/** How far past the cut a line break is looked for: a kept line starts whole unless it is longer than this. */
const LINE_SEARCH = 4096;

/**
 * The end of `text`, at most `max` characters: cut after a line break near the cut (a line is kept whole, and a secret
 * masked line by line is never cut in two), else at `max`, never inside a surrogate pair.
 */
export function keepTail(text: string, max = WORK_OUTPUT_TAIL): string {
  if (text.length <= max) return text;
  let cut = text.length - max;
  const nl = text.indexOf('\n', cut);
  if (nl >= 0 && nl < text.length - 1 && nl - cut < Math.min(LINE_SEARCH, max / 2)) return text.slice(nl + 1);
  const code = text.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut += 1;
  return text.slice(cut);
}
