import { servicePermissions } from './permissions';
import { STRIPE_EVENTS_STREAM } from './streams';
import { stripeEventSubject, stripeV2EventSubject, stripeV2EventValidator } from './stripe';

describe('Stripe subjects', () => {
  it('keeps the dots of v2 event types and refuses what is not one', () => {
    expect(stripeV2EventSubject('v2.core.event_destination.ping')).toBe(
      'stripe.v2event.v2.core.event_destination.ping',
    );
    expect(stripeV2EventSubject('v1.billing.meter.error_report_triggered')).toBe(
      'stripe.v2event.v1.billing.meter.error_report_triggered',
    );
    expect(stripeV2EventSubject('v2.core.account[requirements].updated')).toBe(
      'stripe.v2event.v2.core.account[requirements].updated',
    );
    for (const bad of [
      'invoice.paid',
      'v2',
      'v2.core.>',
      'v2.core.*',
      'v2..ping',
      'v2.core ping',
      'V2.Core.x',
    ]) {
      expect(() => stripeV2EventSubject(bad)).toThrow(/not a Stripe v2 event type/);
    }
  });

  it('stores v1 snapshot and v2 events in the one stream the gateway may publish to', () => {
    expect(STRIPE_EVENTS_STREAM.subjects).toEqual(['stripe.event.>', 'stripe.v2event.>']);
    const gateway = servicePermissions('gateway').publish;
    expect(gateway).toEqual(expect.arrayContaining(['stripe.event.>', 'stripe.v2event.>']));
    expect(servicePermissions('orders').publish).not.toContain('stripe.v2event.>');
    expect(stripeEventSubject('invoice.paid')).toBe('stripe.event.invoice.paid');
  });

  it('validates a thin notification as Stripe sends it', () => {
    const notification = {
      id: 'evt_test_65R9Ijk8ixmEoZV6r1d16RGTOyXbSQkvaZHBXqjOKSuUcmq',
      object: 'v2.core.event',
      type: 'v1.invoice.paid',
      livemode: false,
      created: '2025-11-03T10:15:00.000Z',
      context: null,
      snapshot_event: 'evt_1QxYz',
      related_object: { id: 'in_1', type: 'invoice', url: '/v1/invoices/in_1' },
    };
    expect(stripeV2EventValidator.check(notification)).toBe(true);
    expect(stripeV2EventValidator.check({ ...notification, object: 'event' })).toBe(false);
    expect(stripeV2EventValidator.check({ ...notification, created: 1_763_000_000 })).toBe(false);
    expect(stripeV2EventValidator.check({ ...notification, snapshot_event: 'in_1' })).toBe(false);
  });
});
