import type { Static, TSchema } from '@sinclair/typebox';
import {
  LICENSES_PER_EVENT,
  type EventDefinition,
  type LicensePageV1,
  type LicenseSummaryV1,
} from '@billing/contracts';
import { outboxEvent, type Cause, type OutboxEvent } from '@billing/runtime';

/**
 * An event that lists licenses, as one event, or one per page of {@link LICENSES_PER_EVENT}
 * when there are more: page 1 under `id`, page n under `<id>:page:<n>`, each with `page`.
 * A message has a size limit; an order of thousands of licenses still gets all of its events.
 */
export function pagedLicenseEvents<S extends TSchema>(
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S> & { licenses: LicenseSummaryV1[] },
  cause: Cause,
): OutboxEvent[] {
  const { licenses } = payload;
  if (licenses.length <= LICENSES_PER_EVENT) return [outboxEvent(definition, { id, payload, ...cause })];
  const of = Math.ceil(licenses.length / LICENSES_PER_EVENT);
  return Array.from({ length: of }, (_, i) => {
    const page: LicensePageV1 = { number: i + 1, of, licenseCount: licenses.length };
    const slice = licenses.slice(i * LICENSES_PER_EVENT, (i + 1) * LICENSES_PER_EVENT);
    return outboxEvent(definition, {
      id: i === 0 ? id : `${id}:page:${i + 1}`,
      payload: { ...payload, licenses: slice, page },
      ...cause,
    });
  });
}
