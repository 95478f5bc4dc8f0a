import { createHash } from 'node:crypto';

/**
 * Erasure of a customer's personal data (`orders.customer.erased.v1`): every service replaces the
 * email with the same placeholder, so records that belonged together still do (licenses stay
 * valid, a customer keeps one tier) without saying whose they were.
 * The `.invalid` top-level domain never resolves (RFC 2606), so no mail can reach a placeholder.
 */
export const ERASED_EMAIL_DOMAIN = 'erased.invalid';

/** The hash of a (lower-cased, trimmed) email that names it in placeholders and erasure ids. */
export function erasedEmailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/**
 * `erased-<first 16 hex of sha256(lower-cased email)>@erased.invalid`: stable (a repeated erasure
 * writes the same value) and not reversible without guessing the email.
 */
export function erasedEmailPlaceholder(email: string): string {
  return `erased-${erasedEmailHash(email)}@${ERASED_EMAIL_DOMAIN}`;
}

/** True for a placeholder written by an erasure: nothing should be sent to it. */
export function isErasedEmail(email: string | null | undefined): boolean {
  return typeof email === 'string' && email.trim().toLowerCase().endsWith(`@${ERASED_EMAIL_DOMAIN}`);
}
