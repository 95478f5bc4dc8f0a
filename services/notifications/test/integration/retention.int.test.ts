import { createLogger, RetentionSweeper } from '@billing/runtime';
import { loadConfig } from '../../src/config';
import { EmailSendRepository } from '../../src/db/email-send.repository';
import { notificationRetentionRules } from '../../src/db/retention';
import { useDatabase } from './harness';

const logger = createLogger({ service: 'retention-test', version: 'test', level: 'silent' });
const DAY = 24 * 60 * 60 * 1000;

describe('retention of webhook messages, delivery attempts and the email ledger', () => {
  const database = useDatabase('retention');

  it('deletes finished records past their retention and keeps recent and unfinished ones', async () => {
    const now = new Date('2026-09-01T00:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const message = (id: string, status: string, days: number) => ({
      _id: id,
      eventId: `evt_${id}`,
      endpointId: 'ep_1',
      eventType: 'order.confirmed',
      body: '{"data":{"email":"ada@example.com"}}',
      createdAt: ago(days),
      status,
      attemptCount: 1,
      nextAttemptAt: status === 'pending' ? now : null,
    });
    await database()
      .collection('webhook_messages')
      .insertMany([
        message('old-delivered', 'delivered', 50),
        message('old-failed', 'failed', 50),
        message('old-pending', 'pending', 50),
        message('new-delivered', 'delivered', 10),
      ] as never[]);
    await database()
      .collection('delivery_attempts')
      .insertMany([
        {
          messageId: 'old-delivered',
          endpointId: 'ep_1',
          attemptNumber: 1,
          status: 'succeeded',
          startedAt: ago(50),
        },
        {
          messageId: 'new-delivered',
          endpointId: 'ep_1',
          attemptNumber: 1,
          status: 'succeeded',
          startedAt: ago(10),
        },
      ]);
    const ledger = new EmailSendRepository(database());
    const send = async (eventId: string, days: number, finish: boolean) => {
      const claim = await ledger.claim({
        eventId,
        template: 'purchase-confirmation',
        to: 'ada@example.com',
        messageId: `<${eventId}@billing>`,
        now: ago(days),
        leaseMs: 60_000,
      });
      if (claim.outcome !== 'claimed') throw new Error(`not claimed: ${claim.outcome}`);
      if (finish) await ledger.markSent(claim.id, 'Your order', ago(days));
    };
    await send('evt_old_sent', 50, true);
    await send('evt_old_sending', 50, false);
    // Abandoned, then taken over a day later (a claim row records the second attempt).
    await send('evt_old_taken', 50, false);
    await send('evt_old_taken', 49, true);
    await send('evt_new_sent', 10, true);

    const config = loadConfig({ ADMIN_API_TOKEN: 'x'.repeat(16) });
    expect(config.retention).toEqual({ webhooksMs: 45 * DAY, emailsMs: 45 * DAY });
    const sweeper = new RetentionSweeper({
      rules: notificationRetentionRules(database(), config.retention),
      logger,
      clock: () => now,
    });
    expect(await sweeper.sweep()).toEqual({
      'webhook messages': 2,
      'delivery attempts': 1,
      'email sends': 2,
      'email claims': 1,
    });
    const ids = async (collection: string, field: string) =>
      (await database().collection(collection).find({}).toArray()).map((doc) => doc[field] as string).sort();
    expect(await ids('webhook_messages', '_id')).toEqual(['new-delivered', 'old-pending']);
    expect(await ids('delivery_attempts', 'messageId')).toEqual(['new-delivered']);
    expect(await ids('email_sends', 'eventId')).toEqual(['evt_new_sent', 'evt_old_sending']);
    // The email of an event still within its retention is still sent once.
    expect(
      await ledger.claim({
        eventId: 'evt_new_sent',
        template: 'purchase-confirmation',
        to: 'ada@example.com',
        messageId: '<evt_new_sent@billing>',
        now,
        leaseMs: 60_000,
      }),
    ).toEqual({ outcome: 'already_sent' });
  });

  it('refuses a retention the streams outlast', () => {
    expect(() => loadConfig({ ADMIN_API_TOKEN: 'x'.repeat(16), WEBHOOK_RETENTION_DAYS: '30' })).toThrow(
      /WEBHOOK_RETENTION_DAYS: must be longer than the 30 days the streams keep messages/,
    );
    expect(() => loadConfig({ ADMIN_API_TOKEN: 'x'.repeat(16), EMAIL_RETENTION_DAYS: '7' })).toThrow(
      /EMAIL_RETENTION_DAYS/,
    );
  });
});
