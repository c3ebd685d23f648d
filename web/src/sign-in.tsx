import { useState, type FormEvent } from 'react';
import { ApiError, NoAnswerError, whoIs } from './api';
import type { Session } from './session';

// Sign in with an API key. The key is checked against the service (GET /me), which also
// says its role, and kept for this browser tab only.

export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim()) {
      setProblem('Enter your API key.');
      return;
    }
    setPending(true);
    setProblem(null);
    try {
      const me = await whoIs(key.trim());
      onSignedIn({ key: key.trim(), ...me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setProblem('The service does not know this API key.');
      else if (error instanceof NoAnswerError) setProblem(error.message);
      else setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setPending(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Incident Ledger</h1>
      <p className="lead">The desk: every claim, retraction and statement about an incident, on the record.</p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} noValidate aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">Sign in</h2>
        <div className={`field${problem ? ' field-invalid' : ''}`}>
          <label htmlFor="api-key">API key</label>
          <span className="hint" id="api-key-hint">
            Kept in this browser tab only, until you sign out or close it.
          </span>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(event) => setKey(event.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'api-key-hint api-key-error' : 'api-key-hint'}
          />
          {problem && (
            <span className="field-error" id="api-key-error" role="alert">
              {problem}
            </span>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={pending}>
            {pending ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
