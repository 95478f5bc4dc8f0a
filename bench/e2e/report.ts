import type { PhaseKind, PhaseResult, Percentiles } from './phase';

/** The phases of one target, by phase. */
export type RunResult = Partial<Record<PhaseKind, PhaseResult>>;

const fixed = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
const ms = (p: Percentiles | null) =>
  p ? `p50 ${fixed(p.p50)} ms, p99 ${fixed(p.p99)} ms` : 'n/a (effects missing)';
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows
    .map((r) =>
      r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '),
    )
    .join('\n');
}

/** What is wrong with a phase, in words; empty when nothing is. */
export function problemsOf(result: PhaseResult): string[] {
  const e = result.effects;
  const out: string[] = [];
  if (!result.complete) out.push('not every checkout got its effects before the timeout');
  if (!result.settled) out.push('work was still pending in the consumers when the counts were taken');
  if (e.missingWebhooks > 0) out.push(`${e.missingWebhooks} checkouts without a checkout.completed webhook`);
  if (e.missingEmails > 0) out.push(`${e.missingEmails} checkouts without a purchase email`);
  if (e.duplicateWebhooks > 0)
    out.push(`${e.duplicateWebhooks} duplicate webhook deliveries (same webhook-id)`);
  if (e.duplicateEmails > 0) out.push(`${e.duplicateEmails} duplicate emails`);
  if (e.rejectedSignatures > 0) out.push(`${e.rejectedSignatures} webhooks with a rejected signature`);
  if (result.non2xx > 0) out.push(`${result.non2xx} non-2xx answers to Stripe's POSTs`);
  return out;
}

export function formatPhase(target: string, r: PhaseResult): string {
  const rows = [
    ['process', 'CPU ms/checkout', 'peak RSS MB', 'VmHWM MB'],
    ...r.processes.map((p) => [p.label, fixed(p.cpuMsPerCheckout, 2), fixed(p.peakRssMb), fixed(p.hwmMb)]),
    ['total', fixed(r.cpuMsPerCheckout, 2), '', ''],
  ];
  const nats = r.natsPerCheckout
    ? Object.entries(r.natsPerCheckout)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, c]) => `${name} ${fixed(c.in, 2)}/${fixed(c.out, 2)}`)
        .join(', ')
    : 'n/a';
  const store = r.storeCommandsPerCheckout
    ? Object.entries(r.storeCommandsPerCheckout)
        .map(([db, n]) => `${db} ${fixed(n, 1)}`)
        .join(', ')
    : 'n/a (the store does not answer `top`)';
  const e = r.effects;
  const problems = problemsOf(r);
  return [
    `\n=== ${target} / ${r.phase}: ${r.checkouts} checkouts, ${r.posts} POSTs ===`,
    table(rows),
    `sustained throughput       ${fixed(r.checkoutsPerSecond)} checkouts/s (${fixed(r.seconds)} s from the first POST to the last effect)`,
    `Stripe-facing latency      ${ms(r.postLatency)}`,
    `first POST -> webhook      ${ms(r.webhookLatency)}`,
    `first POST -> email        ${ms(r.emailLatency)}`,
    `webhooks                   ${list(e.webhooksByType)}; duplicates ${e.duplicateWebhooks}; rejected signatures ${e.rejectedSignatures}`,
    `emails                     ${list(e.emailsByTemplate)}; duplicates ${e.duplicateEmails}`,
    `missing effects            webhooks ${e.missingWebhooks}, emails ${e.missingEmails}`,
    `gateway answers            ${r.posts}, non-2xx ${r.non2xx}`,
    `NATS msgs/checkout in/out  ${nats}`,
    `store commands/checkout    ${store}`,
    ...Object.entries(r.storeCommandsByCollection ?? {}).map(
      ([db, detail]) => `  ${db.padEnd(24)} ${detail}`,
    ),
    ...problems.map((p) => `!!! PROBLEM: ${p}`),
  ].join('\n');
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a !== null && a !== undefined && b !== null && b !== undefined && b !== 0 ? a / b : null;

export interface Ratios {
  title: string;
  rows: Record<string, number | null>;
}

/** system / baseline: sustained throughput, Stripe-facing p99 and CPU per checkout, per phase. */
export function systemVersusBaseline(system: RunResult, baseline: RunResult): Ratios {
  const rows: Record<string, number | null> = {};
  for (const phase of ['burst', 'paced'] as const) {
    const [s, b] = [system[phase], baseline[phase]];
    if (!s || !b) continue;
    rows[`${phase}: sustained throughput`] = ratio(s.checkoutsPerSecond, b.checkoutsPerSecond);
    rows[`${phase}: Stripe-facing p99`] = ratio(s.postLatency.p99, b.postLatency.p99);
    rows[`${phase}: CPU ms per checkout`] = ratio(s.cpuMsPerCheckout, b.cpuMsPerCheckout);
  }
  return { title: 'system / baseline', rows };
}

const mean = (values: Array<number | null | undefined>): number | null => {
  const known = values.filter((v): v is number => v !== null && v !== undefined);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : null;
};

/**
 * with history / empty: CPU per checkout (total and per process), throughput, p99s. The empty
 * system is measured before and after the one with history and the two are averaged, so that the
 * machine's speed drifting during the runs does not pass for an effect of history; the `drift`
 * rows (second empty run / first) say how much it drifted.
 */
export function historyVersusEmpty(history: RunResult, empties: readonly RunResult[]): Ratios {
  const rows: Record<string, number | null> = {};
  for (const phase of ['burst', 'paced'] as const) {
    const h = history[phase];
    const es = empties.map((e) => e[phase]).filter((e) => e !== undefined);
    if (!h || es.length === 0) continue;
    const avg = (pick: (r: NonNullable<RunResult['burst']>) => number | null | undefined) =>
      mean(es.map(pick));
    rows[`${phase}: CPU ms per checkout (total)`] = ratio(
      h.cpuMsPerCheckout,
      avg((e) => e.cpuMsPerCheckout),
    );
    for (const p of h.processes) {
      const before = avg((e) => e.processes.find((q) => q.label === p.label)?.cpuMsPerCheckout);
      rows[`${phase}: CPU ms per checkout, ${p.label}`] = ratio(p.cpuMsPerCheckout, before);
    }
    rows[`${phase}: sustained throughput`] = ratio(
      h.checkoutsPerSecond,
      avg((e) => e.checkoutsPerSecond),
    );
    rows[`${phase}: Stripe-facing p99`] = ratio(
      h.postLatency.p99,
      avg((e) => e.postLatency.p99),
    );
    rows[`${phase}: webhook p99`] = ratio(
      h.webhookLatency?.p99,
      avg((e) => e.webhookLatency?.p99),
    );
    rows[`${phase}: email p99`] = ratio(
      h.emailLatency?.p99,
      avg((e) => e.emailLatency?.p99),
    );
    if (es.length === 2) {
      rows[`${phase}: drift, CPU per checkout of the two empty runs`] = ratio(
        es[1]!.cpuMsPerCheckout,
        es[0]!.cpuMsPerCheckout,
      );
    }
  }
  return { title: 'with history / empty', rows };
}

export function formatRatios(r: Ratios): string {
  const rows = [
    [r.title, 'ratio'],
    ...Object.entries(r.rows).map(([k, v]) => [k, v === null ? 'n/a' : `${v.toFixed(2)}x`]),
  ];
  return `\n=== ${r.title} ===\n${table(rows)}`;
}
