import { signStripePayload } from '@billing/testkit';
import { verifyStripeEvent, verifyStripeWebhook } from './verify';

const secret = 'whsec_unit_test_secret';
const event = {
  id: 'evt_1QxYz',
  object: 'event',
  api_version: '2025-03-31.basil',
  created: 1_763_000_000,
  livemode: false,
  type: 'invoice.paid',
  data: { object: { id: 'in_1', object: 'invoice' } },
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('verifyStripeEvent', () => {
  const body = Buffer.from(JSON.stringify(event));
  const now = Math.floor(Date.now() / 1000);

  it('returns the parsed event for a valid signature from any configured secret', async () => {
    const header = signStripePayload(body.toString(), secret);
    await expect(verifyStripeEvent(body, header, ['whsec_other', secret], 300)).resolves.toMatchObject({
      id: 'evt_1QxYz',
      type: 'invoice.paid',
    });
  });

  it('names what is wrong with the header', async () => {
    expect(await codeOf(verifyStripeEvent(body, undefined, [secret], 300))).toBe('missing_signature');
    expect(await codeOf(verifyStripeEvent(body, ['a', 'b'], [secret], 300))).toBe('malformed_signature');
    expect(await codeOf(verifyStripeEvent(body, 't=abc,v1=00', [secret], 300))).toBe('malformed_signature');
    expect(await codeOf(verifyStripeEvent(body, `t=${now}`, [secret], 300))).toBe('malformed_signature');
    expect(await codeOf(verifyStripeEvent(body, `t=${now},v1=00`, [secret], 300))).toBe('signature_mismatch');
  });

  it('rejects a timestamp outside the tolerance in either direction', async () => {
    const past = signStripePayload(body.toString(), secret, now - 301);
    const future = signStripePayload(body.toString(), secret, now + 301);
    expect(await codeOf(verifyStripeEvent(body, past, [secret], 300))).toBe('timestamp_out_of_tolerance');
    expect(await codeOf(verifyStripeEvent(body, future, [secret], 300))).toBe('timestamp_out_of_tolerance');
    expect(await codeOf(verifyStripeEvent(body, past, [secret], 600))).toBe('ok');
  });
});

describe('verifyStripeWebhook', () => {
  const thinSecret = 'whsec_unit_test_thin_secret';
  const notification = {
    id: 'evt_test_65R9Ijk8ixmEoZV6r1d16RGTOyXbSQkvaZHBXqjOKSuUcmq',
    object: 'v2.core.event',
    type: 'v1.billing.meter.error_report_triggered',
    livemode: false,
    created: '2025-11-03T10:15:00.000Z',
    context: null,
    related_object: { id: 'mtr_test_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_test_1' },
  };
  const thinBody = Buffer.from(JSON.stringify(notification));
  const snapshotBody = Buffer.from(JSON.stringify(event));
  const options = { secrets: [secret], thinSecrets: ['whsec_rolled_out', thinSecret], toleranceSeconds: 300 };
  const now = Math.floor(Date.now() / 1000);

  it('tells a thin notification from a snapshot event and verifies each with its own secrets', async () => {
    const thin = await verifyStripeWebhook(
      thinBody,
      signStripePayload(thinBody.toString(), thinSecret),
      options,
    );
    expect(thin).toEqual({ kind: 'thin', notification });
    const snapshot = await verifyStripeWebhook(
      snapshotBody,
      signStripePayload(snapshotBody.toString(), secret),
      options,
    );
    expect(snapshot).toMatchObject({ kind: 'snapshot', event: { id: 'evt_1QxYz' } });
  });

  it('refuses a thin notification signed with a snapshot secret, and the reverse', async () => {
    const thinWithSnapshotSecret = signStripePayload(thinBody.toString(), secret);
    expect(await codeOf(verifyStripeWebhook(thinBody, thinWithSnapshotSecret, options))).toBe(
      'signature_mismatch',
    );
    const snapshotWithThinSecret = signStripePayload(snapshotBody.toString(), thinSecret);
    expect(await codeOf(verifyStripeWebhook(snapshotBody, snapshotWithThinSecret, options))).toBe(
      'signature_mismatch',
    );
  });

  it('names the variable when no thin secret is configured', async () => {
    const header = signStripePayload(thinBody.toString(), thinSecret);
    const refused = verifyStripeWebhook(thinBody, header, { ...options, thinSecrets: [] });
    await expect(refused).rejects.toMatchObject({
      statusCode: 400,
      code: 'thin_events_not_configured',
      message: expect.stringContaining('STRIPE_THIN_WEBHOOK_SECRET'),
    });
  });

  it('checks a thin notification header like a snapshot one', async () => {
    expect(await codeOf(verifyStripeWebhook(thinBody, undefined, options))).toBe('missing_signature');
    expect(await codeOf(verifyStripeWebhook(thinBody, 'garbage', options))).toBe('malformed_signature');
    const old = signStripePayload(thinBody.toString(), thinSecret, now - 301);
    expect(await codeOf(verifyStripeWebhook(thinBody, old, options))).toBe('timestamp_out_of_tolerance');
    const tampered = Buffer.from(thinBody.toString().replace('mtr_test_1', 'mtr_test_2'));
    const header = signStripePayload(thinBody.toString(), thinSecret);
    expect(await codeOf(verifyStripeWebhook(tampered, header, options))).toBe('signature_mismatch');
  });

  it('refuses a signed thin body that is not a Stripe event notification', async () => {
    for (const body of [
      { ...notification, id: 'not_an_event' },
      { ...notification, type: 'v2.core.>' },
      { ...notification, object: 'v2.core.account' },
    ]) {
      const raw = Buffer.from(JSON.stringify(body));
      const header = signStripePayload(raw.toString(), thinSecret);
      expect(await codeOf(verifyStripeWebhook(raw, header, options))).toBe('invalid_event');
    }
  });
});
