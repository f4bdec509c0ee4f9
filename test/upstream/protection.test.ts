// The upstream's protection: calls in flight bounded (then RATE_LIMITED at
// once), and a circuit breaker that stops calling a failing upstream and
// recovers on its own; counted by the demo upstream itself.

import { describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from '../../src/upstream/circuit-breaker.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { holdEach } from '../helpers/waits.ts';

const firstPage = (org: string) => `{ organization(restId: "${org}") { assistants(first: 2) { nodes { restId } } } }`;

describe('the circuit breaker, as a state machine', () => {
  it('opens after the threshold of failures in a row, probes once after openMs, and closes on success', () => {
    let now = 0;
    const changes: boolean[] = [];
    const breaker = createCircuitBreaker({
      threshold: 3,
      openMs: 1_000,
      now: () => now,
      onChange: (open) => changes.push(open),
    });
    breaker.record(true, false);
    breaker.record(true, false);
    breaker.record(false, false); // a success resets the run
    for (let i = 0; i < 3; i++) {
      expect(breaker.admit().allowed).toBe(true);
      breaker.record(true, false);
    }
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, retryInMs: 1_000 });
    now = 999;
    expect(breaker.admit().allowed).toBe(false);
    now = 1_000;
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit().allowed).toBe(false); // one probe at a time
    // A call admitted before the circuit opened, ending now, decides nothing.
    breaker.record(false, false);
    expect(breaker.state).toBe('half-open');
    breaker.record(false, true);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([true, false]);
  });

  it('a failed probe opens it again; an abandoned probe lets the next one through', () => {
    let now = 0;
    const breaker = createCircuitBreaker({ threshold: 1, openMs: 100, now: () => now });
    breaker.record(true, false);
    now = 100;
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    breaker.record(true, true);
    expect(breaker.state).toBe('open');
    now = 200;
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    breaker.abandon(true);
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
  });
});

describe('the circuit breaker, in front of a failing upstream', () => {
  it('after the threshold, fails fast with no upstream traffic; recovers on its own once the upstream is back', async () => {
    await using gateway = await startTestGateway({
      env: { UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '3', UPSTREAM_BREAKER_OPEN_MS: '300' },
    });
    gateway.upstream.inject({ status: 503 });
    for (let i = 0; i < 3; i++) {
      const failed = await gateway.query(firstPage('acme'));
      expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 503 });
    }
    expect(gateway.upstream.requestCount).toBe(3);

    for (let i = 0; i < 5; i++) {
      const refused = await gateway.query(firstPage('acme'));
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', reason: 'CIRCUIT_OPEN' });
    }
    expect(gateway.upstream.requestCount).toBe(3);
    expect(await gateway.metricsText()).toMatch(/upstream_circuit_open 1/);

    gateway.upstream.clearFaults();
    await vi.waitFor(
      async () => {
        const answered = await gateway.query(firstPage('acme'));
        expect(answered.errors).toBeUndefined();
      },
      { timeout: 3_000, interval: 100 },
    );
    expect(await gateway.metricsText()).toMatch(/upstream_circuit_open 0/);
    // One probe, then every call goes through again.
    expect(gateway.upstream.requestCount).toBe(4);
    expect((await gateway.query(firstPage('wayne'))).errors).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(5);
  });

  it('is not opened by 4xx answers: the upstream is up, it refused one caller', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_BREAKER_THRESHOLD: '2' } });
    gateway.upstream.inject({ orgId: 'globex', status: 403 });
    for (let i = 0; i < 4; i++) await gateway.query(firstPage('globex'));
    expect((await gateway.query(firstPage('acme'))).errors).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(5);
  });
});

describe('UPSTREAM_MAX_INFLIGHT', () => {
  it('holds calls in flight to the bound, queues UPSTREAM_MAX_QUEUED more, and refuses the rest at once as RATE_LIMITED', async () => {
    await using gateway = await startTestGateway({
      env: { UPSTREAM_MAX_INFLIGHT: '2', UPSTREAM_MAX_QUEUED: '1' },
    });
    // The first two calls are held at the upstream; the rest come while they are.
    const running = holdEach(gateway.upstream, [undefined, undefined]);
    const orgs = ['acme', 'globex', 'initech', 'wayne', 'hooli'];
    let settled = 0;
    const asked = orgs.map((org) => gateway.query(firstPage(org)).finally(() => settled++));
    await running.arrived;
    // One is queued behind them; two are answered without waiting for either.
    await vi.waitFor(() => expect(settled).toBe(2));
    running.release();
    const answers = await Promise.all(asked);
    const refused = answers.filter((answer) => answer.errors);
    expect(refused).toHaveLength(2);
    for (const answer of refused) {
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'UPSTREAM_MAX_INFLIGHT' });
    }
    expect(gateway.upstream.requestCount).toBe(3);
    expect(gateway.upstream.peakConcurrency).toBe(2);
  });
});
