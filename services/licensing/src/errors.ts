import { AppError, ConflictError, NotFoundError } from '@billing/runtime';

/** A license key or id the service did not issue (or whose signature does not verify). */
export class LicenseNotFoundError extends NotFoundError {
  constructor() {
    super('no such license', 'license_not_found');
  }
}

/** Activation refused because the license cannot be used now (revoked, suspended, expired). */
export class LicenseNotUsableError extends ConflictError {
  constructor(status: 'revoked' | 'suspended' | 'expired') {
    super(`license is ${status}`, `license_${status}`);
  }
}

export class TooManyMachinesError extends ConflictError {
  constructor(seats: number) {
    super(`all ${seats} machine seats of this license are taken`, 'too_many_machines');
  }
}

export class MachineNotFoundError extends NotFoundError {
  constructor() {
    super('this fingerprint is not activated on the license', 'machine_not_found');
  }
}

/** The per-client limit of the public license routes. */
export class RateLimitedError extends AppError {
  constructor(retryAfter: string) {
    super(429, 'rate_limited', `too many requests, retry in ${retryAfter}`);
  }
}
