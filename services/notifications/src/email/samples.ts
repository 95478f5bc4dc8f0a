import type { Brand, TemplateModels } from './template-models';

/** Sample data for every template: used by the preview CLI and to check templates at start-up. */
export const SAMPLE_BRAND: Brand = {
  name: 'Acme Software',
  supportEmail: 'support@acme.example',
  accountUrl: 'https://acme.example/account',
};

export const SAMPLE_MODELS: { [K in keyof TemplateModels]: TemplateModels[K] } = {
  'purchase-confirmation': {
    customerName: 'Ada Lovelace',
    orderId: 'ord_sample_123',
    orderDate: '2026-03-05T10:15:00.000Z',
    amountSubtotal: 9800,
    amountTotal: 9800,
    currency: 'usd',
    lines: [
      { description: 'Pro license (1 year)', quantity: 1, amountTotal: 4900, currency: 'usd' },
      { description: 'Team add-on', quantity: 1, amountTotal: 4900, currency: 'usd' },
    ],
    downloads: [{ name: 'Pro license (1 year)', url: 'https://downloads.acme.example/pro/latest' }],
    licenses: [
      {
        productName: 'Pro license',
        key: 'ACME-PRO-SAMPLE-KEY-0001',
        tier: 'pro',
        expiresAt: '2027-03-05T10:15:00.000Z',
      },
    ],
    isSubscription: false,
    part: null,
  },
  'payment-receipt': {
    orderId: 'ord_sample_123',
    invoiceId: 'in_sample_456',
    amount: 1900,
    currency: 'usd',
    paidAt: '2026-04-05T10:15:00.000Z',
    periodEnd: '2026-05-05T10:15:00.000Z',
    receiptUrl: 'https://invoice.stripe.com/i/sample',
  },
  'payment-failed': {
    orderId: 'ord_sample_123',
    amount: 1900,
    currency: 'usd',
    failedAt: '2026-04-05T10:15:00.000Z',
    reason: 'Your card has insufficient funds.',
    nextSteps: 'Please use another card or contact your bank, then update your payment method.',
    isSubscription: true,
  },
  'subscription-confirmed': {
    tier: 'PRO',
    previousTier: 'FREE',
    features: ['Unlimited projects', 'Priority support'],
    isNew: true,
    isSubscription: true,
  },
  'subscription-ended': { previousTier: 'PRO', tier: 'FREE', isSubscription: true },
  'cancellation-confirmed': {
    orderId: 'ord_sample_123',
    subscriptionId: 'sub_sample_789',
    cancelledAt: '2026-06-05T10:15:00.000Z',
  },
  'refund-confirmed': {
    orderId: 'ord_sample_123',
    amount: 2500,
    amountRefunded: 2500,
    amountCharged: 9800,
    currency: 'usd',
    full: false,
    refundedAt: '2026-03-10T10:15:00.000Z',
    items: ['Pro license (1 year)', 'Team add-on'],
  },
};
