import type { ParkingService } from '../upstream/services';
import type { ConsumersState } from '../upstream/types';
import { badge, table, when } from './components';
import { html, type Html } from './html';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The subjects the gateway stores Stripe events under (libs/contracts STRIPE_SUBJECT_PREFIX). */
const STRIPE_SUBJECT_PREFIX = 'stripe.event.';

const unavailable = (error: string) => html`<p class="error" role="alert">Unavailable (${error}).</p>`;

/**
 * Stripe events received, by type: the Stripe event stream's messages per subject, as any
 * Stripe-consuming service reads it (they all read the same stream: the first answer is shown).
 */
export function stripeEventsByType(
  answers: ReadonlyArray<{ service: ParkingService; result: Result<ConsumersState> }>,
): Html {
  const stream = answers
    .flatMap((a) => (a.result.ok ? a.result.value.streams : []))
    .find((s) => s.subjects.some((x) => x.subject.startsWith(STRIPE_SUBJECT_PREFIX)));
  const failed = answers.find((a) => !a.result.ok)?.result;
  const body = stream
    ? html`${table({
          caption: 'Stripe events received, by type, most first',
          head: ['Event type', 'Received'],
          rows: stream.subjects
            .filter((s) => s.subject.startsWith(STRIPE_SUBJECT_PREFIX))
            .map((s) => [html`<code>${s.subject.slice(STRIPE_SUBJECT_PREFIX.length)}</code>`, s.messages]),
          numeric: [1],
        })}
        <p class="muted">
          The ${stream.messages} events the stream <code>${stream.stream}</code> keeps, received since
          ${when(stream.firstAt)}.
        </p>`
    : failed && !failed.ok
      ? unavailable(failed.error)
      : html`<p class="muted">No Stripe event received yet.</p>`;
  return html`<section aria-labelledby="stripe-by-type">
    <h2 id="stripe-by-type">Stripe events received by type</h2>
    ${body}
  </section>`;
}

/** How far behind a consumer is, in words (the colour only repeats them). */
function lagState(c: ConsumersState['consumers'][number]): string {
  if (c.pending > 0) return 'behind';
  if (c.redelivered > 0) return 'redelivering';
  return 'caught up';
}

/** Every durable consumer of every service: its lag, what is in flight, what is redelivered. */
export function consumerLag(answers: Record<ParkingService, Result<ConsumersState>>): Html {
  const rows = (Object.keys(answers) as ParkingService[]).flatMap((service) => {
    const result = answers[service];
    if (!result.ok) return [[service, '–', '–', badge('unreachable'), '', '', '', result.error]];
    return [
      ...result.value.consumers.map((c) => [
        service,
        html`<code>${c.consumer}</code>`,
        html`<code>${c.stream}</code>`,
        badge(lagState(c)),
        c.pending,
        c.ackPending,
        c.redelivered,
        c.lastDelivered.streamSequence > 0
          ? html`#${c.lastDelivered.streamSequence}, ${when(c.lastDelivered.at)}`
          : 'nothing yet',
      ]),
      ...result.value.missing.map((consumer) => [
        service,
        html`<code>${consumer}</code>`,
        '–',
        badge('missing'),
        '',
        '',
        '',
        'not on the server (being declared again?)',
      ]),
    ];
  });
  return html`<section aria-labelledby="consumer-lag">
    <h2 id="consumer-lag">Consumer lag</h2>
    ${table({
      caption: 'Durable consumers, as JetStream sees them',
      head: [
        'Service',
        'Consumer',
        'Stream',
        'State',
        'Pending',
        'Ack pending',
        'Redelivered',
        'Last delivered',
      ],
      rows,
      numeric: [4, 5, 6],
    })}
    <p class="muted">
      Pending: stored and not delivered yet (the lag). Ack pending: delivered and not settled (in flight, or
      waiting for a retry). Redelivered: delivered more than once and not settled yet.
    </p>
  </section>`;
}
