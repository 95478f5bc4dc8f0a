import { LICENSES_REACTIVATED_V1, LICENSES_REVOKED_V1, LICENSES_SUSPENDED_V1 } from '@billing/contracts';
import { outboxEvent, type Cause, type EventEmitter, type OutboxEvent } from '@billing/runtime';
import type { LicenseRepository } from '../db/license.repository';
import { LicenseNotFoundError } from '../errors';
import type { LicenseReader } from './license-reader';
import { toSummary, type LicenseRecord, type LicenseView } from './license-view';

/** What an operator's change needs; interfaces, so a unit test passes fakes. */
export interface LicenseAdminDeps {
  licenses: Pick<LicenseRepository, 'byId' | 'revoke' | 'setSuspended'>;
  views: Pick<LicenseReader, 'viewOne'>;
  /** The outbox: no message would publish an operator's event again. */
  outbox: Pick<EventEmitter, 'emit'>;
  clock: () => Date;
}

/**
 * An operator's revoke / suspend / reinstate of one license, each announced as a domain event
 * (`licensing.licenses.revoked|suspended|reactivated`) under an id derived from the change, so a
 * call retried after a failure announces it again under the same id (stored once). Each returns
 * the license's view afterwards; `requestId` is the HTTP request's, the events' cause.
 */
export class LicenseAdmin {
  constructor(private readonly deps: LicenseAdminDeps) {}

  async get(licenseId: string): Promise<LicenseRecord> {
    const license = await this.deps.licenses.byId(licenseId);
    if (!license) throw new LicenseNotFoundError();
    return license;
  }

  /** Revokes for good; a license revoked already for another reason (refund, subscription deleted) stays as it is, unannounced. */
  async revoke(licenseId: string, requestId: string): Promise<LicenseView> {
    const { deps } = this;
    const license = await this.get(licenseId);
    const before = await deps.views.viewOne(license);
    if (before.status === 'revoked' && before.revokeReason !== 'admin') return before;
    await deps.licenses.revoke([license.licenseId], 'admin', deps.clock());
    const view = await deps.views.viewOne((await deps.licenses.byId(license.licenseId))!);
    // Announced whenever the operator's revocation is the one that stands, so a retried call
    // after a failure announces it (same id, stored once).
    if (view.revokeReason === 'admin') {
      await this.emit(
        outboxEvent(LICENSES_REVOKED_V1, {
          id: `licensing.licenses.revoked:admin:${license.licenseId}`,
          payload: { ...changed(view), reason: 'admin' },
          ...adminCause(requestId),
        }),
      );
    }
    return view;
  }

  /** Suspends until reinstated; suspending again keeps (and announces) the first suspension. */
  async suspend(licenseId: string, requestId: string): Promise<LicenseView> {
    const { deps } = this;
    const license = await this.get(licenseId);
    const suspendedAt = license.suspendedAt ?? deps.clock();
    if (!license.suspendedAt) await deps.licenses.setSuspended(license.licenseId, suspendedAt);
    const view = await deps.views.viewOne({ ...license, suspendedAt });
    if (view.status === 'suspended') {
      await this.emit(
        outboxEvent(LICENSES_SUSPENDED_V1, {
          id: `licensing.licenses.suspended:admin:${license.licenseId}:${suspendedAt.getTime()}`,
          payload: { ...changed(view), reason: 'admin' },
          ...adminCause(requestId),
        }),
      );
    }
    return view;
  }

  /** Lifts an operator's suspension; a license not suspended is returned as it is. */
  async reinstate(licenseId: string, requestId: string): Promise<LicenseView> {
    const { deps } = this;
    const license = await this.get(licenseId);
    if (!license.suspendedAt) return deps.views.viewOne(license);
    await deps.licenses.setSuspended(license.licenseId, null);
    const view = await deps.views.viewOne({ ...license, suspendedAt: null });
    if (view.status === 'active') {
      await this.emit(
        outboxEvent(LICENSES_REACTIVATED_V1, {
          id: `licensing.licenses.reactivated:admin:${license.licenseId}:${license.suspendedAt.getTime()}`,
          payload: changed(view),
          ...adminCause(requestId),
        }),
      );
    }
    return view;
  }

  private async emit(event: OutboxEvent): Promise<void> {
    await this.deps.outbox.emit([event]);
  }
}

function changed(view: LicenseView) {
  return {
    customerEmail: view.customerEmail,
    subscriptionId: view.subscriptionId,
    orderId: view.orderId,
    licenses: [toSummary(view)],
  };
}

function adminCause(requestId: string): Cause {
  return { correlationId: `admin:${requestId}`, causationId: `admin:${requestId}` };
}
