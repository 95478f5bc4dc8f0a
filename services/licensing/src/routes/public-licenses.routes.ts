import type { LevelWithSilent } from 'pino';
import { Type } from '@sinclair/typebox';
import { errorResponses, NoContent, PUBLIC, type HttpApp } from '@billing/runtime';
import { productPolicy, type LicensingConfig } from '../config';
import { verifyCode, type LicenseRecord, type VerifyCode } from '../domain/license-view';
import type { LicenseSigner } from '../domain/license-key';
import type { LicenseRepository } from '../db/license.repository';
import type { MachineRepository } from '../db/machine.repository';
import type { LicenseReader } from '../domain/license-reader';
import type { LicensingMetrics } from '../metrics';
import {
  LicenseNotFoundError,
  LicenseNotUsableError,
  MachineNotFoundError,
  TooManyMachinesError,
} from '../errors';
import { Activation, VerifyAnswer } from './schemas';

export interface PublicLicenseDeps {
  signer: Pick<LicenseSigner, 'verify'>;
  licenses: LicenseRepository;
  machines: MachineRepository;
  views: LicenseReader;
  config: Pick<LicensingConfig, 'products' | 'defaultSeats' | 'verifyRateLimit'>;
  clock: () => Date;
  /** Counts verifications by code. */
  metrics?: Pick<LicensingMetrics, 'verified'>;
}

const Key = Type.String({ minLength: 1, maxLength: 2048 });
const Fingerprint = Type.String({ minLength: 1, maxLength: 256 });
// No token: the key is the credential.
const tags = ['licenses (public)'];

/**
 * The routes apps call with a key, without other credentials (the key is the secret):
 * verification and machine activation. Rate-limited per client address.
 */
export function registerPublicLicenseRoutes(app: HttpApp, deps: PublicLicenseDeps): void {
  const rateLimit = {
    max: deps.config.verifyRateLimit.max,
    timeWindow: deps.config.verifyRateLimit.windowMs,
  };
  // The key is in the path of the activation routes, and Fastify's request log prints the URL:
  // those routes log warnings and errors only (which carry no URL), so keys never reach the logs.
  // (A quieter configured level stays quieter.)
  const levels = app.log.levels.values;
  const logLevel = ((levels[app.log.level] ?? 0) > levels.warn! ? app.log.level : 'warn') as LevelWithSilent;

  /** The license a key names, or null for a key we did not sign (tampered, foreign, malformed). */
  async function licenseOf(key: string): Promise<LicenseRecord | null> {
    const claims = deps.signer.verify(key);
    if (!claims) return null;
    const license = await deps.licenses.byId(claims.lid);
    return license && license.key === key ? license : null;
  }

  app.post(
    '/licenses/verify',
    {
      config: { rateLimit },
      schema: {
        summary: 'Is this key valid now? (with a fingerprint: on this machine?)',
        tags,
        security: PUBLIC,
        body: Type.Object({ key: Key, fingerprint: Type.Optional(Fingerprint) }),
        response: { 200: VerifyAnswer, ...errorResponses(400, 429) },
      },
    },
    async (request) => {
      const { key, fingerprint } = request.body;
      const license = await licenseOf(key);
      if (!license) {
        deps.metrics?.verified('NOT_FOUND');
        return notFound();
      }
      const view = await deps.views.viewOne(license);
      const scope = fingerprint
        ? {
            activated: (await deps.machines.find(license.licenseId, fingerprint)) !== null,
            used: await deps.machines.count(license.licenseId),
            seats: productPolicy(deps.config, license.productSku).seats,
          }
        : undefined;
      const code = verifyCode(view, deps.clock(), scope);
      deps.metrics?.verified(code);
      return {
        valid: code === 'VALID',
        code,
        licenseId: view.licenseId,
        status: view.status,
        expiresAt: view.expiresAt ? view.expiresAt.toISOString() : null,
        product: { sku: view.productSku, name: view.productName },
        tier: view.tier,
      };
    },
  );

  app.post(
    '/licenses/:key/activations',
    {
      logLevel,
      config: { rateLimit },
      schema: {
        summary: 'Activates the license on a machine (201; 200 when it already was)',
        tags,
        security: PUBLIC,
        params: Type.Object({ key: Key }),
        body: Type.Object({ fingerprint: Fingerprint, name: Type.Optional(Type.String({ maxLength: 256 })) }),
        response: { 200: Activation, 201: Activation, ...errorResponses(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const license = await licenseOf(request.params.key);
      if (!license) throw new LicenseNotFoundError();
      const view = await deps.views.viewOne(license);
      const code = verifyCode(view, deps.clock());
      if (code !== 'VALID')
        throw new LicenseNotUsableError(
          code === 'EXPIRED' ? 'expired' : view.status === 'revoked' ? 'revoked' : 'suspended',
        );
      const seats = productPolicy(deps.config, license.productSku).seats;
      const { fingerprint, name } = request.body;
      const result = await deps.machines.activate(
        license.licenseId,
        fingerprint,
        name ?? null,
        seats,
        deps.clock(),
      );
      if (result.outcome === 'no_free_seat') throw new TooManyMachinesError(seats);
      const used = await deps.machines.count(license.licenseId);
      return reply.status(result.outcome === 'activated' ? 201 : 200).send({
        licenseId: license.licenseId,
        fingerprint: result.machine.fingerprint,
        name: result.machine.name,
        activatedAt: result.machine.activatedAt.toISOString(),
        seats,
        used,
      });
    },
  );

  app.delete(
    '/licenses/:key/activations/:fingerprint',
    {
      logLevel,
      config: { rateLimit },
      schema: {
        summary: "Frees a machine's seat",
        tags,
        security: PUBLIC,
        params: Type.Object({ key: Key, fingerprint: Fingerprint }),
        response: { 204: NoContent, ...errorResponses(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const license = await licenseOf(request.params.key);
      if (!license) throw new LicenseNotFoundError();
      if (!(await deps.machines.deactivate(license.licenseId, request.params.fingerprint)))
        throw new MachineNotFoundError();
      return reply.status(204).send(null);
    },
  );
}

function notFound(): {
  valid: false;
  code: VerifyCode;
  licenseId: null;
  status: null;
  expiresAt: null;
  product: null;
  tier: null;
} {
  return {
    valid: false,
    code: 'NOT_FOUND',
    licenseId: null,
    status: null,
    expiresAt: null,
    product: null,
    tier: null,
  };
}
