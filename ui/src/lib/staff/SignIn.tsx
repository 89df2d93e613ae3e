import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { errorText } from './errors';
import { signIn } from './session';
import type { StaffSession } from './types';

/** Props of SignIn. */
export interface SignInProps {
  /** Called with the new session once the kiosk has accepted the name and password. */
  onSignedIn: (session: StaffSession) => void;
}

/** SignIn is the staff sign-in form of the barista and admin apps. */
export function SignIn({ onSignedIn }: SignInProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const session = await signIn(username.trim(), password);
      setPassword('');
      onSignedIn(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="staff-signin" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">{t('staff.signIn.title')}</h2>
      <label>
        <span>{t('staff.signIn.username')}</span>
        <input
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>{t('staff.signIn.password')}</span>
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <p class="form-error" role="alert">
        {error}
      </p>
      <button type="submit" disabled={busy}>
        {busy ? t('staff.signIn.busy') : t('staff.signIn.submit')}
      </button>
    </form>
  );
}
