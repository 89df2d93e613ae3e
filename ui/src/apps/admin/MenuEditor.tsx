import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DrinkIcon, drinkIconNames } from '../../icons/DrinkIcon';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { errorCode, errorText } from '../../lib/staff/errors';
import type { Config, Drink } from '../../lib/staff/types';
import {
  addChoice,
  addDrink,
  addGroup,
  check,
  fromMenu,
  isChanged,
  limits,
  moveChoice,
  moveDrink,
  moveGroup,
  problemsAt,
  removeChoice,
  removeDrink,
  removeGroup,
  setChoice,
  setField,
  setGroupName,
  setName,
  toMenu,
  type Draft,
  type Place,
  type Problem,
} from './menuModel';

/** Props of MenuEditor. */
export interface MenuEditorProps {
  menu: Drink[];
  onSaved: (config: Config) => void;
  onError: (error: unknown) => void;
}

// FieldProblems lists the problems at one place, tied to its field by id.
function FieldProblems({ id, problems }: { id: string; problems: Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <p class="field-error" id={id}>
      {problems.map((p) => t(p.message, p.params)).join(' ')}
    </p>
  );
}

// placeId names the error text of a place, for aria-describedby.
const placeId = (p: Place) => `menu-err-${p.drink ?? 'm'}-${p.group ?? 'x'}-${p.choice ?? 'x'}-${p.field ?? 'x'}`;

/**
 * MenuEditor edits the whole menu: drinks with their id, name, icon and
 * availability, and each drink's option groups and choices; drinks, groups
 * and choices can be added, removed and reordered. Problems are shown beside
 * their fields; the kiosk checks the whole menu again on save, and its answer
 * is shown beside the Save button.
 */
export function MenuEditor({ menu, onSaved, onError }: MenuEditorProps) {
  const [draft, setDraft] = useState<Draft>(() => fromMenu(menu));
  const [base, setBase] = useState(menu);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState('');
  const [saved, setSaved] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const changed = isChanged(draft, base);
  // The menu changed on the kiosk (another admin, a sold-out switch): take it
  // when nothing here is edited, else say so and let the admin choose.
  const outdated = menu !== base && JSON.stringify(menu) !== JSON.stringify(base);
  useEffect(() => {
    if (outdated && !changed) {
      setDraft(fromMenu(menu));
      setBase(menu);
    }
  }, [outdated, changed, menu]);

  const problems = useMemo(() => check(draft), [draft]);
  const shown = tried ? problems : [];

  const edit = (next: Draft) => {
    setDraft(next);
    setSaved(false);
    setServerError('');
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setSaved(false);
    if (problems.length > 0) {
      setServerError('');
      summary.current?.focus();
      return;
    }
    setSaving(true);
    try {
      const cfg = await api<Config>('PUT', '/api/menu', { menu: toMenu(draft) });
      setBase(cfg.menu);
      setDraft(fromMenu(cfg.menu));
      setTried(false);
      setServerError('');
      setSaved(true);
      onSaved(cfg);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'menu_invalid' || code === 'invalid_input' || code === 'too_large') {
        setServerError(errorText(error));
        summary.current?.focus();
      } else onError(error);
    } finally {
      setSaving(false);
    }
  };

  const discard = () => {
    setDraft(fromMenu(menu));
    setBase(menu);
    setTried(false);
    setServerError('');
  };

  // field gives a place's problems and the attributes that tie them to its
  // input; hint is the id of help text that describes the input too.
  const field = (place: Place, hint?: string) => {
    const here = problemsAt(shown, place);
    const described = [hint, here.length > 0 ? placeId(place) : undefined].filter(Boolean).join(' ');
    return {
      problems: here,
      attrs: {
        ...(here.length > 0 ? { 'aria-invalid': true as const } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      },
    };
  };

  return (
    <form class="menu-editor" onSubmit={save} noValidate aria-labelledby="menu-title">
      <h2 id="menu-title">{t('admin.menu.title')}</h2>
      <p class="hint">{t('admin.menu.intro', { drinks: limits.drinks, groups: limits.groups, choices: limits.choices })}</p>

      {outdated && changed && (
        <div class="notice notice-info">
          {t('admin.menu.outdated')}{' '}
          <button type="button" class="secondary" onClick={discard}>
            {t('admin.menu.discard')}
          </button>
        </div>
      )}

      <ol class="drinks">
        {draft.map((d, i) => {
          const name = field({ drink: i, field: 'name' });
          const id = field({ drink: i, field: 'id' }, `menu-idhint-${i}`);
          const icon = field({ drink: i, field: 'icon' });
          const groups = field({ drink: i, field: 'options' });
          const label = d.name.trim() || t('admin.menu.unnamed');
          return (
            <li key={d.key}>
              <fieldset class="drink">
                <legend>
                  <DrinkIcon name={d.icon} size={32} /> {t('admin.menu.drinkLegend', { n: i + 1, name: label })}
                </legend>
                <div class="drink-fields">
                  <div class="field">
                    <label for={`drink-${d.key}-name`}>{t('admin.menu.name')}</label>
                    <input
                      id={`drink-${d.key}-name`}
                      value={d.name}
                      maxLength={limits.nameLength + 10}
                      onInput={(e) => edit(setName(draft, i, e.currentTarget.value))}
                      {...name.attrs}
                    />
                    <FieldProblems id={placeId({ drink: i, field: 'name' })} problems={name.problems} />
                  </div>
                  <div class="field">
                    <label for={`drink-${d.key}-id`}>{t('admin.menu.id')}</label>
                    <input
                      id={`drink-${d.key}-id`}
                      value={d.id}
                      autocapitalize="none"
                      spellcheck={false}
                      onInput={(e) => edit(setField(draft, i, { id: e.currentTarget.value }))}
                      {...id.attrs}
                    />
                    <span class="hint" id={`menu-idhint-${i}`}>
                      {t('admin.menu.idHint')}
                    </span>
                    <FieldProblems id={placeId({ drink: i, field: 'id' })} problems={id.problems} />
                  </div>
                  <div class="field">
                    <label for={`drink-${d.key}-icon`}>{t('admin.menu.icon')}</label>
                    <span class="icon-select">
                      <DrinkIcon name={d.icon} size={40} />
                      <select id={`drink-${d.key}-icon`} value={d.icon} onChange={(e) => edit(setField(draft, i, { icon: e.currentTarget.value }))} {...icon.attrs}>
                        {!drinkIconNames.includes(d.icon) && <option value={d.icon}>{d.icon}</option>}
                        {drinkIconNames.map((n) => (
                          <option key={n} value={n}>
                            {n}
                          </option>
                        ))}
                      </select>
                    </span>
                    <FieldProblems id={placeId({ drink: i, field: 'icon' })} problems={icon.problems} />
                  </div>
                  <label class="field check">
                    <input
                      type="checkbox"
                      checked={d.available}
                      onChange={(e) => edit(setField(draft, i, { available: e.currentTarget.checked }))}
                    />
                    <span>{t('admin.menu.available')}</span>
                  </label>
                </div>

                <h3 class="groups-title">{t('admin.menu.groups')}</h3>
                <p class="hint">{t('admin.menu.groupsHint')}</p>
                <FieldProblems id={placeId({ drink: i, field: 'options' })} problems={groups.problems} />
                <ol class="groups">
                  {d.options.map((g, j) => {
                    const gname = field({ drink: i, group: j, field: 'name' });
                    const gchoices = field({ drink: i, group: j, field: 'choices' });
                    return (
                      <li key={g.key}>
                        <fieldset class="group">
                          <legend>{t('admin.menu.groupLegend', { n: j + 1, name: g.name.trim() || t('admin.menu.unnamed') })}</legend>
                          <div class="field">
                            <label for={`group-${g.key}-name`}>{t('admin.menu.groupName')}</label>
                            <input
                              id={`group-${g.key}-name`}
                              value={g.name}
                              onInput={(e) => edit(setGroupName(draft, i, j, e.currentTarget.value))}
                              {...gname.attrs}
                            />
                            <FieldProblems id={placeId({ drink: i, group: j, field: 'name' })} problems={gname.problems} />
                          </div>
                          <p class="choices-title">{t('admin.menu.choices')}</p>
                          <FieldProblems id={placeId({ drink: i, group: j, field: 'choices' })} problems={gchoices.problems} />
                          <ol class="choices">
                            {g.choices.map((c, k) => {
                              const choice = field({ drink: i, group: j, choice: k }, k === 0 ? `choice-${g.key}-default` : undefined);
                              const inputId = `choice-${g.key}-${k}`;
                              return (
                                <li key={k} class="choice">
                                  <div class="field">
                                    <label class="visually-hidden" for={inputId}>
                                      {t('admin.menu.choiceLabel', { n: k + 1, group: g.name.trim() })}
                                    </label>
                                    <input
                                      id={inputId}
                                      value={c}
                                      onInput={(e) => edit(setChoice(draft, i, j, k, e.currentTarget.value))}
                                      {...choice.attrs}
                                    />
                                    {k === 0 && (
                                      <span class="hint" id={`choice-${g.key}-default`}>
                                        {t('admin.menu.default')}
                                      </span>
                                    )}
                                    <FieldProblems id={placeId({ drink: i, group: j, choice: k })} problems={choice.problems} />
                                  </div>
                                  <div class="row-buttons">
                                    <button
                                      type="button"
                                      class="secondary small"
                                      disabled={k === 0}
                                      aria-label={t('admin.menu.choiceUp', { name: c })}
                                      onClick={() => edit(moveChoice(draft, i, j, k, k - 1))}
                                    >
                                      ↑
                                    </button>
                                    <button
                                      type="button"
                                      class="secondary small"
                                      disabled={k === g.choices.length - 1}
                                      aria-label={t('admin.menu.choiceDown', { name: c })}
                                      onClick={() => edit(moveChoice(draft, i, j, k, k + 1))}
                                    >
                                      ↓
                                    </button>
                                    <button
                                      type="button"
                                      class="danger small"
                                      aria-label={t('admin.menu.choiceRemove', { name: c })}
                                      onClick={() => edit(removeChoice(draft, i, j, k))}
                                    >
                                      ✕
                                    </button>
                                  </div>
                                </li>
                              );
                            })}
                          </ol>
                          <div class="row-buttons">
                            <button
                              type="button"
                              class="secondary"
                              disabled={g.choices.length >= limits.choices}
                              onClick={() => edit(addChoice(draft, i, j))}
                            >
                              {t('admin.menu.addChoice')}
                            </button>
                            <button type="button" class="secondary" disabled={j === 0} onClick={() => edit(moveGroup(draft, i, j, j - 1))}>
                              {t('admin.menu.groupUp')}
                            </button>
                            <button
                              type="button"
                              class="secondary"
                              disabled={j === d.options.length - 1}
                              onClick={() => edit(moveGroup(draft, i, j, j + 1))}
                            >
                              {t('admin.menu.groupDown')}
                            </button>
                            <button type="button" class="danger" onClick={() => edit(removeGroup(draft, i, j))}>
                              {t('admin.menu.removeGroup')}
                            </button>
                          </div>
                        </fieldset>
                      </li>
                    );
                  })}
                </ol>
                <div class="row-buttons">
                  <button
                    type="button"
                    class="secondary"
                    disabled={d.options.length >= limits.groups}
                    onClick={() => edit(addGroup(draft, i))}
                  >
                    {t('admin.menu.addGroup')}
                  </button>
                </div>

                <div class="row-buttons drink-buttons">
                  <button type="button" class="secondary" disabled={i === 0} onClick={() => edit(moveDrink(draft, i, i - 1))}>
                    {t('admin.menu.drinkUp', { name: label })}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    disabled={i === draft.length - 1}
                    onClick={() => edit(moveDrink(draft, i, i + 1))}
                  >
                    {t('admin.menu.drinkDown', { name: label })}
                  </button>
                  <button type="button" class="danger" onClick={() => edit(removeDrink(draft, i))}>
                    {t('admin.menu.removeDrink', { name: label })}
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>

      <div class="row-buttons">
        <button type="button" class="secondary" disabled={draft.length >= limits.drinks} onClick={() => edit(addDrink(draft))}>
          {t('admin.menu.addDrink')}
        </button>
      </div>

      <div class="save-bar">
        <div class="save-status" ref={summary} tabIndex={-1} role="alert">
          {shown.length > 0 && <p class="form-error">{t('admin.menu.problems', { count: shown.length })}</p>}
          {shown.length > 0 && (
            <ul class="problem-list">
              {shown.slice(0, 5).map((p, n) => (
                <li key={n}>
                  {p.drink !== undefined && `${t('admin.menu.drinkLegend', { n: p.drink + 1, name: draft[p.drink]?.name.trim() || t('admin.menu.unnamed') })}: `}
                  {t(p.message, p.params)}
                </li>
              ))}
            </ul>
          )}
          {serverError && (
            <p class="form-error">
              {t('admin.menu.refused')} {serverError}
            </p>
          )}
        </div>
        <p class="save-state" role="status">
          {saved ? t('admin.saved') : changed ? t('admin.unsaved') : ''}
        </p>
        <button type="button" class="secondary" disabled={!changed || saving} onClick={discard}>
          {t('admin.menu.discard')}
        </button>
        <button type="submit" disabled={!changed || saving}>
          {saving ? t('admin.saving') : t('admin.menu.save')}
        </button>
      </div>
    </form>
  );
}
