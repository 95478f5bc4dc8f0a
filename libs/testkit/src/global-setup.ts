import { existsSync } from 'node:fs';
import { startNatsServer, startStore, startStripeMock, type LocalServer } from './processes';

/**
 * Jest global setup for integration tests: one NATS and one Mongo-protocol store for the run.
 * Order of preference: `NATS_URL` / `MONGO_URL` when given; else real images through
 * testcontainers when a Docker engine answers; else the local binaries from tools/infra.
 * The chosen URLs reach the test workers as TEST_NATS_URL / TEST_MONGO_URL / TEST_STRIPE_MOCK_URL.
 */
type Stoppable = { stop(): Promise<unknown> };
// Kept on globalThis: jest loads the setup and teardown modules separately.
const holder = globalThis as { __billingInfra?: Stoppable[] };
const started: Stoppable[] = (holder.__billingInfra ??= []);

async function dockerAnswers(): Promise<boolean> {
  if (process.env.TESTCONTAINERS_DISABLED === 'true') return false;
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function viaContainers(): Promise<{ nats: string; mongo: string }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const [nats, mongo] = await Promise.all([
    new GenericContainer('nats:2.12-alpine')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start(),
    new GenericContainer('mongo:8').withExposedPorts(27017).start(),
  ]);
  started.push(nats, mongo);
  return {
    nats: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    mongo: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}`,
  };
}

export default async function globalSetup(): Promise<void> {
  // Several jest projects share one setup; the first one to run starts the infrastructure.
  if (process.env.TEST_NATS_URL && started.length > 0) return;
  let natsUrl = process.env.NATS_URL;
  let mongoUrl = process.env.MONGO_URL;
  if ((!natsUrl || !mongoUrl) && (await dockerAnswers())) {
    const urls = await viaContainers();
    natsUrl ??= urls.nats;
    mongoUrl ??= urls.mongo;
  }
  const local: Promise<LocalServer>[] = [];
  if (!natsUrl) local.push(startNatsServer().then((s) => ((natsUrl = s.url), s)));
  if (!mongoUrl) local.push(startStore().then((s) => ((mongoUrl = s.url), s)));
  const stripeMock = process.env.STRIPE_MOCK_URL ? undefined : startStripeMock();
  for (const server of await Promise.all(local)) started.push({ stop: () => server.destroy() });
  const mock = await stripeMock;
  if (mock) started.push({ stop: () => mock.destroy() });

  process.env.TEST_NATS_URL = natsUrl;
  process.env.TEST_MONGO_URL = mongoUrl;
  process.env.TEST_STRIPE_MOCK_URL = process.env.STRIPE_MOCK_URL ?? mock?.url;
}

export async function globalTeardown(): Promise<void> {
  await Promise.allSettled(started.splice(0).map((s) => s.stop()));
}
