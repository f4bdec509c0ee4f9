import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultCacheSizes, defaultLimits, loadConfig } from '../src/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('gives every contract default for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.upstreamUrl).toBeUndefined();
    expect(config.upstreamToken).toBeUndefined();
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.upstreamRetries).toBe(2);
    expect(config.upstreamPageBase).toBe(1);
    expect(config.upstreamMaxTake).toBe(100);
    expect(config.exposeSecretKeys).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.limits).toEqual(defaultLimits);
    expect(config.caches).toEqual(defaultCacheSizes);
    expect(config.corsOrigins).toBe('*');
    expect(config.heapGrowthPercent).toBe(100);
    expect(config.workers).toBe(1);
  });

  it('WORKERS: a count, or auto for the cores this process may use', () => {
    expect(loadConfig({ WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(loadConfig({ WORKERS: 'AUTO' }).workers).toBe(availableParallelism());
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ PORT: '', UPSTREAM_URL: '   ', UPSTREAM_TOKEN: '', EXPOSE_SECRET_KEYS: ' ' });
    expect(config.port).toBe(4000);
    expect(config.upstreamUrl).toBeUndefined();
    expect(config.upstreamToken).toBeUndefined();
    expect(config.exposeSecretKeys).toBe(false);
  });

  it('is frozen, limits included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.limits as { maxDepth: number }).maxDepth = 1_000;
    }).toThrow(TypeError);
    expect(config.port).toBe(4000);
    expect(config.limits.maxDepth).toBe(defaultLimits.maxDepth);
  });
});

describe('loadConfig reads', () => {
  it('every contract setting', () => {
    const config = loadConfig({
      PORT: '8080',
      UPSTREAM_URL: 'https://api.example.com:8443/v2',
      UPSTREAM_TOKEN: 'tok_123',
      UPSTREAM_TIMEOUT_MS: '2500',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_PAGE_BASE: '0',
      UPSTREAM_MAX_TAKE: '50',
      EXPOSE_SECRET_KEYS: 'true',
      LOG_LEVEL: 'warn',
    });
    expect(config.port).toBe(8080);
    expect(config.upstreamUrl?.href).toBe('https://api.example.com:8443/v2');
    expect(config.upstreamToken).toBe('tok_123');
    expect(config.upstreamTimeoutMs).toBe(2_500);
    expect(config.upstreamRetries).toBe(0);
    expect(config.upstreamPageBase).toBe(0);
    expect(config.upstreamMaxTake).toBe(50);
    expect(config.exposeSecretKeys).toBe(true);
    expect(config.logLevel).toBe('warn');
  });

  it('cache bounds in MiB, and compiled execution switched off with a zero', () => {
    const config = loadConfig({ DOCUMENT_CACHE_MB: '8', COMPILED_CACHE_MB: '0', COMPILE_AFTER_USES: '3' });
    expect(config.caches).toEqual({ documentBytes: 8 * 1024 * 1024, compiledBytes: 0, compileAfterUses: 3 });
  });

  it('CORS origins as a list, blanks trimmed', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('plain http URLs, with surrounding blanks trimmed', () => {
    expect(loadConfig({ UPSTREAM_URL: ' http://localhost:9000 ' }).upstreamUrl?.href).toBe('http://localhost:9000/');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('EXPOSE_SECRET_KEYS=%s as %s', (value, expected) => {
    expect(loadConfig({ EXPOSE_SECRET_KEYS: value }).exposeSecretKeys).toBe(expected);
  });
});

describe('loadConfig refuses a bad value with one line naming the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '1e3'],
    ['UPSTREAM_URL', 'ftp://x'],
    ['UPSTREAM_URL', 'not a url'],
    ['UPSTREAM_URL', 'localhost:8080'],
    ['UPSTREAM_URL', 'http://host/?page=1'],
    ['UPSTREAM_URL', 'http://host/#top'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_TIMEOUT_MS', 'ten'],
    ['UPSTREAM_RETRIES', '-1'],
    ['UPSTREAM_RETRIES', '11'],
    ['UPSTREAM_PAGE_BASE', '-1'],
    ['UPSTREAM_MAX_TAKE', '0'],
    ['EXPOSE_SECRET_KEYS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'INFO '.repeat(3)],
    ['CORS_ORIGINS', 'https://app.example.com/'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://a.example.com,*'],
    ['CORS_ORIGINS', 'https://a.example.com,'],
    ['DOCUMENT_CACHE_MB', '-1'],
    ['COMPILED_CACHE_MB', 'lots'],
    ['HEAP_GROWTH_PERCENT', '5000'],
    ['WORKERS', '0'],
    ['WORKERS', 'two'],
    ['WORKERS', '1000'],
  ])('%s=%j', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(name);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  // An environment value may span lines; echoing it must not break the one line.
  it.each([
    ['PORT', '40\n00'],
    ['LOG_LEVEL', 'info\nwarn'],
    ['EXPOSE_SECRET_KEYS', 'true\r\nfalse'],
  ])('stays on one line for a multi-line %s=%j', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  it('refuses a headers timeout over the request timeout', () => {
    const error = configError({ HEADERS_TIMEOUT_MS: '20000' });
    expect(error.message).toBe('HEADERS_TIMEOUT_MS (20000) must not be over REQUEST_TIMEOUT_MS (15000)');
  });

  it('MAX_COST, no longer read, says what replaced it', () => {
    expect(() => loadConfig({ MAX_COST: '500000' })).toThrow(
      /^MAX_COST is no longer read: .*MAX_UPSTREAM_CALLS bounds them$/,
    );
  });

  it('names the bad variable, not the good ones around it', () => {
    const error = configError({ PORT: '4000', UPSTREAM_RETRIES: 'lots', LOG_LEVEL: 'debug' });
    expect(error.message).toMatch(/^UPSTREAM_RETRIES\b/);
  });

  it.each([
    'http://user:tok_sk_live_x@example.com',
    'https://:sk_live_x@example.com/base',
    'http://example.com/?token=sk_live_x',
    'sk_live_x',
    'Bearer sk_live_x',
    'http://exa mple.com/sk_live_x',
    'http://[sk_live_x]/',
  ])('does not echo a credential in UPSTREAM_URL=%j', (value) => {
    const error = configError({ UPSTREAM_URL: value });
    expect(error.message).toContain('UPSTREAM_URL');
    expect(error.message).not.toContain('sk_live_x');
    expect(error.message).not.toContain('tok_');
  });

  it('says what a URL without its scheme misses, echoing only its host and port', () => {
    expect(configError({ UPSTREAM_URL: 'localhost:9000' }).message).toBe(
      'UPSTREAM_URL must be an absolute http(s) URL such as http://localhost:9000, got "localhost:9000"',
    );
    expect(configError({ UPSTREAM_URL: 'api.internal:8443/v1/sk_live_x' }).message).toBe(
      'UPSTREAM_URL must be an absolute http(s) URL such as http://api.internal:8443/…, got "api.internal:8443/…"',
    );
    for (const value of ['user:sk_live_x@api.internal:8443', 'user:8443@api.internal']) {
      const { message } = configError({ UPSTREAM_URL: value });
      expect(message).toBe('UPSTREAM_URL must be an absolute http(s) URL such as http://localhost:9000');
    }
  });
});

describe('the embedded demo upstream', () => {
  it('serves without UPSTREAM_URL, as npm start on a fresh clone does', () => {
    expect(loadConfig({}).demoUpstream).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).demoUpstream).toBe(true);
    expect(loadConfig({ UPSTREAM_URL: 'http://localhost:9000' }).demoUpstream).toBe(false);
  });

  it('with NODE_ENV=production, serves only when DEMO_UPSTREAM=true', () => {
    expect(loadConfig({ NODE_ENV: 'production', DEMO_UPSTREAM: 'true' })).toMatchObject({
      demoUpstream: true,
      upstreamUrl: undefined,
    });
    expect(loadConfig({ NODE_ENV: 'production', UPSTREAM_URL: 'http://localhost:9000' }).demoUpstream).toBe(false);
    expect(configError({ NODE_ENV: 'production' }).message).toBe(
      'UPSTREAM_URL is not set, and NODE_ENV=production serves no demo data: set UPSTREAM_URL to the REST API (or DEMO_UPSTREAM=true for the embedded demo)',
    );
    expect(configError({ NODE_ENV: 'production', DEMO_UPSTREAM: 'false' }).message).toMatch(/^UPSTREAM_URL is not set/);
  });

  it('DEMO_UPSTREAM=false asks for UPSTREAM_URL whatever NODE_ENV says', () => {
    expect(configError({ DEMO_UPSTREAM: 'false' }).message).toBe(
      'UPSTREAM_URL is not set and DEMO_UPSTREAM=false: set UPSTREAM_URL to the REST API',
    );
  });

  it('refuses DEMO_UPSTREAM=true beside an UPSTREAM_URL, naming both', () => {
    const { message } = configError({ DEMO_UPSTREAM: 'true', UPSTREAM_URL: 'http://localhost:9000' });
    expect(message).toBe(
      'DEMO_UPSTREAM=true and UPSTREAM_URL are both set: serve the embedded demo or the REST API, not both',
    );
  });

  it('refuses a DEMO_UPSTREAM that is not a boolean', () => {
    expect(configError({ DEMO_UPSTREAM: 'sometimes' }).message).toBe(
      'DEMO_UPSTREAM must be true or false, got "sometimes"',
    );
  });
});

describe('per-caller rate limits', () => {
  it('are off by default, keyed by the credential', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      key: { kind: 'credential' },
      operationsPerMinute: 0,
      upstreamCallsPerMinute: 0,
      trustedProxies: [],
    });
  });

  it('RATE_LIMIT_KEY: credential, ip, or header:NAME (its name in lower case)', () => {
    expect(loadConfig({ RATE_LIMIT_KEY: 'ip' }).rateLimits.key).toEqual({ kind: 'ip' });
    expect(loadConfig({ RATE_LIMIT_KEY: 'header:X-Client-Id' }).rateLimits.key).toEqual({
      kind: 'header',
      header: 'x-client-id',
    });
    for (const bad of ['cookie', 'header:', 'header:x client', 'IP']) {
      expect(configError({ RATE_LIMIT_KEY: bad }).message).toBe(
        `RATE_LIMIT_KEY must be credential, ip or header:NAME (such as header:x-client-id), got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('TRUSTED_PROXIES: addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1,fd00::/8,::1' }).rateLimits.trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      'fd00::/8',
      '::1',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.0/8/1', 'fd00::/129']) {
      expect(configError({ TRUSTED_PROXIES: bad }).message).toBe(
        `TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges such as 10.0.0.0/8, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('the limits: whole numbers, 0 for off', () => {
    const { rateLimits } = loadConfig({
      RATE_LIMIT_OPERATIONS_PER_MINUTE: '600',
      RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '6000',
    });
    expect(rateLimits).toMatchObject({ operationsPerMinute: 600, upstreamCallsPerMinute: 6_000 });
    expect(configError({ RATE_LIMIT_OPERATIONS_PER_MINUTE: '-1' }).message).toMatch(
      /^RATE_LIMIT_OPERATIONS_PER_MINUTE /,
    );
  });
});
