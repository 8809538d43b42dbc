/** One check a task made (infra_test): what was checked, whether it held, and why not. */
export interface AssertionRecord {
  /** The call as people read it: `infra_test.port_is_listening(80)`. */
  name: string;
  passed: boolean;
  /** Why it failed (empty when it passed). */
  message: string;
}

/** A task's checks: how many passed and failed, and each one in the order made. */
export interface AssertionSummary {
  passed: number;
  failed: number;
  list: AssertionRecord[];
}

/** The summary of a task's checks, or undefined when it made none. */
export function summarizeAssertions(list: readonly AssertionRecord[]): AssertionSummary | undefined {
  if (list.length === 0) return undefined;
  const passed = list.filter((a) => a.passed).length;
  return { passed, failed: list.length - passed, list: [...list] };
}
