import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { errorCode, errorText } from '../../lib/staff/errors';
import type { Config, Settings } from '../../lib/staff/types';
import { changes, draftOf, invalidFields, minutes, parseSetting, settingsInfo, type SettingsDraft } from './settingsModel';

/** Props of SettingsForm. */
export interface SettingsFormProps {
  settings: Settings;
  onSaved: (config: Config) => void;
  onError: (error: unknown) => void;
}

const unitKey = {
  seconds: 'admin.settings.unit.seconds',
  drinks: 'admin.settings.unit.drinks',
  orders: 'admin.settings.unit.orders',
} as const;

/** SettingsForm edits every setting of the bar's rules, each with its range and meaning. */
export function SettingsForm({ settings, onSaved, onError }: SettingsFormProps) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(settings));
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState('');
  const [saved, setSaved] = useState(false);

  const diff = changes(draft, settings);
  const bad = invalidFields(draft);
  const dirty = Object.keys(diff).length > 0 || bad.length > 0;

  // New settings from the kiosk replace the form unless it holds edits.
  useEffect(() => {
    if (Object.keys(changes(draft, settings)).length === 0 && invalidFields(draft).length === 0) setDraft(draftOf(settings));
  }, [settings]);

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setSaved(false);
    if (bad.length > 0 || Object.keys(diff).length === 0) return;
    setSaving(true);
    try {
      const cfg = await api<Config>('PUT', '/api/settings', diff);
      setDraft(draftOf(cfg.settings));
      setTried(false);
      setServerError('');
      setSaved(true);
      onSaved(cfg);
    } catch (error) {
      if (errorCode(error) === 'settings_invalid' || errorCode(error) === 'invalid_input') setServerError(errorText(error));
      else onError(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="settings-form" onSubmit={save} noValidate aria-labelledby="settings-title">
      <h2 id="settings-title">{t('admin.settings.title')}</h2>
      <p class="hint">{t('admin.settings.intro')}</p>
      {settingsInfo.map((s) => {
        const text = draft[s.key];
        const value = parseSetting(s, text);
        const invalid = tried && value === null;
        const helpId = `setting-help-${s.key}`;
        const errId = `setting-err-${s.key}`;
        const inMinutes = s.unit === 'seconds' && value !== null ? minutes(value) : '';
        return (
          <div class="field setting" key={s.key}>
            <label for={`setting-${s.key}`}>{t(s.label)}</label>
            <div class="setting-input">
              <input
                id={`setting-${s.key}`}
                type="number"
                inputMode="numeric"
                min={s.min}
                max={s.max}
                step={1}
                value={text}
                aria-describedby={invalid ? `${helpId} ${errId}` : helpId}
                aria-invalid={invalid}
                onInput={(e) => {
                  setDraft({ ...draft, [s.key]: e.currentTarget.value });
                  setSaved(false);
                }}
              />
              <span>{t(unitKey[s.unit])}</span>
              {inMinutes && <span class="hint">({inMinutes})</span>}
            </div>
            <p class="hint" id={helpId}>
              {t(s.help)} {t('admin.settings.range', { min: s.min, max: s.max, unit: t(unitKey[s.unit]) })}
            </p>
            {invalid && (
              <p class="field-error" id={errId}>
                {t('admin.settings.outOfRange', { min: s.min, max: s.max })}
              </p>
            )}
          </div>
        );
      })}
      <div class="save-bar">
        <p class="form-error" role="alert">
          {serverError && `${t('admin.settings.refused')} ${serverError}`}
        </p>
        <p class="save-state" role="status">
          {saved ? t('admin.saved') : dirty ? t('admin.unsaved') : ''}
        </p>
        <button type="button" class="secondary" disabled={!dirty || saving} onClick={() => setDraft(draftOf(settings))}>
          {t('admin.settings.reset')}
        </button>
        <button type="submit" disabled={!dirty || saving}>
          {saving ? t('admin.saving') : t('admin.settings.save')}
        </button>
      </div>
    </form>
  );
}
