import type { WatchSecretsResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { ConfirmDelete } from './confirm-delete.js';
import { formatTime } from './format.js';
import { TextField } from './text-field.js';
import { OutcomeNote, useAction } from './use-action.js';
import { latest, useStream } from './use-stream.js';

/**
 * The Secrets screen: the data directory's secrets by name with their dates (never a value: the server sends none), a
 * form that sets one (its value typed in a password box, sent once and then cleared from the page), and on each, a
 * delete done once its name is typed again.
 */
export function Secrets({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchSecrets({}, { signal }),
    latest<WatchSecretsResponse>,
    [],
    onUnauthenticated,
  );
  const [deleting, setDeleting] = useState<string | undefined>();
  const { outcome, act } = useAction(onUnauthenticated);
  const secrets = value?.secrets ?? [];
  return (
    <section>
      <h2>Secrets</h2>
      {error && <p class="error">{error}</p>}
      <SetSecretForm act={act} />
      <OutcomeNote outcome={outcome} />
      {value && secrets.length === 0 && <p class="empty">No secret is set in this data directory yet.</p>}
      {secrets.length > 0 && (
        <table class="secrets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {secrets.map((s) => (
              <tr key={s.name} data-secret={s.name}>
                <td>{s.name}</td>
                <td data-created={String(s.createdAtMs)}>{formatTime(s.createdAtMs)}</td>
                <td data-updated={String(s.updatedAtMs)}>{formatTime(s.updatedAtMs)}</td>
                <td>
                  {deleting === s.name ? (
                    <ConfirmDelete
                      name={s.name}
                      label={`Type ${s.name} to delete it (workflows that read it will fail)`}
                      ariaLabel="Name of the secret to delete"
                      remove={async () => {
                        await dashboard.deleteSecret({ name: s.name });
                        return `deleted secret '${s.name}'`;
                      }}
                      act={act}
                      onClose={() => setDeleting(undefined)}
                    />
                  ) : (
                    <button type="button" class="danger" onClick={() => setDeleting(s.name)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Sets a secret: its name, and its value in a password box (not shown, not kept by the page once sent). */
function SetSecretForm({ act }: { act: (what: () => Promise<string>) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        const n = name.trim();
        void act(async () => {
          await dashboard.setSecret({ name: n, value: secret });
          setName('');
          setSecret('');
          return `set secret '${n}'`;
        });
      }}
    >
      <TextField label="Secret name" name="name" autocomplete="off" value={name} onChange={setName} />
      <TextField label="Value" name="value" type="password" autocomplete="new-password" value={secret} onChange={setSecret} />
      <button type="submit" disabled={name.trim() === '' || secret === ''}>
        Set
      </button>
    </form>
  );
}
