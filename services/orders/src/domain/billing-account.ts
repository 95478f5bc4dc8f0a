import { DEFAULT_BILLING_ACCOUNT } from '@billing/contracts';
import type { StripeScope } from '../stripe/stripe-event';

/**
 * The account fields stored on customers, orders and payments and carried in their events:
 * absent for the default account and the platform's own checkouts, so a single-account
 * deployment stores and publishes exactly what it did before several accounts existed.
 */
export interface BillingAccountFields {
  account?: string;
  stripeAccount?: string;
}

export function accountFields(scope: StripeScope): BillingAccountFields {
  return {
    ...(scope.account !== DEFAULT_BILLING_ACCOUNT && { account: scope.account }),
    ...(scope.stripeAccount && { stripeAccount: scope.stripeAccount }),
  };
}

/** The fields of a stored document (which may have others), for a payment or an event. */
export function accountFieldsOf(doc: BillingAccountFields): BillingAccountFields {
  return {
    ...(doc.account && { account: doc.account }),
    ...(doc.stripeAccount && { stripeAccount: doc.stripeAccount }),
  };
}

/**
 * The key of a customer: the lower-cased email in the default account, exactly as before several
 * accounts existed; `<label>:<email>` in another account, so the same email in two accounts is two
 * customers. An email has no unquoted `:` (RFC 5322), so no label-prefixed key equals an email.
 */
export function customerKey(email: string, account: string | undefined): string {
  return account === undefined || account === DEFAULT_BILLING_ACCOUNT ? email : `${account}:${email}`;
}
