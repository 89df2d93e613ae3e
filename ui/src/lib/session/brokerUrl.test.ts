import { describe, expect, it } from 'vitest';
import { brokerUrl } from './brokerUrl';

describe('brokerUrl', () => {
  it.each([
    ['/mqtt', 'http://10.42.0.1/?code=x', 'ws://10.42.0.1/mqtt'],
    ['/mqtt', 'http://127.0.0.1:8080/display/', 'ws://127.0.0.1:8080/mqtt'],
    ['/mqtt', 'https://bar.example/', 'wss://bar.example/mqtt'],
    ['ws://10.42.0.1:8083/mqtt', 'http://10.42.0.1/', 'ws://10.42.0.1:8083/mqtt'],
  ])('%s on %s is %s', (url, href, want) => {
    expect(brokerUrl(url, { href })).toBe(want);
  });
});
