import path from 'node:path';

/** Command-line options of the end-to-end benchmark (see the header of main.ts). */
export interface BenchOptions {
  /** Checkouts of the burst phase. */
  checkouts: number;
  /** Checkouts of the paced phase, offered at `rate` per second. */
  pacedCheckouts: number;
  rate: number;
  /** Concurrent keep-alive connections to the system's gateway (or the baseline). */
  connections: number;
  logLevel: string;
  baseline: boolean;
  /** Past checkouts to pre-load for the with-history run; 0 runs on empty databases only. */
  history: number;
  /** Seconds to wait for every checkout's effects before a phase is declared incomplete. */
  timeoutSeconds: number;
  /** Seconds without a new webhook or email before a phase's counts are taken. */
  quietSeconds: number;
  json: string | null;
  /** Folder for V8 CPU profiles of every service process (node --cpu-prof), or null. */
  cpuProf: string | null;
  /** How long the Stripe API, the SMTP relay and the webhook receiver take to answer, ms. */
  latencyMs: number;
}

export const HELP = `Usage: npm run bench:e2e -- [options]

Measures the whole system (gateway x1, orders/licensing/notifications x2 each, NATS JetStream,
the Mongo-protocol store) under load, beside a naive single-process webhook route.

  --checkouts N          burst phase: N paid one-time checkouts, every event posted twice,
                         shuffled, as fast as accepted (default 2000)
  --paced-checkouts N    paced phase: N checkouts offered open-loop at --rate (default 600)
  --rate R               paced phase: checkouts per second (default 30)
  --connections C        concurrent keep-alive connections to the gateway (default 32)
  --log-level L          LOG_LEVEL of the services and the baseline (default info)
  --no-baseline          skip the naive baseline
  --history K            also run on databases pre-loaded with K past checkouts (between two
                         runs on empty databases, averaged, to cancel the machine's drift) and print
                         with-history / empty ratios (default 0: empty databases only)
  --timeout S            seconds to wait for a phase's effects (default 900)
  --quiet S              seconds without new webhooks or emails before counting (default 3)
  --latency MS           the fake Stripe API, the SMTP sink and the webhook receiver answer after
                         MS ms, as real ones across the internet do (default 100; 0 = at once)
  --json PATH            also write every figure as JSON to PATH
  --cpu-prof DIR         write a V8 CPU profile of every service process into DIR (open the
                         .cpuprofile files in Chrome DevTools or speedscope)
  --quick                smoke run: 200 checkouts, 150 paced (explicit flags still win)
  --help                 print this text
`;

const NUMBER_FLAGS = {
  '--checkouts': 'checkouts',
  '--paced-checkouts': 'pacedCheckouts',
  '--rate': 'rate',
  '--connections': 'connections',
  '--history': 'history',
  '--timeout': 'timeoutSeconds',
  '--quiet': 'quietSeconds',
  '--latency': 'latencyMs',
} as const;

/** Parses `--name value` flags; null when --help was asked for. Throws on anything unknown. */
export function parseOptions(argv: readonly string[]): BenchOptions | null {
  const options: BenchOptions = {
    checkouts: 2000,
    pacedCheckouts: 600,
    rate: 30,
    connections: 32,
    logLevel: 'info',
    baseline: true,
    history: 0,
    timeoutSeconds: 900,
    quietSeconds: 3,
    json: null,
    cpuProf: null,
    latencyMs: 100,
  };
  const given = new Set<string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return null;
    if (flag === '--quick') {
      quick = true;
      continue;
    }
    if (flag === '--no-baseline') {
      options.baseline = false;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value (see --help)`);
    if (flag === '--log-level') options.logLevel = value;
    else if (flag === '--json') options.json = value;
    else if (flag === '--cpu-prof') options.cpuProf = path.resolve(value);
    else if (flag in NUMBER_FLAGS) {
      const key = NUMBER_FLAGS[flag as keyof typeof NUMBER_FLAGS];
      const number = Number(value);
      if (!Number.isFinite(number) || number < 0) throw new Error(`${flag}: not a number >= 0: ${value}`);
      options[key] = number;
      given.add(key);
    } else throw new Error(`unknown option ${flag} (see --help)`);
  }
  if (quick) {
    if (!given.has('checkouts')) options.checkouts = 200;
    if (!given.has('pacedCheckouts')) options.pacedCheckouts = 150;
  }
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    if (key === 'rate' || key === 'timeoutSeconds' || key === 'quietSeconds') continue;
    options[key] = Math.floor(options[key]);
    if (options[key] < 1 && key !== 'history' && key !== 'latencyMs')
      throw new Error(`${flag} must be at least 1`);
  }
  if (options.rate <= 0) throw new Error('--rate must be above 0');
  return options;
}
