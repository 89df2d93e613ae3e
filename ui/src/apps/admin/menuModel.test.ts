import { describe, expect, it } from 'vitest';
import type { Drink } from '../../lib/staff/types';
import {
  addChoice,
  addDrink,
  addGroup,
  check,
  fromMenu,
  isChanged,
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
  slug,
  toMenu,
} from './menuModel';

const menu: Drink[] = [
  { id: 'espresso', name: 'Espresso', icon: 'espresso', available: true, options: [{ name: 'Shots', choices: ['Single', 'Double'] }] },
  {
    id: 'latte',
    name: 'Caffè Latte',
    icon: 'latte',
    available: false,
    options: [
      { name: 'Milk', choices: ['Regular', 'Oat'] },
      { name: 'Syrup', choices: ['None', 'Vanilla'] },
    ],
  },
];

describe('the menu draft', () => {
  it('round-trips the kiosk’s menu unchanged', () => {
    const draft = fromMenu(menu);
    expect(toMenu(draft)).toEqual(menu);
    expect(isChanged(draft, menu)).toBe(false);
    expect(check(draft)).toEqual([]);
  });

  it('adds a drink whose id follows its name until the id is edited', () => {
    let d = addDrink(fromMenu(menu));
    expect(d).toHaveLength(3);
    expect(d[2]).toMatchObject({ id: 'drink', name: '', icon: 'cup', available: true, options: [] });
    d = setName(d, 2, 'Flat White');
    expect(d[2]?.id).toBe('flat-white');
    d = setName(d, 2, 'Caffè Latte');
    expect(d[2]?.id).toBe('caffe-latte');
    d = setField(d, 2, { id: 'special' });
    d = setName(d, 2, 'Something else');
    expect(d[2]?.id).toBe('special');
    // A saved drink keeps its id when renamed: orders refer to it.
    d = setName(d, 0, 'Ristretto');
    expect(d[0]?.id).toBe('espresso');
    expect(isChanged(d, menu)).toBe(true);
  });

  it('never suggests an id another drink has', () => {
    let d = addDrink(fromMenu(menu));
    d = setName(d, 2, 'Latte');
    expect(d[2]?.id).toBe('latte-2');
  });

  it('removes and reorders drinks', () => {
    const d = fromMenu(menu);
    expect(toMenu(moveDrink(d, 1, 0)).map((x) => x.id)).toEqual(['latte', 'espresso']);
    expect(toMenu(moveDrink(d, 0, 5)).map((x) => x.id)).toEqual(['espresso', 'latte']);
    expect(toMenu(removeDrink(d, 0)).map((x) => x.id)).toEqual(['latte']);
  });

  it('edits option groups and their choices', () => {
    let d = fromMenu(menu);
    d = addGroup(d, 0);
    d = setGroupName(d, 0, 1, 'Cup');
    d = setChoice(d, 0, 1, 0, 'Paper');
    d = addChoice(d, 0, 1);
    d = setChoice(d, 0, 1, 1, 'Own cup');
    d = moveChoice(d, 0, 1, 1, 0);
    expect(toMenu(d)[0]?.options).toEqual([
      { name: 'Shots', choices: ['Single', 'Double'] },
      { name: 'Cup', choices: ['Own cup', 'Paper'] },
    ]);
    d = moveGroup(d, 0, 1, 0);
    expect(toMenu(d)[0]?.options.map((g) => g.name)).toEqual(['Cup', 'Shots']);
    d = removeChoice(d, 0, 0, 0);
    d = removeGroup(d, 0, 1);
    expect(toMenu(d)[0]?.options).toEqual([{ name: 'Cup', choices: ['Paper'] }]);
    // The other drink is untouched.
    expect(toMenu(d)[1]).toEqual(menu[1]);
  });

  it('trims labels as the kiosk stores them', () => {
    const d = setChoice(setName(fromMenu(menu), 0, '  Espresso '), 0, 0, 0, ' Single ');
    expect(toMenu(d)[0]).toMatchObject({ name: 'Espresso', options: [{ choices: ['Single', 'Double'] }] });
  });
});

describe('checking the draft as the kiosk would', () => {
  it('refuses an empty menu', () => {
    expect(check([]).map((p) => p.message)).toEqual(['admin.menu.problem.noDrinks']);
  });

  it('finds bad and repeated ids, names and icons, at their drink', () => {
    let d = addDrink(fromMenu(menu));
    d = setField(d, 2, { id: 'latte', icon: '' });
    d = setField(d, 0, { id: 'Espresso!' });
    const problems = check(d);
    expect(problemsAt(problems, { drink: 0, field: 'id' }).map((p) => p.message)).toEqual(['admin.menu.problem.id']);
    expect(problemsAt(problems, { drink: 2, field: 'id' })).toEqual([
      { drink: 2, field: 'id', message: 'admin.menu.problem.idTaken', params: { id: 'latte' } },
    ]);
    expect(problemsAt(problems, { drink: 2, field: 'name' }).map((p) => p.message)).toEqual(['admin.menu.problem.name']);
    expect(problemsAt(problems, { drink: 2, field: 'icon' }).map((p) => p.message)).toEqual(['admin.menu.problem.icon']);
  });

  it('counts a name by characters, not bytes', () => {
    const d = setName(fromMenu(menu), 0, 'é'.repeat(40));
    expect(check(d)).toEqual([]);
    expect(check(setName(d, 0, 'é'.repeat(41))).map((p) => p.field)).toEqual(['name']);
  });

  it('finds problems in groups and choices', () => {
    let d = fromMenu(menu);
    d = setGroupName(d, 1, 1, 'milk');
    d = setChoice(d, 1, 0, 1, 'regular');
    d = addGroup(d, 0);
    d = removeChoice(d, 0, 1, 0);
    const problems = check(d);
    expect(problems.map((p) => [p.drink, p.group, p.choice, p.message])).toEqual([
      [0, 1, undefined, 'admin.menu.problem.groupName'],
      [0, 1, undefined, 'admin.menu.problem.noChoices'],
      [1, 0, 1, 'admin.menu.problem.choiceTwice'],
      [1, 1, undefined, 'admin.menu.problem.groupTwice'],
    ]);
  });

  it('holds the kiosk’s limits', () => {
    let d = fromMenu(menu);
    for (let i = 0; i < 5; i++) d = addGroup(d, 0);
    expect(check(d).some((p) => p.message === 'admin.menu.problem.tooManyGroups')).toBe(true);
    let e = fromMenu(menu);
    for (let i = 0; i < 9; i++) e = addChoice(e, 0, 0);
    e = e.map((x, i) => (i === 0 ? { ...x, options: [{ ...x.options[0]!, choices: x.options[0]!.choices.map((_, k) => `c${k}`) }] } : x));
    expect(check(e).map((p) => p.message)).toEqual(['admin.menu.problem.tooManyChoices']);
    let f = fromMenu(menu);
    for (let i = 0; i < 39; i++) f = setName(addDrink(f), f.length, `Drink ${i}`);
    expect(check(f).map((p) => p.message)).toEqual(['admin.menu.problem.tooManyDrinks']);
  });
});

describe('slug', () => {
  it.each([
    ['Flat White', 'flat-white'],
    ['Caffè Latte', 'caffe-latte'],
    ['  Hot chocolate!! ', 'hot-chocolate'],
    ['Ünïcödé Tea', 'unicode-tea'],
    ['???', ''],
    ['a'.repeat(40), 'a'.repeat(32)],
  ])('%s → %s', (name, id) => {
    expect(slug(name)).toBe(id);
  });
});
