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
