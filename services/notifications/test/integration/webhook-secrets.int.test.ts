import { rand, waitFor } from '@billing/testkit';
import { endpointSecretModel } from '../../src/db/webhook-endpoint.model';
import { newEndpointSecret } from '../../src/webhooks/signing';
import { TEST_SECRETS_KEY, useNotifications } from './harness';
import { verify, webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const K3 = `k3:${Buffer.alloc(32, 3).toString('base64')}`;

describe('webhook signing secrets at rest (SECRETS_ENCRYPTION_KEYS)', () => {
  const logs: string[] = [];
  /** Every secret this file saw: none may appear in a log line or a stored document. */
  const secrets: string[] = [];
  const h = useNotifications({ logs });

  const { createEndpoint, messagesOf, tierChanged } = webhookHelpers(h);
  /** The documents exactly as the store holds them. */
  const storedSecrets = (endpointId: string) =>
    h.infra.db.collection('webhook_endpoint_secrets').find({ endpointId }).sort({ createdAt: 1 }).toArray();
  /** Publishes a `tier.changed` and returns the webhook it brings to `path` (every endpoint gets one). */
  const nextDelivery = async (path: string) => {
    const to = () => h.receiver.requests.filter((r) => r.path === path);
    const before = to().length;
    await tierChanged();
    return waitFor(() => to()[before], { what: `a webhook to ${path}` });
  };

  let endpoint: { id: string; secret: string; path: string };
  let legacy: { id: string; secret: string; path: string };

  it('stores the secret encrypted under the first key, bound to its endpoint, and signs with it', async () => {
    const path = `/enc-${rand(4)}`;
    endpoint = { ...(await createEndpoint(['tier.changed'], path)), path };
    secrets.push(endpoint.secret);

    const stored = await storedSecrets(endpoint.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.secret).toMatch(/^enc:v1:k1:/);
    const raw = JSON.stringify(stored);
    expect(raw).not.toContain(endpoint.secret);
    expect(raw).not.toContain(endpoint.secret.slice('whsec_'.length));

    const request = await nextDelivery(path);
    expect(verify(endpoint.secret, request).event).toBe('tier.changed');
  });

  it('still signs with a plaintext secret stored before encryption was configured', async () => {
    const path = `/plain-${rand(4)}`;
    const plaintext = newEndpointSecret();
    const created = await createEndpoint(['tier.changed'], path);
    legacy = { id: created.id, secret: plaintext, path };
    secrets.push(created.secret, plaintext);
    // As a release before SECRETS_ENCRYPTION_KEYS left it: the one secret, in clear.
    const model = endpointSecretModel(h.infra.db);
    const [doc] = await model.find({ endpointId: legacy.id }).lean();
    await model.deleteMany({ endpointId: legacy.id });
    await model.create({ ...doc!, secret: plaintext });
    await h.api('PATCH', `/webhooks/endpoints/${legacy.id}`, { description: 'reload' });

    const request = await nextDelivery(path);
    expect(verify(plaintext, request).event).toBe('tier.changed');
  });

  it('reads secrets of the old key after a new key is put first, and encrypts a rotated secret with the new key', async () => {
    await h.restart({ SECRETS_ENCRYPTION_KEYS: `${K2},${TEST_SECRETS_KEY}` });
    const afterRestart = await nextDelivery(endpoint.path);
    expect(verify(endpoint.secret, afterRestart).event).toBe('tier.changed');

    const rotated = (
      await h.api('POST', `/webhooks/endpoints/${endpoint.id}/rotate-secret`, { graceSeconds: 60 })
    ).body as { secret: string; previousSecretsExpireAt: string[] };
    secrets.push(rotated.secret);
    expect(rotated.previousSecretsExpireAt).toHaveLength(1);
    const stored = await storedSecrets(endpoint.id);
    expect(stored.map((s) => (s.secret as string).split(':').slice(0, 3).join(':'))).toEqual([
      'enc:v1:k1',
      'enc:v1:k2',
    ]);
    expect(JSON.stringify(stored)).not.toContain(rotated.secret.slice('whsec_'.length));

    const signedByBoth = await nextDelivery(endpoint.path);
    expect(signedByBoth.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, signedByBoth).event).toBe('tier.changed');
    expect(verify(rotated.secret, signedByBoth).event).toBe('tier.changed');
  });

  it('fails a delivery clearly when a secret is under a key no longer configured, sending nothing', async () => {
    await h.restart({ SECRETS_ENCRYPTION_KEYS: K3 });
    const before = h.receiver.requests.filter((r) => r.path === endpoint.path).length;
    // The endpoint whose secret is in clear still gets it: only the unreadable one fails.
    const toLegacy = await nextDelivery(legacy.path);
    expect(verify(legacy.secret, toLegacy).event).toBe('tier.changed');

    const message = await waitFor(
      async () => (await messagesOf(endpoint.id)).find((m) => m.status !== 'delivered' && m.attempts >= 1),
      { what: 'a failed attempt' },
    );
    const attempts = (await h.api('GET', `/webhooks/messages/${message.id}/attempts`)).body.items;
    expect(attempts[0]).toMatchObject({ status: 'failed', statusCode: null });
    expect(attempts[0].error).toMatch(
      /^not sent: stored secret is encrypted with key id "k[12]", which SECRETS_ENCRYPTION_KEYS does not list$/,
    );
    expect(h.receiver.requests.filter((r) => r.path === endpoint.path)).toHaveLength(before);
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'webhook not signed: secret unreadable',
        endpointId: endpoint.id,
        error: attempts[0].error,
      }),
    );
  });

  it('never wrote a secret into a log line', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const line of logs) {
      for (const secret of secrets) expect(line).not.toContain(secret.slice('whsec_'.length));
    }
  });
});
