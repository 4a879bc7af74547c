/** Sign-in with an API token: it is checked with one query before the console opens, and kept for this tab only. */
import { useState, type FormEvent } from 'react';
import { createApi } from '../api';
import { useAction } from '../hooks';
import { Alert } from '../ui';

export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const check = useAction(async (candidate: string) => {
    const api = createApi(candidate);
    try {
      await api.request('{ connections { system } }');
    } finally {
      api.close();
    }
    onSignedIn(candidate);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void check.run(token.trim());
  };
  return (
    <main className="sign-in">
      <h1>rostergate console</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input id="token" type="password" autoComplete="off" required value={token} onChange={(event) => setToken(event.target.value)} />
        <p className="hint">
          Printed by <code>npm start</code>, or issued with <code>rostergate token create</code>. Kept for this browser tab only.
        </p>
        <button type="submit" disabled={check.pending}>
          Sign in
        </button>
        <Alert error={check.error} />
      </form>
    </main>
  );
}
