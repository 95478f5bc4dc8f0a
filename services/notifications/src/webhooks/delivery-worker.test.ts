import { createLogger } from '@billing/runtime';
import { DeliveryWorker, type DeliveryWorkerDeps } from './delivery-worker';

describe('DeliveryWorker.stop', () => {
  it('waits for the scan under way and sends nothing after it resolved', async () => {
    let releaseDue: (messages: unknown[]) => void = () => undefined;
    let delivered = 0;
    let closed = false;
    let touchedAfterStop = 0;
    const open = <T>(value: T): T => {
      if (closed) touchedAfterStop += 1;
      return value;
    };
    const message = {
      _id: 'm1',
      endpointId: 'e1',
      eventId: 'whevt_1',
      event: 'x',
      body: '{}',
      attemptCount: 0,
    };
    const deps = {
      messages: {
        due: () => new Promise((resolve) => (releaseDue = resolve)),
        recordAttempt: async () => open(true),
      },
      attempts: { claim: async () => open('a1'), complete: async () => open(undefined) },
      endpoints: { recordSuccess: async () => open(undefined) },
      directory: {
        get: () =>
          open({
            _id: 'e1',
            status: 'enabled',
            url: 'http://receiver.example',
            secrets: [{ secret: `whsec_${Buffer.alloc(32).toString('base64')}`, expiresAt: null }],
            failingSince: null,
          }),
        changed: async () => open(undefined),
      },
      deliver: async () => {
        open(undefined);
        delivered += 1;
        return { ok: true, statusCode: 204, durationMs: 1, responseSnippet: null, error: null };
      },
      notifyDisabled: async () => undefined,
      logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
    } as unknown as DeliveryWorkerDeps;
    const worker = new DeliveryWorker(deps, {
      retryScheduleMs: [0],
      disableAfterMs: 1e9,
      pollIntervalMs: 1e6,
      concurrency: 4,
      timeoutMs: 1000,
    });

    worker.start(); // the scan now waits for the due-messages query
    const stopped = worker.stop();
    releaseDue([message]); // the query answers while the service is stopping
    await stopped;
    closed = true; // the service closes the database once stop() resolved
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(touchedAfterStop).toBe(0);
    expect(delivered).toBe(0);
  });
});
