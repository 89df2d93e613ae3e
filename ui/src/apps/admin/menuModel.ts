/**
 * The menu editor's model: the menu as the admin edits it, the edits, and
 * the same checks the kiosk makes (docs/order-core.md, menu rules), so a
 * mistake is shown next to its field before saving. The kiosk checks the
 * whole menu again on save and its answer names any problem left.
 */
import type { MessageKey, Params } from '../../lib/i18n';
import type { Drink } from '../../lib/staff/types';

/** The menu's limits, as the kiosk enforces them. */
export const limits = {
  drinks: 40,
  groups: 5,
  choices: 10,
  nameLength: 40,
  labelLength: 24,
  idLength: 32,
} as const;

const idPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** An option group being edited. `key` only keeps the form's rows apart. */
export interface DraftGroup {
  key: string;
  name: string;
  choices: string[];
}

/** A drink being edited. */
export interface DraftDrink {
  key: string;
  id: string;
  name: string;
  icon: string;
  available: boolean;
  options: DraftGroup[];
  /** True for a drink added here and not saved yet: its id follows its name until edited. */
  isNew: boolean;
}

/** The menu being edited. */
export type Draft = DraftDrink[];

let keys = 0;
const nextKey = () => `k${++keys}`;

/** fromMenu starts editing the kiosk's menu. */
export function fromMenu(menu: readonly Drink[]): Draft {
  return menu.map((d) => ({
    key: nextKey(),
    id: d.id,
    name: d.name,
    icon: d.icon,
    available: d.available,
    options: d.options.map((g) => ({ key: nextKey(), name: g.name, choices: [...g.choices] })),
    isNew: false,
  }));
}

/** toMenu is the menu to send: labels trimmed, as the kiosk will store them. */
export function toMenu(draft: Draft): Drink[] {
  return draft.map((d) => ({
    id: d.id.trim(),
    name: d.name.trim(),
    icon: d.icon,
    available: d.available,
    options: d.options.map((g) => ({ name: g.name.trim(), choices: g.choices.map((c) => c.trim()) })),
  }));
}

/** isChanged tells whether the draft differs from the kiosk's menu. */
export function isChanged(draft: Draft, menu: readonly Drink[]): boolean {
  return JSON.stringify(toMenu(draft)) !== JSON.stringify(toMenu(fromMenu(menu)));
}

/** slug makes an id from a drink's name: "Caffè Latte" → "caffe-latte". */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, limits.idLength)
    .replace(/-+$/, '');
}

/** uniqueId returns base, or base-2, base-3 … whichever no other drink uses. */
export function uniqueId(draft: Draft, base: string, except?: string): string {
  const taken = new Set(draft.filter((d) => d.key !== except).map((d) => d.id));
  const root = base || 'drink';
  if (!taken.has(root)) return root;
  for (let n = 2; ; n++) {
    const id = `${root.slice(0, limits.idLength - String(n).length - 1)}-${n}`;
    if (!taken.has(id)) return id;
  }
}

function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

function at(draft: Draft, i: number, change: (d: DraftDrink) => DraftDrink): Draft {
  return draft.map((d, j) => (j === i ? change(d) : d));
}

/** addDrink adds an empty drink at the end, available, with the plain cup icon. */
export function addDrink(draft: Draft, icon = 'cup'): Draft {
  return [
    ...draft,
    { key: nextKey(), id: uniqueId(draft, 'drink'), name: '', icon, available: true, options: [], isNew: true },
  ];
}

/** removeDrink removes the drink at i. */
export function removeDrink(draft: Draft, i: number): Draft {
  return draft.filter((_, j) => j !== i);
}

/** moveDrink moves a drink from one place to another. */
export function moveDrink(draft: Draft, from: number, to: number): Draft {
  return move(draft, from, to);
}

/** setName renames a drink; a new drink's id follows its name. */
export function setName(draft: Draft, i: number, name: string): Draft {
  return at(draft, i, (d) => ({ ...d, name, ...(d.isNew ? { id: uniqueId(draft, slug(name), d.key) } : {}) }));
}

/** setField sets the id, icon or availability of a drink. Editing the id by hand stops it following the name. */
export function setField(draft: Draft, i: number, change: Partial<Pick<DraftDrink, 'id' | 'icon' | 'available'>>): Draft {
  return at(draft, i, (d) => ({ ...d, ...change, ...('id' in change ? { isNew: false } : {}) }));
}

/** addGroup adds an option group to a drink, with one empty choice. */
export function addGroup(draft: Draft, i: number): Draft {
  return at(draft, i, (d) => ({ ...d, options: [...d.options, { key: nextKey(), name: '', choices: [''] }] }));
}

/** removeGroup removes option group g of drink i. */
export function removeGroup(draft: Draft, i: number, g: number): Draft {
  return at(draft, i, (d) => ({ ...d, options: d.options.filter((_, j) => j !== g) }));
}

/** moveGroup moves an option group within its drink. */
export function moveGroup(draft: Draft, i: number, from: number, to: number): Draft {
  return at(draft, i, (d) => ({ ...d, options: move(d.options, from, to) }));
}

function atGroup(draft: Draft, i: number, g: number, change: (x: DraftGroup) => DraftGroup): Draft {
  return at(draft, i, (d) => ({ ...d, options: d.options.map((x, j) => (j === g ? change(x) : x)) }));
}

/** setGroupName renames option group g of drink i. */
export function setGroupName(draft: Draft, i: number, g: number, name: string): Draft {
  return atGroup(draft, i, g, (x) => ({ ...x, name }));
}

/** addChoice adds an empty choice at the end of a group. */
export function addChoice(draft: Draft, i: number, g: number): Draft {
  return atGroup(draft, i, g, (x) => ({ ...x, choices: [...x.choices, ''] }));
}

/** setChoice changes choice c of a group. */
export function setChoice(draft: Draft, i: number, g: number, c: number, text: string): Draft {
  return atGroup(draft, i, g, (x) => ({ ...x, choices: x.choices.map((y, k) => (k === c ? text : y)) }));
}

/** removeChoice removes choice c of a group. */
export function removeChoice(draft: Draft, i: number, g: number, c: number): Draft {
  return atGroup(draft, i, g, (x) => ({ ...x, choices: x.choices.filter((_, k) => k !== c) }));
}

/** moveChoice moves a choice within its group; the first one is the default. */
export function moveChoice(draft: Draft, i: number, g: number, from: number, to: number): Draft {
  return atGroup(draft, i, g, (x) => ({ ...x, choices: move(x.choices, from, to) }));
}

/** Where a problem is: the menu, a drink's field, a group's name or its choices, or one choice. */
export interface Place {
  drink?: number;
  group?: number;
  choice?: number;
  field?: 'id' | 'name' | 'icon' | 'options' | 'choices';
}

/** One problem of the draft, with the message that explains it. */
export interface Problem extends Place {
  message: MessageKey;
  params?: Params;
}

const length = (s: string) => [...s.trim()].length;

/**
 * check finds every problem of the draft that the kiosk would refuse, in the
 * order of the form. An empty list means the kiosk should accept it.
 */
export function check(draft: Draft): Problem[] {
  const out: Problem[] = [];
  if (draft.length === 0) out.push({ message: 'admin.menu.problem.noDrinks' });
  if (draft.length > limits.drinks) out.push({ message: 'admin.menu.problem.tooManyDrinks', params: { max: limits.drinks } });
  const ids = new Map<string, number>();
  draft.forEach((d, i) => {
    if (!idPattern.test(d.id)) out.push({ drink: i, field: 'id', message: 'admin.menu.problem.id' });
    else if (ids.has(d.id)) out.push({ drink: i, field: 'id', message: 'admin.menu.problem.idTaken', params: { id: d.id } });
    ids.set(d.id, i);
    const n = length(d.name);
    if (n < 1 || n > limits.nameLength) out.push({ drink: i, field: 'name', message: 'admin.menu.problem.name', params: { max: limits.nameLength } });
    if (!idPattern.test(d.icon)) out.push({ drink: i, field: 'icon', message: 'admin.menu.problem.icon' });
    if (d.options.length > limits.groups) out.push({ drink: i, field: 'options', message: 'admin.menu.problem.tooManyGroups', params: { max: limits.groups } });
    const groups = new Set<string>();
    d.options.forEach((g, j) => {
      const gn = length(g.name);
      const gkey = g.name.trim().toLowerCase();
      if (gn < 1 || gn > limits.labelLength) {
        out.push({ drink: i, group: j, field: 'name', message: 'admin.menu.problem.groupName', params: { max: limits.labelLength } });
      } else if (groups.has(gkey)) {
        out.push({ drink: i, group: j, field: 'name', message: 'admin.menu.problem.groupTwice', params: { name: g.name.trim() } });
      }
      groups.add(gkey);
      if (g.choices.length === 0) out.push({ drink: i, group: j, field: 'choices', message: 'admin.menu.problem.noChoices' });
      if (g.choices.length > limits.choices) {
        out.push({ drink: i, group: j, field: 'choices', message: 'admin.menu.problem.tooManyChoices', params: { max: limits.choices } });
      }
      const seen = new Set<string>();
      g.choices.forEach((c, k) => {
        const cn = length(c);
        const ckey = c.trim().toLowerCase();
        if (cn < 1 || cn > limits.labelLength) {
          out.push({ drink: i, group: j, choice: k, message: 'admin.menu.problem.choice', params: { max: limits.labelLength } });
        } else if (seen.has(ckey)) {
          out.push({ drink: i, group: j, choice: k, message: 'admin.menu.problem.choiceTwice', params: { name: c.trim() } });
        }
        seen.add(ckey);
      });
    });
  });
  return out;
}

/** problemsAt returns the problems at one place of the form. */
export function problemsAt(problems: readonly Problem[], place: Place): Problem[] {
  return problems.filter(
    (p) => p.drink === place.drink && p.group === place.group && p.choice === place.choice && p.field === place.field,
  );
}
