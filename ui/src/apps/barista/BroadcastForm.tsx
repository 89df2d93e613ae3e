import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { asBroadcast, checkDraft, maxBroadcastLength, type Broadcast } from '../../lib/booth/broadcast';
import { t } from '../../lib/i18n';

/** Props of BroadcastForm. */
export interface BroadcastFormProps {
  /** The message showing now; null when none. */
  current: Broadcast | null;
  onChange: (b: Broadcast | null) => void;
  onError: (error: unknown) => void;
}

/**
 * BroadcastForm sends a short message to every waiting phone and the
 * display ("Grinder down, five minutes"), and takes it down again.
 */
export function BroadcastForm({ current, onChange, onError }: BroadcastFormProps) {
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const check = checkDraft(draft, current);

  const send = async (text: string) => {
    setBusy(true);
    try {
      const b = asBroadcast(await api<unknown>('POST', '/api/broadcast', { text }));
      onChange(b ?? null);
      if (text !== '') setDraft('');
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="broadcast-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (check.canSend) void send(check.text);
      }}
    >
      <label id="broadcast-label" for="broadcast-text" class="broadcast-label">
        {t('barista.broadcast.label')}
      </label>
      <div class="broadcast-row">
        <input
          id="broadcast-text"
          type="text"
          value={draft}
          autocomplete="off"
          enterkeyhint="send"
          placeholder={t('barista.broadcast.placeholder')}
          aria-describedby="broadcast-left broadcast-now"
          aria-invalid={check.left < 0 ? 'true' : undefined}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit" class="big" disabled={busy || !check.canSend}>
          {t('barista.broadcast.send')}
        </button>
        <button type="button" class="big secondary" disabled={busy || !current} onClick={() => void send('')}>
          {t('barista.broadcast.takeDown')}
        </button>
      </div>
      <p id="broadcast-left" class={check.left < 0 ? 'broadcast-left over' : 'broadcast-left'}>
        {check.left < 0
          ? t('barista.broadcast.over', { count: -check.left, max: maxBroadcastLength })
          : t('barista.broadcast.left', { count: check.left })}
      </p>
      <p id="broadcast-now" class="broadcast-now" role="status">
        {current ? t('barista.broadcast.showing', { text: current.text }) : t('barista.broadcast.none')}
      </p>
    </form>
  );
}
