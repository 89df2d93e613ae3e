import { t } from '../../lib/i18n';
import { useStaffSession } from '../../lib/staff/hooks';
import { signOut } from '../../lib/staff/session';
import { SignIn } from '../../lib/staff/SignIn';
import '../../lib/staff/staff.css';
import { mount } from '../../lib/ui/mount';
import { Shell } from '../../lib/ui/Shell';
import { AdminPage } from './AdminPage';
import './admin.css';

function App() {
  const [session, setSession] = useStaffSession();
  if (session === undefined) {
    return (
      <Shell title={t('app.admin.title')}>
        <p>{t('staff.loading')}</p>
      </Shell>
    );
  }
  if (session === null) {
    return (
      <Shell title={t('app.admin.title')}>
        <SignIn onSignedIn={setSession} />
      </Shell>
    );
  }
  if (session.role !== 'admin') {
    // The kiosk refuses a barista every admin route; say so at once.
    return (
      <Shell title={t('app.admin.title')}>
        <section class="no-rights" aria-labelledby="no-rights-title">
          <h2 id="no-rights-title">{t('admin.noRights.title')}</h2>
          <p>{t('admin.noRights.body', { name: session.username })}</p>
          <p>
            <a href="/barista/">{t('admin.noRights.barista')}</a>
          </p>
          <button
            type="button"
            onClick={() => {
              void signOut()
                .catch(() => {})
                .finally(() => setSession(null));
            }}
          >
            {t('admin.noRights.signOut')}
          </button>
        </section>
      </Shell>
    );
  }
  return <AdminPage key={session.username} session={session} onSignedOut={() => setSession(null)} />;
}

mount('admin', App);
