/**
 * The kiosk's HTTP API, as every app calls it: same origin, JSON in and out,
 * the CSRF cookie echoed on writes, and errors as ApiError with the server's
 * stable code and human message (see docs/api.md).
 */

/** ApiError is an answer of the server that is not a success. */
export class ApiError extends Error {
  constructor(
    /** The stable error code, e.g. "queue_full"; "network" when the server could not be reached. */
    readonly code: string,
    message: string,
    /** The HTTP status; 0 when the server could not be reached. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const csrfCookie = 'kiosk_csrf';
const csrfHeader = 'X-Kiosk-CSRF';

/** readCookie returns a cookie's value from a cookie string, or ''. */
export function readCookie(cookies: string, name: string): string {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return '';
}

/** Fetch is the subset of window.fetch the API uses, so tests can supply one. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** ApiOptions let tests replace the browser's fetch, cookies and clock. */
export interface ApiOptions {
  fetch?: Fetch;
  cookies?: () => string;
  /** sleep waits before a busy request is sent again. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * busyTries is how many times a request answered `busy` is sent in all. The
 * kiosk answers busy at once, having changed nothing, when it already works
 * on all the requests it takes; a moment later it has room again, so the app
 * waits the answer's Retry-After (at most busyWaitMaxMs) and tries again
 * instead of showing the barista an error for a tap that only needs repeating.
 */
export const busyTries = 3;
const busyWaitMaxMs = 5000;

function busyWait(res: Response): number {
  const s = Number(res.headers.get('Retry-After'));
  return Number.isFinite(s) && s > 0 ? Math.min(s * 1000, busyWaitMaxMs) : 1000;
}

/**
 * api calls one route. body, when given, is sent as JSON. On a write it
 * first makes sure the page holds the CSRF cookie (any GET hands it out).
 */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  options: ApiOptions = {},
): Promise<T> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const cookies = options.cookies ?? (() => document.cookie);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    if (!readCookie(cookies(), csrfCookie)) {
      await doFetch('/api/session', { credentials: 'same-origin' }).catch(() => undefined);
    }
    headers[csrfHeader] = readCookie(cookies(), csrfCookie);
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('network', 'The kiosk cannot be reached.', 0);
    }
    if (res.status === 204) return undefined as T;
    let data: unknown = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (res.ok) return data as T;
    const e = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 503 && e?.code === 'busy' && attempt < busyTries) {
      await sleep(busyWait(res));
      continue;
    }
    throw new ApiError(e?.code ?? `http_${res.status}`, e?.message ?? `The kiosk answered ${res.status}.`, res.status);
  }
}
