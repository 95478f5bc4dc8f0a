import { spawn } from 'node:child_process';
import path from 'node:path';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { freePort, rand, waitFor } from '@billing/testkit';
import { useNotifications } from './harness';
import { verify, webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

describe('outbound webhook signatures: secret rotation and the subscriber example', () => {
  const h = useNotifications();

  const { createEndpoint, messagesOf, tierChanged } = webhookHelpers(h);

  it('signs with the old and the new secret during a rotation grace period, then with the new one only', async () => {
    const endpoint = await createEndpoint(['tier.changed']);
    const rotated = (
      await h.api('POST', `/webhooks/endpoints/${endpoint.id}/rotate-secret`, { graceSeconds: 60 })
    ).body;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretsExpireAt).toHaveLength(1);

    await tierChanged();
    await waitFor(() => h.receiver.requests.length === 1, { what: 'delivery during grace' });
    const during = h.receiver.requests[0]!;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(endpoint.secret, during).event).toBe('tier.changed');
    expect(verify(rotated.secret, during).event).toBe('tier.changed');

    const again = (
      await h.api('POST', `/webhooks/endpoints/${endpoint.id}/rotate-secret`, { graceSeconds: 0 })
    ).body;
    await tierChanged();
    await waitFor(() => h.receiver.requests.length === 2, { what: 'delivery after grace' });
    const after = h.receiver.requests[1]!;
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verify(again.secret, after).event).toBe('tier.changed');
    expect(() => verify(endpoint.secret, after)).toThrow(WebhookVerificationError);
    expect(() => verify(rotated.secret, after)).toThrow(WebhookVerificationError);
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });

  it('keeps the secrets of two rotations made at the same moment: the newer signs, the other for its grace period', async () => {
    h.receiver.requests.length = 0;
    const endpoint = await createEndpoint(['tier.changed']);
    const rotations = await Promise.all(
      [0, 1].map(
        async () =>
          (await h.api('POST', `/webhooks/endpoints/${endpoint.id}/rotate-secret`, { graceSeconds: 60 }))
            .body,
      ),
    );
    const listed = (await h.api('GET', `/webhooks/endpoints/${endpoint.id}`)).body;
    expect(listed.secrets).toHaveLength(3);
    expect(listed.secrets.filter((s: { expiresAt: string | null }) => s.expiresAt === null)).toHaveLength(1);

    await tierChanged();
    await waitFor(() => h.receiver.requests.length === 1, { what: 'delivery after two rotations' });
    const request = h.receiver.requests[0]!;
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(3);
    for (const secret of [endpoint.secret, ...rotations.map((r) => r.secret)]) {
      expect(verify(secret, request).event).toBe('tier.changed');
    }
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });

  it('is verified by the runnable subscriber example, which rejects a forged request', async () => {
    const port = await freePort();
    const endpoint = (
      await h.api('POST', '/webhooks/endpoints', {
        url: `http://127.0.0.1:${port}/`,
        events: ['tier.changed'],
      })
    ).body;
    const output: string[] = [];
    const example = spawn(process.execPath, [path.join(__dirname, '../../examples/webhook-subscriber.mjs')], {
      env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: endpoint.secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    example.stdout.on('data', (c: Buffer) => output.push(...c.toString().split('\n').filter(Boolean)));
    example.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    try {
      await waitFor(() => output.some((l) => l.startsWith('listening')), { what: 'example listening' });
      const email = `example-${rand(4)}@example.com`;
      await tierChanged(email);
      // An earlier test's tier change may still reach the new endpoint: wait for this one's.
      const line = await waitFor(
        () => output.find((l) => l.startsWith('verified tier.changed') && l.includes(email)),
        { what: `verified line for ${email}` },
      );
      expect(line).toContain(email);
      // The example answered 204, so the message ends up delivered.
      await waitFor(async () => (await messagesOf(endpoint.id))[0]?.status === 'delivered', {
        what: 'delivered',
      });

      const body = JSON.stringify({
        id: 'whevt_forged',
        event: 'tier.changed',
        createdAt: new Date().toISOString(),
        data: {},
      });
      const forged = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).sign(
        'whevt_forged',
        new Date(),
        body,
      );
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body,
        headers: {
          'webhook-id': 'whevt_forged',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': forged,
        },
      });
      expect(res.status).toBe(400);
      // The example logs after answering: its line may reach us a moment after the answer.
      await waitFor(() => output.includes('rejected: No matching signature found'), {
        what: 'the rejection logged',
      });
    } finally {
      example.kill('SIGTERM');
      await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
    }
  });
});
