import { STRIPE_RECONCILER_BUCKET } from '@billing/contracts';
import { connectNats, createLogger, type NatsHandle } from '@billing/runtime';
import { startNatsServer, type NatsServer } from '@billing/testkit';
import { keyValueReconcilerState } from '../../src/reconcile/reconciler-state';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });

describe("the reconciler's state under the services' NATS identities", () => {
  let server: NatsServer;
  const handles: NatsHandle[] = [];
  const as = async (identity: 'gateway' | 'orders') => {
    const handle = await connectNats(server.urlFor(identity), identity, logger, 2000);
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await server.destroy();
  });

  it('lets the gateway create its bucket, keep a cursor and take a lease', async () => {
    const state = await keyValueReconcilerState(await as('gateway'));
    await state.saveCursor('default', { until: 1_700_000_000, checkedAt: '2023-11-14T22:13:20.000Z' });
    expect(await state.cursor('default')).toEqual({
      until: 1_700_000_000,
      checkedAt: '2023-11-14T22:13:20.000Z',
    });
    const release = await state.lease('default', 'replica-1', 60_000);
    expect(release).toBeDefined();
    expect(await state.lease('default', 'replica-2', 60_000)).toBeUndefined();
    await release!();
    expect(await state.lease('default', 'replica-2', 60_000)).toBeDefined();
  });

  it(`keeps every other service out of ${STRIPE_RECONCILER_BUCKET.name}`, async () => {
    await expect(keyValueReconcilerState(await as('orders'))).rejects.toThrow(/permission|timeout|denied/i);
  });
});
