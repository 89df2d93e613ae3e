import { t } from '../../lib/i18n';
import { mount } from '../../lib/ui/mount';
import { Shell } from '../../lib/ui/Shell';

function App() {
  return (
    <Shell title={t('app.display.title')}>
      <p>{t('shell.notReady')}</p>
    </Shell>
  );
}

mount('display', App);
