import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { ConsumerDefinition } from './consumers';
import type { StreamDefinition } from './streams';

function streamConfig(def: StreamDefinition): Partial<StreamConfig> & { name: string } {
  return {
    name: def.name,
    description: def.description,
    subjects: [...def.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(def.maxAgeMs),
    duplicate_window: nanos(def.duplicateWindowMs),
    max_msg_size: def.maxMsgBytes,
    num_replicas: 1,
  };
}

function consumerConfig(def: ConsumerDefinition): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: def.durable,
    description: def.description,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subjects: [...def.filterSubjects],
    ack_wait: nanos(def.ackWaitMs),
    max_deliver: def.maxDeliver,
    backoff: def.backoffMs.map((ms) => nanos(ms)),
    max_ack_pending: def.maxAckPending,
  };
}

function isNotFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/**
 * Creates each stream, or updates it to the declared configuration (unless `update` is false:
 * the streams a service reads but does not own are only created when missing, since its NATS
 * identity may not change them). Safe to run from every process at every start and from several
 * processes at once.
 */
export async function declareStreams(
  jsm: JetStreamManager,
  defs: readonly StreamDefinition[],
  options: { update?: boolean } = {},
): Promise<void> {
  const update = options.update ?? true;
  for (const def of defs) {
    const config = streamConfig(def);
    try {
      await jsm.streams.info(def.name);
      if (update) await jsm.streams.update(def.name, config);
    } catch (err) {
      if (!isNotFound(err, JetStreamApiCodes.StreamNotFound)) throw err;
      await addIgnoringRace(
        () => jsm.streams.add(config),
        () => (update ? jsm.streams.update(def.name, config) : jsm.streams.info(def.name)),
      );
    }
  }
}

/** Creates or updates each durable consumer (and creates the streams it reads when missing). */
export async function declareConsumers(
  jsm: JetStreamManager,
  defs: readonly ConsumerDefinition[],
): Promise<void> {
  await declareStreams(jsm, uniqueStreams(defs), { update: false });
  for (const def of defs) {
    const config = consumerConfig(def);
    try {
      await jsm.consumers.info(def.stream.name, def.durable);
      await jsm.consumers.update(def.stream.name, def.durable, config);
    } catch (err) {
      if (!isNotFound(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
      await addIgnoringRace(
        () => jsm.consumers.add(def.stream.name, config),
        () => jsm.consumers.update(def.stream.name, def.durable, config),
      );
    }
  }
}

function uniqueStreams(defs: readonly ConsumerDefinition[]): StreamDefinition[] {
  return [...new Map(defs.map((d) => [d.stream.name, d.stream])).values()];
}

/** Two processes starting together may both try to add; the loser updates instead. */
async function addIgnoringRace(add: () => Promise<unknown>, update: () => Promise<unknown>): Promise<void> {
  try {
    await add();
  } catch (err) {
    if (!(err instanceof JetStreamApiError)) throw err;
    await update();
  }
}
