import type { LicenseRecord } from '../src/domain/license-view';

/**
 * A stored license for unit tests: a PRO subscription license issued 2026-01-01, paid through
 * 2026-02-01; each test overrides what it is about.
 */
export function licenseRecord(overrides: Partial<LicenseRecord> = {}): LicenseRecord {
  return {
    licenseId: 'lic_1',
    key: 'LIC1.x.y',
    orderId: 'ord_1',
    lineId: 'li_1',
    unitIndex: 0,
    customerEmail: 'ada@example.com',
    stripeCustomerId: 'cus_1',
    subscriptionId: 'sub_1',
    productSku: 'PRO-1M',
    productName: 'Pro plan',
    tier: 'PRO',
    baseExpiresAt: new Date('2026-02-01T00:00:00Z'),
    issuedAt: new Date('2026-01-01T00:00:00Z'),
    revokedAt: null,
    revokeReason: null,
    suspendedAt: null,
    ...overrides,
  };
}
