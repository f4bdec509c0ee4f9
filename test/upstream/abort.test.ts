import { describe, expect, it, vi } from 'vitest';
import { graphql } from '../generated/index.ts';
import { createRecordingLogger, startTestGateway } from '../helpers/gateway.ts';

const acmeAssistants = graphql(`
  query CancelledAssistants { organization(restId: "acme") { assistants { nodes { restId } } } }
`);

describe('cancellation', () => {
  it('cancels the upstream call when the caller goes away', async () => {
    await using gateway = await startTestGateway();
    // Never released: the upstream has not answered when the caller leaves, and never will.
    const call = gateway.upstream.hold('acme');
    const caller = new AbortController();
    const pending = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: String(acmeAssistants) }),
      signal: caller.signal,
    });
    const outcome = pending.then(
      () => 'answered',
      () => 'aborted',
    );
    await call.arrived;
    caller.abort();
    expect(await outcome).toBe('aborted');
    // Only the gateway can have ended the upstream request.
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(0), { timeout: 5_000 });
  });

  it('neither retries nor logs a call whose caller went away', async () => {
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({ env: { LOG_LEVEL: 'debug' }, logger });
    // Never released: the caller leaves while the call is in flight.
    const call = gateway.upstream.hold('acme');
    const caller = new AbortController();
    const pending = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: String(acmeAssistants) }),
      signal: caller.signal,
    }).catch(() => 'aborted');
    await call.arrived;
    caller.abort();
    expect(await pending).toBe('aborted');
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(0));
    // A later request runs after the cancelled one has settled.
    const after = await gateway.query(acmeAssistants);
    expect(after.errors).toBeUndefined();
    expect(gateway.upstream.requests).toHaveLength(2);
    expect(logger.records().filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});
