import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { Confirm } from '../../lib/staff/Confirm';
import { errorText, errorCode } from '../../lib/staff/errors';
import type { Account, Role, StaffSession } from '../../lib/staff/types';

/** Props of StaffAccounts. */
export interface StaffAccountsProps {
  session: StaffSession;
  onError: (error: unknown) => void;
  onNotice: (text: string) => void;
}

// Errors an admin can put right in the form; the rest go to the page.
const formErrors = new Set(['username_taken', 'account_invalid', 'last_admin', 'account_not_found', 'invalid_input']);

const roleKey = { admin: 'admin.staff.role.admin', barista: 'admin.staff.role.barista' } as const;

// AccountRow is one account: its role and password can be changed, and it can be removed.
function AccountRow({
  account,
  isSelf,
  onChanged,
  onRemove,
  onError,
  onNotice,
}: {
  account: Account;
  isSelf: boolean;
  onChanged: (a: Account) => void;
  onRemove: (a: Account) => void;
  onError: (error: unknown) => void;
  onNotice: (text: string) => void;
}) {
  const [role, setRole] = useState<Role>(account.role);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => setRole(account.role), [account.role]);

  const patch = async (change: { role?: Role; password?: string }) => {
    setBusy(true);
    setError('');
    try {
      const updated = await api<Account>('PATCH', `/api/staff/${encodeURIComponent(account.id)}`, change);
      onChanged(updated);
      if (change.password !== undefined) {
        setPassword('');
        onNotice(t('admin.staff.passwordChanged', { name: account.username }));
      } else onNotice(t('admin.staff.roleChanged', { name: account.username, role: t(roleKey[updated.role]) }));
    } catch (err) {
      if (formErrors.has(errorCode(err))) setError(errorText(err));
      else onError(err);
      setRole(account.role);
    } finally {
      setBusy(false);
    }
  };

  const rowId = `account-${account.id}`;
  return (
    <li class="account">
      <h3 id={rowId}>
        {account.username}
        {isSelf && <span class="badge">{t('admin.staff.you')}</span>}
      </h3>
      <form
        class="account-form"
        aria-labelledby={rowId}
        onSubmit={(e) => {
          e.preventDefault();
          if (role !== account.role) void patch({ role });
        }}
      >
        <label class="field">
          <span>{t('admin.staff.role')}</span>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="barista">{t('admin.staff.role.barista')}</option>
            <option value="admin">{t('admin.staff.role.admin')}</option>
          </select>
        </label>
        <button type="submit" class="secondary" disabled={busy || role === account.role}>
          {t('admin.staff.changeRole')}
        </button>
      </form>
      <form
        class="account-form"
        aria-labelledby={rowId}
        onSubmit={(e) => {
          e.preventDefault();
          if (password) void patch({ password });
        }}
      >
        {/* Tells a password manager whose password this is. */}
        <input type="text" name="username" autocomplete="username" value={account.username} readOnly hidden />
        <label class="field">
          <span>{t('admin.staff.newPassword')}</span>
          <input
            type="password"
            autocomplete="new-password"
            minLength={8}
            maxLength={72}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="secondary" disabled={busy || password === ''}>
          {t('admin.staff.setPassword')}
        </button>
      </form>
      <button type="button" class="danger" disabled={busy} onClick={() => onRemove(account)}>
        {t('admin.staff.remove', { name: account.username })}
      </button>
      <p class="form-error" role="alert">
        {error}
      </p>
    </li>
  );
}

/** StaffAccounts lists the staff accounts and adds, changes and removes them. */
export function StaffAccounts({ session, onError, onNotice }: StaffAccountsProps) {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('barista');
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState('');
  const [removing, setRemoving] = useState<Account | null>(null);
  const [removeError, setRemoveError] = useState('');

  const load = useCallback(async () => {
    try {
      const { accounts: list } = await api<{ accounts: Account[] }>('GET', '/api/staff');
      setAccounts(list);
    } catch (error) {
      onError(error);
    }
  }, [onError]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (e: Event) => {
    e.preventDefault();
    setAdding(true);
    setAddError('');
    try {
      const account = await api<Account>('POST', '/api/staff', { username: username.trim(), role, password });
      setAccounts((list) => [...(list ?? []), account]);
      setUsername('');
      setPassword('');
      onNotice(t('admin.staff.added', { name: account.username }));
    } catch (error) {
      if (formErrors.has(errorCode(error))) setAddError(errorText(error));
      else onError(error);
    } finally {
      setAdding(false);
    }
  };

  const remove = async (account: Account) => {
    setRemoving(null);
    setRemoveError('');
    try {
      await api<void>('DELETE', `/api/staff/${encodeURIComponent(account.id)}`);
      setAccounts((list) => (list ?? []).filter((a) => a.id !== account.id));
      onNotice(t('admin.staff.removed', { name: account.username }));
    } catch (error) {
      if (formErrors.has(errorCode(error))) setRemoveError(`${account.username}: ${errorText(error)}`);
      else onError(error);
    }
  };

  return (
    <section aria-labelledby="staff-title">
      <h2 id="staff-title">{t('admin.staff.title')}</h2>
      <p class="form-error" role="alert">
        {removeError}
      </p>
      {accounts === null ? (
        <p>{t('staff.loading')}</p>
      ) : (
        <ul class="accounts">
          {accounts.map((a) => (
            <AccountRow
              key={a.id}
              account={a}
              isSelf={a.username === session.username}
              onChanged={(u) => setAccounts((list) => (list ?? []).map((x) => (x.id === u.id ? u : x)))}
              onRemove={(x) => {
                setRemoveError('');
                setRemoving(x);
              }}
              onError={onError}
              onNotice={onNotice}
            />
          ))}
        </ul>
      )}

      <form class="add-account" onSubmit={add} aria-labelledby="add-account-title">
        <h3 id="add-account-title">{t('admin.staff.addTitle')}</h3>
        <div class="field">
          <label for="add-username">{t('admin.staff.username')}</label>
          <input
            id="add-username"
            required
            autocapitalize="none"
            spellcheck={false}
            autocomplete="off"
            value={username}
            aria-describedby="add-username-hint"
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <span class="hint" id="add-username-hint">
            {t('admin.staff.usernameHint')}
          </span>
        </div>
        <label class="field">
          <span>{t('admin.staff.role')}</span>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="barista">{t('admin.staff.role.barista')}</option>
            <option value="admin">{t('admin.staff.role.admin')}</option>
          </select>
        </label>
        <div class="field">
          <label for="add-password">{t('admin.staff.password')}</label>
          <input
            id="add-password"
            type="password"
            required
            minLength={8}
            maxLength={72}
            autocomplete="new-password"
            value={password}
            aria-describedby="add-password-hint"
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <span class="hint" id="add-password-hint">
            {t('admin.staff.passwordHint')}
          </span>
        </div>
        <p class="form-error" role="alert">
          {addError}
        </p>
        <button type="submit" disabled={adding}>
          {t('admin.staff.add')}
        </button>
      </form>

      {removing && (
        <Confirm
          title={t('admin.staff.removeTitle', { name: removing.username })}
          confirmLabel={t('admin.staff.removeYes')}
          danger
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        >
          <p>{t('admin.staff.removeBody')}</p>
        </Confirm>
      )}
    </section>
  );
}
