import { arg, defineModule, didYouMean, fn, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { registerSecret, type SecretStore } from '@sloth/core/internal';

const nameArg = arg(
  'name',
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'expected a secret name (a letter or _, then letters, digits, _ . -)'),
  'the name it was set with (`sloth-runner secret set NAME`)',
);

/** The caller's secrets, opened on first use; a clear error when it has none or they cannot be opened. */
function secretsOf(ctx: ModuleCallContext): SecretStore {
  // A goroutine runs on another thread, whose masking the run's output never goes through: the value would show.
  if (ctx.services?.insideGoroutine) {
    throw new SlothError('usage', `${ctx.fn} is not available inside a goroutine`, {
      hint: 'read the secret in the task body and pass it to the goroutine (it is masked there too)',
    });
  }
  let store: SecretStore | undefined;
  try {
    store = ctx.services?.secrets;
  } catch (err) {
    // Opening them failed (a wrong passphrase, a missing key file): that error says what to do; it gains the caller.
    if (err instanceof SlothError) throw new SlothError(err.code, `${ctx.fn}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
  if (!store) {
    throw new SlothError('store', `${ctx.fn}: secrets need a data directory, and this caller has none`, {
      hint: 'run workflows with `sloth-runner workflow run` (secrets are kept in --data-dir, default $SLOTH_HOME or ~/.sloth-runner)',
    });
  }
  return store;
}

/** Runs a store call, naming the function in the error it raises (a wrong passphrase, a corrupt row). */
function call<T>(ctx: ModuleCallContext, fn: (store: SecretStore) => T): T {
  const store = secretsOf(ctx);
  try {
    return fn(store);
  } catch (err) {
    if (err instanceof SlothError) throw new SlothError(err.code, `${ctx.fn}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
}

/** The `secret` module: values set with `sloth-runner secret set`, masked as `***` wherever they would leave the run. */
export const secretModule = defineModule({
  name: 'secret',
  // Loaded in goroutines too, so that using it there says why it cannot be (see secretsOf).
  importFrom: import.meta.url,
  doc: 'Secrets set with `sloth-runner secret set`, stored encrypted in the data directory. A value read in a run is shown as *** in its logs, events, JSON output, diffs and errors.',
  functions: {
    get: fn({
      doc: 'The value of a secret. From then on the run masks it (***) wherever it would be shown or stored, also inside a longer string. An unknown name is an error that says how to set it.',
      args: [nameArg],
      returns: 'string',
      examples: ['local webhook = secret.get("slack_webhook_url")'],
      run: ([name], ctx) => {
        const value = call(ctx, (store) => {
          const found = store.get(name);
          if (found !== undefined) return found;
          throw new SlothError('not_found', `no secret '${name}'${didYouMean(name, store.names())}`, {
            hint: `set it with \`sloth-runner secret set ${name}\` (the value is read from stdin)`,
          });
        });
        registerSecret(value);
        return value;
      },
    }),
    exists: fn({
      doc: 'Whether a secret of that name is set (its value is not read).',
      args: [nameArg],
      returns: 'boolean',
      examples: ['if secret.exists("slack_webhook_url") then notify() end'],
      run: ([name], ctx) => call(ctx, (store) => store.has(name)),
    }),
  },
});
