import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { DrinkIcon, drinkIconNames, fallbackIcon, iconMarkup, iconName } from './DrinkIcon';

const sources = import.meta.glob<string>('./*.svg', { query: '?raw', import: 'default', eager: true });

const drinks = ['espresso', 'americano', 'flat-white', 'cappuccino', 'latte', 'mocha', 'tea', 'hot-chocolate'];

describe('icon files', () => {
  it('include every drink on the default menu and the fallback', () => {
    expect(drinkIconNames).toEqual([...drinks, fallbackIcon].sort());
  });

  it.each(Object.entries(sources))('%s is a bare 64×64 single-colour SVG', (_, svg) => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 64 64"[^>]*>/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // Size comes from the page; colour from the text around the icon.
    expect(svg).not.toMatch(/<svg[^>]*\s(width|height)=/);
    for (const [, colour] of svg.matchAll(/(?:fill|stroke)="([^"]*)"/g)) {
      expect(['currentColor', 'none']).toContain(colour);
    }
    // Nothing that could load, run or restyle.
    expect(svg).not.toMatch(/<script|<style|<image|<text|href=|url\(|style=|on\w+=/i);
  });
});

describe('iconName', () => {
  it.each([
    ['espresso', 'espresso'],
    ['Flat White', 'flat-white'],
    ['hot_chocolate', 'hot-chocolate'],
    ['  Latte ', 'latte'],
    ['Iced matcha', 'cup'],
    ['', 'cup'],
    [null, 'cup'],
    [undefined, 'cup'],
    ['__proto__', 'cup'],
    ['constructor', 'cup'],
  ])('%j → %s', (given, want) => {
    expect(iconName(given)).toBe(want);
  });

  it('gives markup sized to its box', () => {
    expect(iconMarkup('tea')).toMatch(/^<svg width="100%" height="100%" aria-hidden="true"/);
  });
});

describe('DrinkIcon', () => {
  it('is decorative by default', () => {
    const html = render(<DrinkIcon name="mocha" />);
    expect(html).toContain('data-icon="mocha"');
    expect(html).toContain('aria-hidden="true"');
    expect(html).toContain('width:48px');
    expect(html).toContain('<svg');
  });

  it('is an image with a name when labelled, and falls back to the cup', () => {
    const html = render(<DrinkIcon name="Babyccino" size={64} label="Babyccino" class="menu" />);
    expect(html).toContain('data-icon="cup"');
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Babyccino"');
    expect(html).toContain('class="drink-icon menu"');
    expect(html).toContain('width:64px');
  });
});
