import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { STRIPE_RECONCILER_BUCKET } from '@billing/contracts';
import type { NatsHandle } from '@billing/runtime';

/** Up to which creation time (Unix seconds) every Stripe event was checked, and when. */
export interface ReconcileCursor {
  until: number;
  checkedAt: string;
}

/** Where the reconciler keeps what survives a restart and is shared by the gateway's replicas. */
export interface ReconcilerState {
  cursor(account: string): Promise<ReconcileCursor | undefined>;
  saveCursor(account: string, cursor: ReconcileCursor): Promise<void>;
  /**
   * Takes the account's lease for `ms` unless another replica holds one that has not expired;
   * resolves to a release function, or undefined when another replica has it.
   */
  lease(account: string, owner: string, ms: number): Promise<(() => Promise<void>) | undefined>;
}

interface Lease {
  owner: string;
  expiresAt: number;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/**
 * The state in a JetStream key-value bucket (one value per key, history 1). The lease is taken by
 * compare-and-set on the key's revision (`create` when absent, `update` at the revision read), so
 * of two replicas reading the same expired lease exactly one wins.
 */
export async function keyValueReconcilerState(nats: NatsHandle): Promise<ReconcilerState> {
  const kv: KV = await new Kvm(nats.js).create(STRIPE_RECONCILER_BUCKET.name, {
    description: STRIPE_RECONCILER_BUCKET.description,
    history: 1,
  });
  const leaseKey = (account: string) => `lease.${account}`;
  return {
    async cursor(account) {
      const entry = await kv.get(`cursor.${account}`);
      if (!entry || entry.operation !== 'PUT') return undefined;
      return entry.json<ReconcileCursor>();
    },
    async saveCursor(account, cursor) {
      await kv.put(`cursor.${account}`, json(cursor));
    },
    async lease(account, owner, ms) {
      const key = leaseKey(account);
      const current = await kv.get(key);
      const held = current?.operation === 'PUT' ? current.json<Lease>() : undefined;
      if (held && held.expiresAt > Date.now() && held.owner !== owner) return undefined;
      const mine: Lease = { owner, expiresAt: Date.now() + ms };
      let revision: number;
      try {
        revision = current
          ? await kv.update(key, json(mine), current.revision)
          : await kv.create(key, json(mine));
      } catch (err) {
        if (isRevisionConflict(err)) return undefined; // another replica wrote the lease first
        throw err;
      }
      return async () => {
        // Released only if still ours: a lease that expired and was taken stays with its new holder.
        await kv.update(key, json({ owner, expiresAt: 0 }), revision).catch(() => undefined);
      };
    },
  };
}

function isRevisionConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
