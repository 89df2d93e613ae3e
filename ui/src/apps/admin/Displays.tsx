import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { Confirm } from '../../lib/staff/Confirm';
import { monotonicNow, useNow } from '../../lib/staff/hooks';

/** Props of Displays. */
export interface DisplaysProps {
  onError: (error: unknown) => void;
  onNotice: (text: string) => void;
}

interface Pairing {
  url: string;
  code: string;
  expiresInSeconds: number;
  /** When it expires, on this device's monotonic clock. */
  endsAt: number;
}

/**
 * Displays pairs an overhead screen with the kiosk (a one-time address to
 * open on it, shown in large text to type in, since no QR image is made for
 * it) and signs every display out.
 */
export function Displays({ onError, onNotice }: DisplaysProps) {
  // Redraws the countdown every second.
  useNow(1000);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);

  const pair = async () => {
    setBusy(true);
    try {
      const p = await api<Omit<Pairing, 'endsAt'>>('POST', '/api/displays/pairings');
      setPairing({ ...p, endsAt: monotonicNow() + p.expiresInSeconds * 1000 });
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  const signOutAll = async () => {
    setAsking(false);
    try {
      await api<void>('DELETE', '/api/displays');
      onNotice(t('admin.displays.signedOut'));
    } catch (error) {
      onError(error);
    }
  };

  // Read the clock now, not the once-a-second tick, so the countdown starts at its full time.
  const secondsLeft = pairing ? Math.max(0, Math.ceil((pairing.endsAt - monotonicNow()) / 1000)) : 0;
  const expired = pairing !== null && secondsLeft === 0;

  return (
    <section aria-labelledby="displays-title">
      <h2 id="displays-title">{t('admin.displays.title')}</h2>
      <p>{t('admin.displays.intro')}</p>
      <button type="button" disabled={busy} onClick={() => void pair()}>
        {pairing ? t('admin.displays.pairAgain') : t('admin.displays.pair')}
      </button>
      {pairing && (
        <div class={`pairing${expired ? ' expired' : ''}`}>
          <p>{t('admin.displays.openThis')}</p>
          {/* Text, not a link: opened here, the one-time address would pair this device instead. */}
          <p class="pair-url">{pairing.url}</p>
          <p role="status">
            {expired
              ? t('admin.displays.expired')
              : t('admin.displays.expiresIn', {
                  minutes: Math.floor(secondsLeft / 60),
                  seconds: String(secondsLeft % 60).padStart(2, '0'),
                })}
          </p>
          <p class="hint">{t('admin.displays.oneTime')}</p>
        </div>
      )}

      <h3>{t('admin.displays.signOutTitle')}</h3>
      <p>{t('admin.displays.signOutIntro')}</p>
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        {t('admin.displays.signOutAll')}
      </button>
      {asking && (
        <Confirm
          title={t('admin.displays.confirmTitle')}
          confirmLabel={t('admin.displays.confirmYes')}
          danger
          onConfirm={() => void signOutAll()}
          onCancel={() => setAsking(false)}
        >
          <p>{t('admin.displays.confirmBody')}</p>
        </Confirm>
      )}
    </section>
  );
}
