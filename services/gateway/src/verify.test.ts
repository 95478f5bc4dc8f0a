import { signStripePayload } from '@billing/testkit';
import { verifyStripeEvent } from './verify';

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
