import { LICENSES_REVOKED_V1, type LicensesRevokedV1 } from '@billing/contracts';
import type { EventEmitter, Metrics } from '@billing/runtime';
import type { VerifyCode } from './domain/license-view';

/** What licensing counts: licenses issued, revoked (by reason) and verifications (by answer code). */
export interface LicensingMetrics {
  /** Licenses stored for the first time (a redelivered order issues none again). */
  issued(count: number): void;
  verified(code: VerifyCode): void;
  /**
   * The emitter, counting the licenses in each revocation it announces. A revocation is derived
   * from stored facts (a refund, a deleted subscription) or set by an operator, and announced once
   * per cause; a handler retried after a failed publish announces (and counts) it again.
   */
  countingRevocations(emitter: Pick<EventEmitter, 'emit'>): Pick<EventEmitter, 'emit'>;
}

export function licensingMetrics(metrics: Metrics): LicensingMetrics {
  const issued = metrics.counter(
    'billing_licenses_issued_total',
    'License keys issued (stored once per unit)',
  );
  const revoked = metrics.counter(
    'billing_licenses_revoked_total',
    'Licenses revoked, by reason (refunded, subscription_deleted, admin), counted when announced',
    ['reason'],
  );
  const verifications = metrics.counter(
    'billing_license_verifications_total',
    'POST /licenses/verify answers, by verification code (VALID, EXPIRED, REVOKED, NOT_FOUND, ...)',
    ['code'],
  );
  return {
    issued: (count) => issued.inc(count),
    verified: (code) => verifications.inc({ code }),
    countingRevocations: (emitter) => ({
      async emit(events) {
        await emitter.emit(events);
        for (const { definition, input } of events) {
          if (definition.subject !== LICENSES_REVOKED_V1.subject) continue;
          const payload = input.payload as LicensesRevokedV1;
          revoked.inc({ reason: payload.reason }, payload.licenses.length);
        }
      },
    }),
  };
}
