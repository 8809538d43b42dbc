/** An agent's labels as everyone sees them: its own, with those set on the master over them (null removes one). */
export function effectiveLabels(own: Record<string, string>, overrides: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = { ...own };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** The overrides after `agent label`: `set` adds or changes labels, `remove` removes them (the agent's own too). */
export function applyLabelChange(
  overrides: Record<string, string | null>,
  set: Record<string, string>,
  remove: readonly string[],
): Record<string, string | null> {
  const out: Record<string, string | null> = { ...overrides };
  for (const key of remove) out[key] = null;
  for (const [key, value] of Object.entries(set)) out[key] = value;
  return out;
}
