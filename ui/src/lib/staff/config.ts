/**
 * Keeping a staff page's copy of the configuration current from what the
 * kiosk announces: ConfigService.ConfigChanged and BoothDayStarted events
 * (whole values) and the retained kiosk/public/shop state (open, menu,
 * booth day, and part of the settings).
 */
import type { Booth, Config, Drink, Settings } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * fromConfigEvent applies the detail of a ConfigService.ConfigChanged event,
 * unless it is older than what the page has (its revision is lower).
 */
export function fromConfigEvent(config: Config, detail: Record<string, unknown>): Config {
  const revision = typeof detail['revision'] === 'number' ? detail['revision'] : config.revision;
  if (revision < config.revision) return config;
  return {
    ...config,
    revision,
    open: typeof detail['storeOpen'] === 'boolean' ? detail['storeOpen'] : config.open,
    menu: Array.isArray(detail['menu']) ? (detail['menu'] as Drink[]) : config.menu,
    settings: isObject(detail['settings']) ? { ...config.settings, ...(detail['settings'] as Partial<Settings>) } : config.settings,
    ...boothOf(config, detail['booth']),
  };
}

// Events written before the kiosk had booth settings carry none: the page keeps its own.
function boothOf(config: Config, booth: unknown): { booth?: Booth } {
  if (isObject(booth)) {
    const str = (k: keyof Booth) => (typeof booth[k] === 'string' ? (booth[k] as string) : (config.booth?.[k] ?? ''));
    return { booth: { name: str('name'), publicUrl: str('publicUrl'), wifiSsid: str('wifiSsid'), wifiPassword: str('wifiPassword') } };
  }
  return config.booth ? { booth: config.booth } : {};
}

/**
 * fromShopState applies the retained shop state. It arrives on every
 * (re)connection and may be older than an answer the page already has, so
 * a lower revision is ignored; its settings are only those a customer needs,
 * merged over the page's.
 */
export function fromShopState(config: Config, shop: Record<string, unknown>): Config {
  const revision = typeof shop['revision'] === 'number' ? shop['revision'] : -1;
  if (revision < config.revision) return config;
  return {
    ...config,
    revision,
    open: typeof shop['open'] === 'boolean' ? shop['open'] : config.open,
    menu: Array.isArray(shop['menu']) ? (shop['menu'] as Drink[]) : config.menu,
    boothDay: typeof shop['boothDay'] === 'number' ? shop['boothDay'] : config.boothDay,
    settings: isObject(shop['settings']) ? { ...config.settings, ...(shop['settings'] as Partial<Settings>) } : config.settings,
  };
}
