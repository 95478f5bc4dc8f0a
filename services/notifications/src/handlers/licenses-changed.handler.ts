import type {
  LicensesExtendedV1,
  LicensesReactivatedV1,
  LicensesRevokedV1,
  LicensesSuspendedV1,
  TypedEnvelope,
} from '@billing/contracts';
import { done, type Outcome } from '@billing/runtime';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { toOutboundLicense } from './order-licensed.handler';

type Deps = Pick<HandlerDeps, 'webhooks'>;

function common(p: LicensesReactivatedV1) {
  return {
    customerEmail: p.customerEmail,
    subscriptionId: p.subscriptionId,
    orderId: p.orderId,
    licenses: p.licenses.map(toOutboundLicense),
  };
}

/** `licensing.licenses.extended` (a renewal): `license.extended`. */
export async function handleLicensesExtended(
  event: TypedEnvelope<LicensesExtendedV1>,
  deps: Deps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'license.extended', event.occurredAt, {
      ...common(p),
      invoiceId: p.invoiceId,
      expiresAt: p.expiresAt,
    }),
  ]);
  return done();
}

/** `licensing.licenses.suspended` (past due / unpaid): `license.suspended`. */
export async function handleLicensesSuspended(
  event: TypedEnvelope<LicensesSuspendedV1>,
  deps: Deps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'license.suspended', event.occurredAt, { ...common(p), reason: p.reason }),
  ]);
  return done();
}

/** `licensing.licenses.reactivated` (paid again): `license.reactivated`. */
export async function handleLicensesReactivated(
  event: TypedEnvelope<LicensesReactivatedV1>,
  deps: Deps,
): Promise<Outcome> {
  await deps.webhooks.publish([
    outboundEvent(event.id, 'license.reactivated', event.occurredAt, common(event.payload)),
  ]);
  return done();
}

/** `licensing.licenses.revoked` (subscription deleted, refund, admin): `license.revoked`. */
export async function handleLicensesRevoked(
  event: TypedEnvelope<LicensesRevokedV1>,
  deps: Deps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'license.revoked', event.occurredAt, { ...common(p), reason: p.reason }),
  ]);
  return done();
}
