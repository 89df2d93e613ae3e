import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t, type MessageKey } from '../../lib/i18n';
import { errorCode, errorText } from '../../lib/staff/errors';
import type { Booth, Config } from '../../lib/staff/types';
import { boothFields, changes, draftOf, fieldOfMessage, problemOf, problems, type BoothDraft, type BoothField } from './boothModel';

/** Props of BoothForm. */
export interface BoothFormProps {
  booth: Booth;
  onSaved: (config: Config) => void;
  onError: (error: unknown) => void;
}

const labels: Record<BoothField, { label: MessageKey; help: MessageKey }> = {
  name: { label: 'admin.booth.name', help: 'admin.booth.name.help' },
  publicUrl: { label: 'admin.booth.publicUrl', help: 'admin.booth.publicUrl.help' },
  wifiSsid: { label: 'admin.booth.wifiSsid', help: 'admin.booth.wifiSsid.help' },
  wifiPassword: { label: 'admin.booth.wifiPassword', help: 'admin.booth.wifiPassword.help' },
};

/**
 * BoothForm edits the booth's name, its public address and the Wi-Fi the
 * display offers, saved with PUT /api/booth. The password is hidden unless
 * asked for: the form may be open on a tablet at the counter.
 */
export function BoothForm({ booth, onSaved, onError }: BoothFormProps) {
  const [draft, setDraft] = useState<BoothDraft>(() => draftOf(booth));
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const [server, setServer] = useState<{ field: BoothField | null; message: string } | null>(null);

  const diff = changes(draft, booth);
  const list = problems(draft);
  const dirty = Object.keys(diff).length > 0;

  // New booth settings from the kiosk replace the form unless it holds edits.
  useEffect(() => {
    if (Object.keys(changes(draft, booth)).length === 0) setDraft(draftOf(booth));
  }, [booth]);

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setSaved(false);
    if (list.length > 0 || !dirty) return;
    setSaving(true);
    try {
      const cfg = await api<Config>('PUT', '/api/booth', diff);
      if (cfg.booth) setDraft(draftOf(cfg.booth));
      setTried(false);
      setServer(null);
      setSaved(true);
      onSaved(cfg);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'booth_invalid' || code === 'invalid_input') {
        const message = errorText(error);
        setServer({ field: fieldOfMessage(message), message });
      } else onError(error);
    } finally {
      setSaving(false);
    }
  };

  const edit = (field: BoothField, value: string) => {
    setDraft({ ...draft, [field]: value });
    setSaved(false);
    if (server?.field === field) setServer(null);
  };

  return (
    <form class="booth-form" onSubmit={save} noValidate aria-labelledby="booth-title">
      <h2 id="booth-title">{t('admin.booth.title')}</h2>
      <p class="hint">{t('admin.booth.intro')}</p>
      {boothFields.map((field) => {
        const local = tried ? problemOf(list, field) : null;
        const fromServer = server?.field === field ? server.message : '';
        const invalid = local !== null || fromServer !== '';
        const id = `booth-${field}`;
        const helpId = `${id}-help`;
        const errId = `${id}-err`;
        const isPassword = field === 'wifiPassword';
        const common = {
          id,
          autoComplete: isPassword ? 'new-password' : 'off',
          autoCapitalize: 'off' as const,
          spellcheck: false,
          value: draft[field],
          'aria-describedby': invalid ? `${helpId} ${errId}` : helpId,
          'aria-invalid': invalid,
          onInput: (e: Event) => edit(field, (e.currentTarget as HTMLInputElement).value),
        };
        return (
          <div class="field setting" key={field}>
            <label for={id}>{t(labels[field].label)}</label>
            <div class="setting-input">
              {isPassword && !showPassword ? (
                <input type="password" {...common} />
              ) : field === 'publicUrl' ? (
                <input type="url" {...common} />
              ) : (
                <input type="text" {...common} />
              )}
              {isPassword && (
                <button
                  type="button"
                  class="secondary"
                  aria-pressed={showPassword}
                  aria-controls={id}
                  onClick={() => setShowPassword(!showPassword)}
                >
                  {showPassword ? t('admin.booth.hidePassword') : t('admin.booth.showPassword')}
                </button>
              )}
            </div>
            <p class="hint" id={helpId}>
              {t(labels[field].help)}
            </p>
            {invalid && (
              <p class="field-error" id={errId}>
                {local ? t(local) : fromServer}
              </p>
            )}
          </div>
        );
      })}
      <div class="save-bar">
        <p class="form-error" role="alert">
          {server && server.field === null && `${t('admin.booth.refused')} ${server.message}`}
        </p>
        <p class="save-state" role="status">
          {saved ? t('admin.saved') : dirty ? t('admin.unsaved') : ''}
        </p>
        <button
          type="button"
          class="secondary"
          disabled={!dirty || saving}
          onClick={() => {
            setDraft(draftOf(booth));
            setServer(null);
            setTried(false);
          }}
        >
          {t('admin.settings.reset')}
        </button>
        <button type="submit" disabled={!dirty || saving}>
          {saving ? t('admin.saving') : t('admin.booth.save')}
        </button>
      </div>
    </form>
  );
}
