import { EnvReader, readConsumerServiceConfig, type ConsumerServiceConfig } from '@billing/runtime';

export type OrdersConfig = ConsumerServiceConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<OrdersConfig> {
  const reader = new EnvReader(env);
  return Object.freeze({ ...readConsumerServiceConfig(reader, 'orders', 3002) });
}
