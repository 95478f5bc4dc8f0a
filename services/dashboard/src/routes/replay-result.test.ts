import { UpstreamError } from '../upstream/api-client';
import { countReplay, decodeReplay, encodeReplay, replayFailure } from './replay-result';

describe('a Stripe replay result in the redirect', () => {
  const orders = countReplay('orders', {
    replayed: 2,
    items: [
      {
        eventId: 'evt_1',
        type: 'invoice.paid',
        consumer: 'orders-stripe',
        outcome: 'skipped',
        reason: 'already',
      },
      { eventId: 'evt_2', type: 'invoice.paid', consumer: 'orders-stripe', outcome: 'skipped', reason: null },
      { eventId: 'evt_2', type: 'invoice.paid', consumer: 'orders-other', outcome: 'failed', reason: 'boom' },
    ],
  });

  it('counts each consumer’s outcomes and reads them back as they were', () => {
    const down = replayFailure('licensing', new UpstreamError('licensing', null, 'unreachable', 'down'));
    const param = encodeReplay([orders, down]);
    expect(param).toBe(
      'orders=2,orders:orders-stripe:skipped=2,orders:orders-other:failed=1,licensing!unreachable',
    );
    expect(decodeReplay(param)).toEqual([
      {
        service: 'orders',
        replayed: 2,
        counts: [
          { consumer: 'orders-stripe', outcome: 'skipped', events: 2 },
          { consumer: 'orders-other', outcome: 'failed', events: 1 },
        ],
      },
      { service: 'licensing', error: 'unreachable' },
    ]);
  });

  it('reads nothing that is not its own grammar (a crafted link shows no words)', () => {
    for (const crafted of [
      'orders=1,orders:orders-stripe:hacked=1',
      'orders=1,orders:<b>x</b>:done=1',
      'notifications=1',
      'orders!Call support at 555',
      'orders:orders-stripe:done=1',
      '',
    ]) {
      expect(decodeReplay(crafted)).toBeUndefined();
    }
    expect(() => replayFailure('orders', new Error('bug'))).toThrow('bug');
  });
});
