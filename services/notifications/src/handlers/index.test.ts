import { NOTIFICATIONS_ORDERS_CONSUMER } from '@billing/contracts';
import { eventHandlers } from './index';
import type { HandlerDeps } from './deps';

describe('notifications handlers and the orders consumer', () => {
  const subjects = Object.keys(eventHandlers({} as HandlerDeps));

  it('consumes exactly the orders events it has a handler for', () => {
    const handledOrders = subjects.filter((s) => s.startsWith('orders.')).sort();
    expect([...NOTIFICATIONS_ORDERS_CONSUMER.filterSubjects].sort()).toEqual(handledOrders);
  });
});
