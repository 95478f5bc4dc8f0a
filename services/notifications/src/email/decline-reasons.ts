import type { PaymentFailureReasonV1 } from '@billing/contracts';

export interface FriendlyFailure {
  reason: string;
  nextSteps: string;
}

const CONTACT_BANK = 'Please contact your bank, or pay with another card.';
const OTHER_CARD = 'Please pay with another card.';
const TRY_AGAIN = 'Please try again in a few minutes. If it fails again, use another card.';

/**
 * Stripe decline codes (and error codes) in words a customer understands, with what to do next.
 * Codes that reveal suspected fraud (`fraudulent`, `stolen_card`, `lost_card`, ...) get the
 * generic wording on purpose: Stripe advises not to tell the customer.
 * @see https://docs.stripe.com/declines/codes
 */
const BY_CODE: Record<string, FriendlyFailure> = {
  insufficient_funds: { reason: 'Your card has insufficient funds.', nextSteps: CONTACT_BANK },
  card_velocity_exceeded: {
    reason: 'Your card has reached its spending limit.',
    nextSteps: CONTACT_BANK,
  },
  withdrawal_count_limit_exceeded: {
    reason: 'Your card has reached its spending limit.',
    nextSteps: CONTACT_BANK,
  },
  expired_card: {
    reason: 'Your card has expired.',
    nextSteps: 'Please update your payment method with a card that is still valid.',
  },
  incorrect_cvc: {
    reason: 'The security code (CVC) of your card was not accepted.',
    nextSteps:
      'Please check the three or four digits on the back of your card and update your payment method.',
  },
  invalid_cvc: {
    reason: 'The security code (CVC) of your card was not accepted.',
    nextSteps:
      'Please check the three or four digits on the back of your card and update your payment method.',
  },
  incorrect_number: {
    reason: 'The card number was not accepted.',
    nextSteps: 'Please check the card number and update your payment method.',
  },
  invalid_number: {
    reason: 'The card number was not accepted.',
    nextSteps: 'Please check the card number and update your payment method.',
  },
  invalid_expiry_month: {
    reason: 'The expiry date of your card was not accepted.',
    nextSteps: 'Please check the expiry date and update your payment method.',
  },
  invalid_expiry_year: {
    reason: 'The expiry date of your card was not accepted.',
    nextSteps: 'Please check the expiry date and update your payment method.',
  },
  incorrect_zip: {
    reason: 'The postal code did not match the one your bank has on file.',
    nextSteps: 'Please check your billing address and update your payment method.',
  },
  authentication_required: {
    reason: 'Your bank asked you to confirm this payment.',
    nextSteps: 'Please complete the payment again and approve it when your bank asks.',
  },
  card_not_supported: {
    reason: 'Your card does not support this kind of purchase.',
    nextSteps: OTHER_CARD,
  },
  currency_not_supported: {
    reason: 'Your card does not support payments in this currency.',
    nextSteps: OTHER_CARD,
  },
  processing_error: {
    reason: 'An error occurred while processing your card.',
    nextSteps: TRY_AGAIN,
  },
  issuer_not_available: {
    reason: 'Your bank could not be reached to authorise the payment.',
    nextSteps: TRY_AGAIN,
  },
  try_again_later: {
    reason: 'Your bank declined the payment for now.',
    nextSteps: TRY_AGAIN,
  },
};

const GENERIC: FriendlyFailure = {
  reason: 'Your bank declined the payment.',
  nextSteps: CONTACT_BANK,
};

/** The friendliest explanation we have for a failure: decline code first, then the error code. */
export function describeFailure(
  reason: Pick<PaymentFailureReasonV1, 'code' | 'declineCode'>,
): FriendlyFailure {
  return lookup(reason.declineCode) ?? lookup(reason.code) ?? GENERIC;
}

function lookup(code: string | null): FriendlyFailure | undefined {
  return code && Object.hasOwn(BY_CODE, code) ? BY_CODE[code] : undefined;
}
