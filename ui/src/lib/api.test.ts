import { describe, expect, it } from 'vitest';
import { ApiError, api, busyTries, readCookie } from './api';

function reply(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('api', () => {
  it('reads a cookie among others', () => {
    expect(readCookie('a=1; kiosk_csrf=tok%3D; b=2', 'kiosk_csrf')).toBe('tok=');
    expect(readCookie('a=1', 'kiosk_csrf')).toBe('');
  });

  it('echoes the CSRF cookie on writes and sends JSON', async () => {
    const calls: { path: string; init: RequestInit | undefined }[] = [];
    const out = await api<{ ok: boolean }>('POST', '/api/orders', { name: 'Zoë' }, {
      cookies: () => 'kiosk_csrf=abc',
      fetch: async (path, init) => {
        calls.push({ path, init });
        return reply(201, { ok: true });
      },
    });
    expect(out).toEqual({ ok: true });
    const init = calls[0]?.init;
    const headers = init?.headers as Record<string, string>;
    expect(headers['X-Kiosk-CSRF']).toBe('abc');
    expect(headers['Content-Type']).toBe('application/json');
    expect(init?.body).toBe('{"name":"Zoë"}');
  });

  it('fetches the CSRF cookie first when the page has none', async () => {
    let jar = '';
    const paths: string[] = [];
    await api('PUT', '/api/shop/open', { open: true }, {
      cookies: () => jar,
      fetch: async (path) => {
        paths.push(path);
        if (path === '/api/session') jar = 'kiosk_csrf=new';
        return reply(200, {});
      },
    });
    expect(paths).toEqual(['/api/session', '/api/shop/open']);
  });

  it('turns error answers into ApiError with the code and message', async () => {
    const err = await api('POST', '/api/orders', {}, {
      cookies: () => 'kiosk_csrf=x',
      fetch: async () => reply(409, { error: { code: 'queue_full', message: 'Full.' } }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('queue_full');
    expect((err as ApiError).status).toBe(409);
    expect((err as ApiError).message).toBe('Full.');
  });

  it('sends a busy request again after its Retry-After', async () => {
    const waits: number[] = [];
    let calls = 0;
    const out = await api<{ ok: boolean }>('POST', '/api/orders/o1/complete', undefined, {
      cookies: () => 'kiosk_csrf=x',
      sleep: async (ms) => {
        waits.push(ms);
      },
      fetch: async () => {
        calls++;
        if (calls === 1) {
          return new Response(JSON.stringify({ error: { code: 'busy', message: 'Busy.' } }), {
            status: 503,
            headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
          });
        }
        return reply(200, { ok: true });
      },
    });
    expect(out).toEqual({ ok: true });
    expect(calls).toBe(2);
    expect(waits).toEqual([2000]);
  });

  it('gives up on busy after a few tries, and never retries other errors', async () => {
    let calls = 0;
    const waits: number[] = [];
    const err = await api('POST', '/api/orders/o1/make', undefined, {
      cookies: () => 'kiosk_csrf=x',
      sleep: async (ms) => {
        waits.push(ms);
      },
      fetch: async () => {
        calls++;
        return reply(503, { error: { code: 'busy', message: 'Busy.' } });
      },
    }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('busy');
    expect(calls).toBe(busyTries);
    expect(waits).toEqual(Array(busyTries - 1).fill(1000));

    calls = 0;
    const other = await api('POST', '/api/orders', {}, {
      cookies: () => 'kiosk_csrf=x',
      sleep: async () => {
        throw new Error('must not wait');
      },
      fetch: async () => {
        calls++;
        return reply(503, { error: { code: 'unavailable', message: 'Down.' } });
      },
    }).catch((e: unknown) => e);
    expect((other as ApiError).code).toBe('unavailable');
    expect(calls).toBe(1);
  });

  it('reports an unreachable kiosk as a network error', async () => {
    const err = await api('GET', '/api/shop', undefined, {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('network');
    expect((err as ApiError).status).toBe(0);
  });
});
