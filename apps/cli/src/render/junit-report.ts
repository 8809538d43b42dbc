import type { RunResult, TaskResult } from '@sloth/core';

/** Text for an XML attribute or element. */
const xml = (text: string) =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot hold these characters at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML of a run for CI systems (`workflow run --junit FILE`): one <testsuite> per task, holding a <testcase> for
 * the task itself (its status) and one for each check it made (infra_test). A failed check is a <failure>; a task that
 * failed, timed out or was aborted is a <failure> of its own test case; a skipped task is <skipped>.
 */
export function junitReport(result: RunResult): string {
  const suites = result.tasks.map((t) => suite(result.workflow, t));
  const total = (key: 'tests' | 'failures' | 'skipped') => suites.reduce((n, s) => n + s[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(result.workflow)}" tests="${total('tests')}" failures="${total('failures')}" errors="0" skipped="${total('skipped')}" time="${seconds(result.durationMs)}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(workflow: string, t: TaskResult) {
  const classname = xml(`${workflow}.${t.name}`);
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const own = `    <testcase classname="${classname}" name="${xml(`task ${t.name}`)}" time="${seconds(t.durationMs)}"`;
  if (t.status === 'success') cases.push(`${own}/>`);
  else if (t.status === 'skipped') {
    skipped += 1;
    cases.push(`${own}>\n      <skipped message="${xml(t.error ?? t.message ?? t.skipReason ?? 'skipped')}"/>\n    </testcase>`);
  } else {
    failures += 1;
    const why = t.error ?? t.status;
    cases.push(
      `${own}>\n      <failure type="${xml(t.errorCode ?? t.status)}" message="${xml(why.split('\n')[0] ?? why)}">${xml(why)}</failure>\n    </testcase>`,
    );
  }
  for (const a of t.assertions?.list ?? []) {
    const head = `    <testcase classname="${classname}" name="${xml(a.name)}" time="0"`;
    if (a.passed) cases.push(`${head}/>`);
    else {
      failures += 1;
      cases.push(
        `${head}>\n      <failure type="assertion" message="${xml(a.message)}">${xml(a.message)}</failure>\n    </testcase>`,
      );
    }
  }
  const tests = cases.length;
  return {
    tests,
    failures,
    skipped,
    xml: [
      `  <testsuite name="${xml(t.name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(t.durationMs)}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n'),
  };
}
