// CORS as a setting: any origin without credentials by default, an allow-list
// when configured, and no CORS headers at all for an origin not on it.

import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';

function preflight(url: string, origin: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
}

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));
}

describe('CORS', () => {
  it('lets any origin call without credentials by default', async () => {
    await using gateway = await startTestGateway();
    const response = await preflight(gateway.url, 'https://evil.example');
    expect(response.status).toBe(204);
    const headers = corsHeaders(response);
    expect(headers['access-control-allow-origin']).toBe('https://evil.example');
    expect(headers['access-control-allow-methods']).toBe('GET, POST');
    expect(headers['access-control-allow-headers']).toBe('content-type, authorization');
    expect(headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('answers an allowed origin, never with credentials, on the preflight and the request', async () => {
    await using gateway = await startTestGateway({
      env: { CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' },
    });
    const allowed = await preflight(gateway.url, 'https://admin.example.com');
    expect(allowed.status).toBe(204);
    expect(corsHeaders(allowed)).toMatchObject({ 'access-control-allow-origin': 'https://admin.example.com' });
    expect(allowed.headers.get('vary')).toMatch(/Origin/i);
    expect(corsHeaders(allowed)['access-control-allow-credentials']).toBeUndefined();

    const request = await fetch(gateway.url, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await request.json()).toEqual({ data: { __typename: 'Query' } });
    expect(corsHeaders(request)['access-control-allow-origin']).toBe('https://app.example.com');
    expect(corsHeaders(request)['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives a refused origin no CORS headers at all', async () => {
    await using gateway = await startTestGateway({ env: { CORS_ORIGINS: 'https://app.example.com' } });
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const refused = await preflight(gateway.url, origin);
      expect(corsHeaders(refused), origin).toEqual({});
      expect(refused.headers.get('vary')).toMatch(/Origin/i);
    }
    const request = await fetch(gateway.url, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(corsHeaders(request)).toEqual({});
  });
});
