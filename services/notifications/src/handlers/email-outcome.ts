import { done, retry, type Outcome } from '@billing/runtime';
import type { SendResult } from '../email/email-sender';

/** Sent (now or before) is done; an SMTP failure or a concurrent sender is retried with backoff. */
export function emailOutcome(result: SendResult): Outcome {
  switch (result.status) {
    case 'sent':
    case 'already_sent':
    case 'suppressed':
      return done();
    case 'busy':
      return retry('the same email is being sent by another delivery');
    case 'failed':
      return retry(`smtp: ${result.error}`);
    default: {
      const exhaustive: never = result;
      throw new Error(`unknown send result ${JSON.stringify(exhaustive)}`);
    }
  }
}
