// Drink icons: one SVG file per drink in this folder, drawn on a 64×64 grid in
// currentColor so they take the colour of the text around them. Adding a file
// adds an icon; its name is the file name without ".svg".

const files = import.meta.glob<string>('./*.svg', { query: '?raw', import: 'default', eager: true });

const icons = new Map<string, string>();
for (const [path, svg] of Object.entries(files)) {
  const name = path.slice(2, -'.svg'.length);
  // Size the drawing to its box; the files themselves carry no size.
  icons.set(name, svg.trim().replace(/^<svg /, '<svg width="100%" height="100%" aria-hidden="true" focusable="false" '));
}

/** The icon used for any drink without an icon of its own. */
export const fallbackIcon = 'cup';

/** The names of every drink icon, sorted. */
export const drinkIconNames: readonly string[] = [...icons.keys()].sort();

/**
 * iconName maps a drink or icon name from the menu ("Flat white", "hot_chocolate")
 * to the name of an icon, or to the fallback when there is none.
 */
export function iconName(name: string | null | undefined): string {
  const key = (name ?? '').trim().toLowerCase().replace(/[\s_]+/g, '-');
  return icons.has(key) ? key : fallbackIcon;
}

/** iconMarkup returns the SVG markup of the icon for a drink. */
export function iconMarkup(name: string | null | undefined): string {
  return icons.get(iconName(name)) ?? '';
}

/** Props of DrinkIcon. */
export interface DrinkIconProps {
  /** The drink's icon name or its name on the menu. */
  name: string | null | undefined;
  /** Width and height in CSS pixels; 48 by default. */
  size?: number;
  /** Text for screen readers; without it the icon is decorative and hidden from them. */
  label?: string;
  class?: string;
}

/**
 * DrinkIcon draws the icon for a drink, or a plain cup for drinks without one.
 * It is decorative unless given a label, since the drink's name is usually
 * written beside it.
 */
export function DrinkIcon({ name, size = 48, label, class: className }: DrinkIconProps) {
  const a11y = label ? { role: 'img' as const, 'aria-label': label } : { 'aria-hidden': true as const };
  return (
    <span
      class={className ? `drink-icon ${className}` : 'drink-icon'}
      style={{ width: `${size}px`, height: `${size}px` }}
      data-icon={iconName(name)}
      {...a11y}
      dangerouslySetInnerHTML={{ __html: iconMarkup(name) }}
    />
  );
}
