import { LICENSING_ORDERS_CONSUMER } from '@billing/contracts';
import { ordersHandlers } from './index';
import type { HandlerDeps } from './deps';

describe('licensing handlers and the orders consumer', () => {
  it('consumes exactly the orders events it has a handler for', () => {
    const handled = Object.keys(ordersHandlers({} as HandlerDeps)).sort();
    expect([...LICENSING_ORDERS_CONSUMER.filterSubjects].sort()).toEqual(handled);
  });
});
