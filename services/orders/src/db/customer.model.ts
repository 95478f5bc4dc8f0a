import { Schema, type Connection, type Model } from 'mongoose';
import type { BillingAccountFields } from '../domain/billing-account';

/**
 * A customer account, keyed by lower-cased email within its Stripe account (see customerKey:
 * the default account's key is the bare email). `account` / `stripeAccount`: see BillingAccountFields.
 */
export interface Customer extends BillingAccountFields {
  email: string;
  name: string | null;
  stripeCustomerIds: string[];
  /** Creation time (Stripe's) of the first checkout session that named this email. */
  createdAt: Date;
}

export type CustomerDoc = Omit<Customer, 'email'> & { _id: string };

const customerSchema = new Schema<CustomerDoc>(
  {
    // The email (within its account: customerKey) is the key: a second insert for the same email
    // and account fails with E11000 (= exists).
    _id: { type: String, required: true },
    account: { type: String },
    stripeAccount: { type: String },
    name: { type: String, default: null },
    stripeCustomerIds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'customers', versionKey: false },
);

export function customerModel(db: Connection): Model<CustomerDoc> {
  return (
    (db.models.Customer as Model<CustomerDoc> | undefined) ??
    db.model<CustomerDoc>('Customer', customerSchema)
  );
}
