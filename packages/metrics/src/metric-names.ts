import { SlothError } from '@sloth/core';

/** Prometheus metric and label names (colons are for recording rules, so left out here). */
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws an invalid_argument error naming `name` when it is not a valid Prometheus metric name. */
export function checkMetricName(name: string, where: string): void {
  if (!NAME.test(name)) {
    throw new SlothError('invalid_argument', `${where}: '${name}' is not a valid metric name`, {
      hint: 'use letters, digits and _, not starting with a digit (Prometheus naming rules), e.g. deploys_total',
    });
  }
}

/** Throws when `label` is not a valid Prometheus label name, or one Prometheus reserves (__*, le, quantile). */
export function checkLabelName(label: string, where: string): void {
  if (!NAME.test(label) || label.startsWith('__') || label === 'le' || label === 'quantile') {
    throw new SlothError('invalid_argument', `${where}: '${label}' is not a valid label name`, {
      hint: 'use letters, digits and _, not starting with a digit or __; le and quantile are reserved',
    });
  }
}

/** Name prefixes of Sloth Runner's own families: a workflow's metric named like them would collide on /metrics. */
const RESERVED = ['agent_', 'agents', 'rpc_', 'work_', 'event_', 'events_', 'hook_', 'process_', 'nodejs_'];

/**
 * The name a workflow's metric is exported under: `sloth_` + `name` (a name that already starts with `sloth_` is kept),
 * after checking it is a valid Prometheus name and not one of Sloth Runner's own families.
 */
export function customMetricName(name: string, where: string): string {
  checkMetricName(name, where);
  const bare = name.startsWith('sloth_') ? name.slice('sloth_'.length) : name;
  const clash = RESERVED.find((p) => bare.startsWith(p));
  if (clash !== undefined || bare === '') {
    throw new SlothError('invalid_argument', `${where}: '${name}' is reserved for Sloth Runner's own metrics`, {
      hint: `choose a name that does not start with ${RESERVED.map((p) => `sloth_${p}`).join(', ')} (e.g. deploys_total)`,
    });
  }
  return `sloth_${bare}`;
}
