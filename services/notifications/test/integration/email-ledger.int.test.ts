import { EmailSendRepository } from '../../src/db/email-send.repository';
import { useDatabase } from './harness';

describe('the email send ledger on the Mongo-protocol store', () => {
  const database = useDatabase('ledger');
  let ledger: EmailSendRepository;
  beforeAll(() => {
    ledger = new EmailSendRepository(database());
  });

  const claim = (now: Date) =>
    ledger.claim({
      eventId: 'evt_ledger',
      template: 'purchase-confirmation',
      to: 'ada@example.com',
      messageId: '<evt_ledger.purchase-confirmation@billing>',
      now,
      leaseMs: 60_000,
    });

  it('lets exactly one of several concurrent deliveries send, also when taking over a failed send', async () => {
    const first = await Promise.all(Array.from({ length: 5 }, () => claim(new Date())));
    expect(first.filter((c) => c.outcome === 'claimed')).toHaveLength(1);
    expect(first.filter((c) => c.outcome === 'busy')).toHaveLength(4);

    const winner = first.find((c) => c.outcome === 'claimed');
    if (winner?.outcome !== 'claimed') throw new Error('no claim won');
    await ledger.markFailed(winner.id, 'smtp refused');
    const retries = await Promise.all(Array.from({ length: 5 }, () => claim(new Date())));
    expect(retries.filter((c) => c.outcome === 'claimed')).toEqual([expect.objectContaining({ attempt: 2 })]);

    await ledger.markSent(winner.id, 'Your order is confirmed', new Date());
    expect(await claim(new Date())).toEqual({ outcome: 'already_sent' });
  });

  it('takes over after a taker died between its claim and the update of the row', async () => {
    const started = new Date('2026-03-01T10:00:00Z');
    const later = (ms: number) => new Date(started.getTime() + ms);
    const send = (now: Date) =>
      ledger.claim({
        eventId: 'evt_orphan',
        template: 'purchase-confirmation',
        to: 'ada@example.com',
        messageId: '<evt_orphan.purchase-confirmation@billing>',
        now,
        leaseMs: 60_000,
      });
    expect(await send(started)).toMatchObject({ outcome: 'claimed', attempt: 1 });
    // The first sender died; a second took over (its claim is stored) and died before it could
    // record the takeover on the row, as when the store went away in between.
    await database()
      .collection('email_claims')
      .insertOne({
        eventId: 'evt_orphan',
        template: 'purchase-confirmation',
        attempt: 2,
        claimedAt: later(120_000),
      });
    // While that taker's lease runs, nobody else sends.
    expect(await send(later(150_000))).toEqual({ outcome: 'busy' });
    // Once it is over, the next attempt takes over instead of waiting for ever.
    const third = await send(later(200_000));
    expect(third).toMatchObject({ outcome: 'claimed', attempt: 3 });
    if (third.outcome !== 'claimed') throw new Error('not claimed');
    await ledger.markSent(third.id, 'Your order', later(201_000));
    expect(await send(later(300_000))).toEqual({ outcome: 'already_sent' });
  });
});
