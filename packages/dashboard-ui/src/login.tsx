import { useState } from 'preact/hooks';
import { logIn } from './session.js';

/** The login page: the master's token, checked by the server, which answers with an httpOnly session cookie. */
export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await logIn(token);
      setToken('');
      onLoggedIn();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="login" onSubmit={submit}>
      <h1>Sloth Runner</h1>
      <label for="token">Token of the master</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="current-password"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        required
      />
      <button type="submit" disabled={busy}>
        Log in
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
