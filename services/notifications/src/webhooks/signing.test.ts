import { Webhook } from 'standardwebhooks';
import { newEndpointSecret, signatureHeaders } from './signing';
import { outboundEventId, outboundMessageId } from './dispatcher';

describe('webhook signing', () => {
  it('signs with every given secret so a receiver holding any one of them verifies', () => {
    const [oldSecret, newSecret, other] = [newEndpointSecret(), newEndpointSecret(), newEndpointSecret()];
    const body = JSON.stringify({
      id: 'whevt_1',
      event: 'tier.changed',
      createdAt: '2026-01-01T00:00:00.000Z',
      data: {},
    });
    const headers = signatureHeaders('whevt_1', body, [newSecret, oldSecret], new Date());
    expect(headers['webhook-id']).toBe('whevt_1');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(oldSecret).verify(body, headers)).toMatchObject({ event: 'tier.changed' });
    expect(new Webhook(newSecret).verify(body, headers)).toMatchObject({ event: 'tier.changed' });
    expect(() => new Webhook(other).verify(body, headers)).toThrow('No matching signature found');
    expect(() => new Webhook(newSecret).verify(body.replace('tier', 'TIER'), headers)).toThrow();
  });

  it('derives stable ids: the same domain event gives the same webhook id, per event type and part', () => {
    const a = outboundEventId('licensing.order.licensed:ord_1', 'license.issued', 'lic_1');
    expect(a).toBe(outboundEventId('licensing.order.licensed:ord_1', 'license.issued', 'lic_1'));
    expect(a).not.toBe(outboundEventId('licensing.order.licensed:ord_1', 'license.issued', 'lic_2'));
    expect(a).not.toBe(outboundEventId('licensing.order.licensed:ord_1', 'checkout.completed'));
    expect(a).toMatch(/^whevt_[0-9a-f]{32}$/);
    expect(outboundMessageId(a, 'ep_1')).not.toBe(outboundMessageId(a, 'ep_2'));
  });
});
