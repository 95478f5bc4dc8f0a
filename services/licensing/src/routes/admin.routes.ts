import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BadRequestError, errorResponses, type HttpApp } from '@billing/runtime';
import type { LicenseAdmin } from '../domain/license-admin';
import type { LicenseView } from '../domain/license-view';
import type { LicenseRepository } from '../db/license.repository';
import type { MachineRepository } from '../db/machine.repository';
import type { LicenseReader } from '../domain/license-reader';
import { Entitlements, LicenseAnswer, LicenseJson, Machine } from './schemas';

export interface AdminDeps {
  licenses: LicenseRepository;
  machines: MachineRepository;
  views: LicenseReader;
  /** Revoke / suspend / reinstate, and their events. */
  admin: LicenseAdmin;
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
      const license = await deps.admin.get(request.params.licenseId);
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
    async (request) => ({ license: toJson(await deps.admin.revoke(request.params.licenseId, request.id)) }),
  );

  app.post(
    '/admin/licenses/:licenseId/suspend',
    { onRequest, schema: change('Suspends a license until reinstated (licensing.licenses.suspended)') },
    async (request) => ({ license: toJson(await deps.admin.suspend(request.params.licenseId, request.id)) }),
  );

  app.post(
    '/admin/licenses/:licenseId/reinstate',
    { onRequest, schema: change("Lifts an operator's suspension (licensing.licenses.reactivated)") },
    async (request) => ({
      license: toJson(await deps.admin.reinstate(request.params.licenseId, request.id)),
    }),
  );
}

/** A license view for JSON bodies. */
export function toJson(view: LicenseView) {
  return {
    ...view,
    expiresAt: view.expiresAt ? view.expiresAt.toISOString() : null,
    issuedAt: view.issuedAt.toISOString(),
  };
}
