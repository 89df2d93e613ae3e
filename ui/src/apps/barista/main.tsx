import { t } from '../../lib/i18n';
import { useStaffSession } from '../../lib/staff/hooks';
import { SignIn } from '../../lib/staff/SignIn';
import '../../lib/staff/staff.css';
import { mount } from '../../lib/ui/mount';
import { Shell } from '../../lib/ui/Shell';
import { BaristaPage } from './BaristaPage';
import './barista.css';

function App() {
  const [session, setSession] = useStaffSession();
  if (session === undefined) {
    return (
      <Shell title={t('app.barista.title')}>
        <p>{t('staff.loading')}</p>
      </Shell>
    );
  }
  if (session === null) {
    return (
      <Shell title={t('app.barista.title')}>
        <SignIn onSignedIn={setSession} />
      </Shell>
    );
  }
  return <BaristaPage key={session.username} session={session} onSignedOut={() => setSession(null)} />;
}

mount('barista', App);
