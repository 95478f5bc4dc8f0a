import type { TSchema, Static } from '@sinclair/typebox';
import {
  LICENSES_PER_EVENT,
  type EnvelopeInput,
  type EventDefinition,
  type LicensePageV1,
  type LicenseSummaryV1,
} from '@billing/contracts';
import type { HandlerContext } from '@billing/runtime';

/** A domain event ready for `events.emit` (or `outbox.emit`), caused by the message being handled. */
export interface Emission {
  definition: EventDefinition<TSchema>;
  input: EnvelopeInput<unknown>;
}

export function emission<S extends TSchema>(
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S>,
  ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>,
): Emission {
  return {
    definition: definition as unknown as EventDefinition<TSchema>,
    input: { id, payload, correlationId: ctx.correlationId, causationId: ctx.messageId },
  };
}

/**
 * An event that lists licenses, as one emission, or one per page of {@link LICENSES_PER_EVENT}
 * when there are more: page 1 under `id`, page n under `<id>:page:<n>`, each with `page`.
 * A message has a size limit; an order of thousands of licenses still gets all of its events.
 */
export function licenseEmissions<S extends TSchema>(
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S> & { licenses: LicenseSummaryV1[] },
  ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>,
): Emission[] {
  const { licenses } = payload;
  if (licenses.length <= LICENSES_PER_EVENT) return [emission(definition, id, payload, ctx)];
  const of = Math.ceil(licenses.length / LICENSES_PER_EVENT);
  return Array.from({ length: of }, (_, i) => {
    const page: LicensePageV1 = { number: i + 1, of, licenseCount: licenses.length };
    const slice = licenses.slice(i * LICENSES_PER_EVENT, (i + 1) * LICENSES_PER_EVENT);
    return emission(
      definition,
      i === 0 ? id : `${id}:page:${i + 1}`,
      { ...payload, licenses: slice, page },
      ctx,
    );
  });
}
