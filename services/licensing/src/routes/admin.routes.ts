import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { LICENSES_REACTIVATED_V1, LICENSES_REVOKED_V1, LICENSES_SUSPENDED_V1 } from '@billing/contracts';
import {
  BadRequestError,
  errorResponses,
  outboxEvent,
  type HttpApp,
  type Outbox,
  type OutboxEvent,
} from '@billing/runtime';
import { toSummary, type LicenseRecord, type LicenseView } from '../domain/license-view';
import type { LicenseRepository } from '../db/license.repository';
import type { MachineRepository } from '../db/machine.repository';
import type { LicenseReader } from '../domain/license-reader';
import { LicenseNotFoundError } from '../errors';
import { Entitlements, LicenseAnswer, LicenseJson, Machine } from './schemas';

export interface AdminDeps {
  licenses: LicenseRepository;
  machines: MachineRepository;
  views: LicenseReader;
  outbox: Pick<Outbox, 'emit'>;
  clock: () => Date;
  auth: (request: FastifyRequest) => Promise<void>;
}

const Email = Type.String({ minLength: 3, maxLength: 320 });
const LicenseIdParams = Type.Object({ licenseId: Type.String({ minLength: 1, maxLength: 128 }) });
const tags = ['licenses (admin)'];
/** An operator's change to one license: its view afterwards. */
const change = (summary: string) => ({
  summary,
  tags,
  params: LicenseIdParams,
  response: { 200: LicenseAnswer, ...errorResponses(400, 401, 404) },
});

/**
 * Operator and back-office routes, all behind `Authorization: Bearer <ADMIN_API_TOKEN>`:
 * entitlements, listings, and revoke / suspend / reinstate (each announced as a domain event).
 */
export function registerAdminRoutes(app: HttpApp, deps: AdminDeps): void {
  const onRequest = deps.auth;

  app.get(
    '/customers/:email/entitlements',
    {
      onRequest,
      schema: {
        summary: "A customer's tier, its features and their licenses",
        tags,
        params: Type.Object({ email: Email }),
        response: { 200: Entitlements, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const entitlements = await deps.views.entitlements(request.params.email);
      return { ...entitlements, licenses: entitlements.licenses.map(toJson) };
    },
  );

  app.get(
    '/licenses',
    {
      onRequest,
      schema: {
        summary: 'The licenses of a customer, an order or a subscription (give one of the three)',
        tags,
        querystring: Type.Object({
          email: Type.Optional(Email),
          orderId: Type.Optional(Type.String({ minLength: 1 })),
          subscriptionId: Type.Optional(Type.String({ minLength: 1 })),
        }),
        response: { 200: Type.Object({ licenses: Type.Array(LicenseJson) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { email, orderId, subscriptionId } = request.query;
      const records = email
        ? await deps.licenses.byEmail(email)
        : orderId
          ? await deps.licenses.byOrder(orderId)
          : subscriptionId
            ? await deps.licenses.bySubscription(subscriptionId)
            : null;
      if (!records) throw new BadRequestError('give one of email, orderId, subscriptionId', 'missing_filter');
      return { licenses: (await deps.views.view(records)).map(toJson) };
    },
  );

  app.get(
    '/admin/licenses/:licenseId',
    {
      onRequest,
      schema: {
        summary: 'One license with the machines activated on it',
        tags,
        params: LicenseIdParams,
        response: {
          200: Type.Object({ license: LicenseJson, machines: Type.Array(Machine) }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const license = await found(request.params.licenseId);
      const [view, machines] = await Promise.all([
        deps.views.viewOne(license),
        deps.machines.list(license.licenseId),
      ]);
      return { license: toJson(view), machines };
    },
  );

  app.post(
    '/admin/licenses/:licenseId/revoke',
    { onRequest, schema: change('Revokes a license for good (announced as licensing.licenses.revoked)') },
    async (request) => {
      const license = await found(request.params.licenseId);
      // Already revoked for another reason (refund, subscription deleted): nothing changes and
      // nothing is announced again.
      const before = await deps.views.viewOne(license);
      if (before.status === 'revoked' && before.revokeReason !== 'admin') return { license: toJson(before) };
      await deps.licenses.revoke([license.licenseId], 'admin', deps.clock());
      const view = await deps.views.viewOne((await deps.licenses.byId(license.licenseId))!);
      // Announced whenever the operator's revocation is the one that stands, so a retried call
      // after a failure announces it (same id, stored once).
      if (view.revokeReason === 'admin') {
        const id = `licensing.licenses.revoked:admin:${license.licenseId}`;
        await emit(
          outboxEvent(LICENSES_REVOKED_V1, {
            id,
            payload: { ...changed(view), reason: 'admin' },
            ...adminCause(request.id),
          }),
        );
      }
      return { license: toJson(view) };
    },
  );

  app.post(
    '/admin/licenses/:licenseId/suspend',
    { onRequest, schema: change('Suspends a license until reinstated (licensing.licenses.suspended)') },
    async (request) => {
      const license = await found(request.params.licenseId);
      const suspendedAt = license.suspendedAt ?? deps.clock();
      if (!license.suspendedAt) await deps.licenses.setSuspended(license.licenseId, suspendedAt);
      const view = await deps.views.viewOne({ ...license, suspendedAt });
      if (view.status === 'suspended') {
        const id = `licensing.licenses.suspended:admin:${license.licenseId}:${suspendedAt.getTime()}`;
        await emit(
          outboxEvent(LICENSES_SUSPENDED_V1, {
            id,
            payload: { ...changed(view), reason: 'admin' },
            ...adminCause(request.id),
          }),
        );
      }
      return { license: toJson(view) };
    },
  );

  app.post(
    '/admin/licenses/:licenseId/reinstate',
    { onRequest, schema: change("Lifts an operator's suspension (licensing.licenses.reactivated)") },
    async (request) => {
      const license = await found(request.params.licenseId);
      if (!license.suspendedAt) return { license: toJson(await deps.views.viewOne(license)) };
      await deps.licenses.setSuspended(license.licenseId, null);
      const view = await deps.views.viewOne({ ...license, suspendedAt: null });
      if (view.status === 'active') {
        const id = `licensing.licenses.reactivated:admin:${license.licenseId}:${license.suspendedAt.getTime()}`;
        await emit(
          outboxEvent(LICENSES_REACTIVATED_V1, { id, payload: changed(view), ...adminCause(request.id) }),
        );
      }
      return { license: toJson(view) };
    },
  );

  async function found(licenseId: string): Promise<LicenseRecord> {
    const license = await deps.licenses.byId(licenseId);
    if (!license) throw new LicenseNotFoundError();
    return license;
  }

  async function emit(item: OutboxEvent): Promise<void> {
    await deps.outbox.emit([item]);
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

function adminCause(requestId: string) {
  return { correlationId: `admin:${requestId}`, causationId: `admin:${requestId}` };
}

/** A license view for JSON bodies. */
export function toJson(view: LicenseView) {
  return {
    ...view,
    expiresAt: view.expiresAt ? view.expiresAt.toISOString() : null,
    issuedAt: view.issuedAt.toISOString(),
  };
}
