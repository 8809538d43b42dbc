import { registerSecret, type SecretStore, SlothError } from '@sloth/core/internal';

/**
 * The values of the secrets a delegated task's files name (`names`), read here, on the machine that runs the workflow,
 * for the agent to hold in memory while the task runs. Each is masked in this run from now on, as secret.get does. A
 * name that is not set is left out: the agent's secret.get then says so. Nothing is opened when no name is given.
 */
export function delegatedSecrets(task: string, names: string[], store: () => SecretStore | undefined): Record<string, string> {
  if (names.length === 0) return {};
  const out: Record<string, string> = {};
  try {
    const secrets = store();
    if (!secrets) return {};
    for (const name of names) {
      const value = secrets.get(name);
      if (value === undefined) continue;
      registerSecret(value);
      out[name] = value;
    }
  } catch (err) {
    if (err instanceof SlothError)
      throw new SlothError(err.code, `the secrets of delegated task '${task}': ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
  return out;
}
