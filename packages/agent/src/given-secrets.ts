import { registerSecret, type SecretStore, SlothError } from '@sloth/core/internal';

/**
 * The secrets sent with the delegated tasks of one run (RunTask.secrets), in memory only, while one of those tasks
 * runs (or its file loads): secret.get reads them here, never from this machine's data directory, and each value is
 * masked in what this agent sends or stores while it is held. When the last task holding a value ends, it is gone.
 */
export class GivenSecrets implements SecretStore {
  private readonly held = new Map<string, { value: string; users: number }>();

  /** Holds `secrets` (masking them) until the function returned is called. */
  hold(secrets: Readonly<Record<string, string>>): () => void {
    const releases: (() => void)[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      const h = this.held.get(name);
      if (h && h.value === value) h.users += 1;
      else this.held.set(name, { value, users: 1 });
      releases.push(registerSecret(value));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases) release();
      for (const name of Object.keys(secrets)) {
        const h = this.held.get(name);
        if (!h) continue;
        h.users -= 1;
        if (h.users <= 0) this.held.delete(name);
      }
    };
  }

  get(name: string): string {
    const h = this.held.get(name);
    if (h) return h.value;
    throw new SlothError('not_found', `secret '${name}' was not sent with this delegated task`, {
      hint: `the machine that runs the workflow sends the secrets its files name as literals (secret.get("${name}")) and that are set there (\`sloth-runner secret set ${name}\`); a name built at run time cannot be sent`,
    });
  }

  has(name: string): boolean {
    return this.held.has(name);
  }

  names(): string[] {
    return [...this.held.keys()].sort();
  }
}
