import {
  context,
  createContextKey,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConfigError } from './config';

/**
 * One trace per Stripe event across every service: the gateway's HTTP span, then, carried in
 * NATS message headers (W3C `traceparent`, also through the outbox), each consumer's span and
 * what it calls (the Stripe API, SMTP, webhook receivers). Configured only by the standard
 * `OTEL_*` variables, and off unless an OTLP endpoint is given; when off, every helper here is a
 * no-op of the OpenTelemetry API.
 */

/** The attribute every span of a Stripe event's trace carries. */
export const STRIPE_EVENT_ID = 'stripe.event_id';

const tracer = () => trace.getTracer('@billing/runtime');
const STRIPE_EVENT_KEY = createContextKey('billing.stripe_event_id');

export interface Tracing {
  /** Sends what is buffered and stops; called at shutdown. */
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** The exporter protocol OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL ask for. */
export function otlpProtocol(env: Env): 'http/protobuf' | 'http/json' {
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
      ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    throw new ConfigError(name, `must be http/protobuf or http/json, got "${protocol}"`);
  }
  return protocol;
}

/** True when the environment asks for traces: an OTLP endpoint, and the SDK not disabled. */
export function tracingEnabled(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Starts the tracer provider when the environment asks for it, else returns null. The exporter
 * reads its endpoint, headers and timeout from the OTEL_* variables; the batch processor its
 * delays; the sampler OTEL_TRACES_SAMPLER; the resource OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES (over the service's own name and version).
 */
export function startTracing(service: string, version: string, env: Env = process.env): Tracing | null {
  if (!tracingEnabled(env)) return null;
  const exporter = otlpProtocol(env) === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const resource = resourceFromAttributes({ 'service.name': service, 'service.version': version }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { shutdown: () => provider.shutdown() };
}

/** Beside `traceparent`: the Stripe event a message belongs to, for the spans of its consumers. */
const STRIPE_EVENT_HEADER = 'Stripe-Event-Id';

/**
 * The trace context to send along with a message or store with a record: `traceparent` (and
 * `tracestate`) and the Stripe event id; empty when tracing is off.
 */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  const stripeEventId = from.getValue(STRIPE_EVENT_KEY) as string | undefined;
  if (carrier.traceparent && stripeEventId) carrier[STRIPE_EVENT_HEADER] = stripeEventId;
  return carrier;
}

/** The context stored by `traceHeaders` (a record's), to start a span of that trace from. */
export function traceContextOf(stored: Record<string, string> | undefined): Context {
  return contextFrom(stored);
}

/** Message headers as the propagator reads them (NATS headers, or a plain record). */
export interface HeaderSource {
  get(name: string): string;
}

function contextFrom(headers: HeaderSource | Record<string, string> | undefined): Context {
  if (!headers) return context.active();
  const get = (name: string) =>
    typeof headers.get === 'function'
      ? (headers as HeaderSource).get(name)
      : (headers as Record<string, string>)[name];
  const extracted = propagation.extract(context.active(), headers, {
    get: (_carrier, key) => get(key) || undefined,
    keys: () => ['traceparent', 'tracestate'],
  });
  const stripeEventId = get(STRIPE_EVENT_HEADER);
  return stripeEventId ? extracted.setValue(STRIPE_EVENT_KEY, stripeEventId) : extracted;
}

function finish(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  }
  span.end();
}

/** Runs `fn` in a new span, child of the active one (or of `parent`); the span ends when it settles. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context; stripeEventId?: string },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  let parent = options.parent ?? context.active();
  if (options.stripeEventId) parent = parent.setValue(STRIPE_EVENT_KEY, options.stripeEventId);
  const stripeEventId = parent.getValue(STRIPE_EVENT_KEY) as string | undefined;
  const attributes = { ...options.attributes, ...(stripeEventId && { [STRIPE_EVENT_ID]: stripeEventId }) };
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes }, parent);
  try {
    const result = await context.with(trace.setSpan(parent, span), () => fn(span));
    finish(span);
    return result;
  } catch (err) {
    finish(span, err);
    throw err;
  }
}

/**
 * The consumer's span for one message: a child of the context its headers carry (the publisher's
 * span), with the Stripe event id (the message's correlation id) on it and on every span below.
 */
export function consumeSpan<T>(
  message: { subject: string; consumer: string; headers?: HeaderSource; stripeEventId?: string },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return inSpan(
    `process ${message.subject}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(message.headers),
      stripeEventId: message.stripeEventId,
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': message.subject,
        'messaging.consumer.group.name': message.consumer,
        'messaging.operation.type': 'process',
      },
    },
    fn,
  );
}

/** The trace id of the active span, for log lines; undefined outside a sampled span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

export { SpanKind };
