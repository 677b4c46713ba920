import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../../shared/config/env';
import { compose, group } from '../../../shared/runtime/compose';
import { orderQueue } from '../../../shared/runtime/orderQueue';
import { orderStore } from '../../../shared/runtime/orderStore';
import { processDeps } from '../../../shared/runtime/processDeps';
import type { Adapter } from '../../../shared/runtime/Runtime';
import { UnboundResourceError } from '../../../shared/runtime/UnboundResourceError';

describe('a function’s composition', () => {
  it('builds each adapter once, on first use, and shares it with the adapters built from it', () => {
    // Prepare
    let builds = 0;
    const counted: Adapter<{ readonly n: number }> = () => ({ n: ++builds });
    const services = compose(loadEnv({ TABLE_NAME: 'bridge' }), {
      counter: counted,
      deps: group({ counter: counted }),
      store: orderStore,
      processDeps,
    });

    // Act
    const beforeUse = builds;
    const first = services.counter;

    // Assess
    expect(beforeUse).toBe(0);
    expect(services.counter).toBe(first);
    expect(services.deps.counter).toBe(first);
    expect(builds).toBe(1);
    expect(services.processDeps.store).toBe(services.store);
  });

  it('names the missing binding at first use, every time, without touching the rest', () => {
    // Prepare
    const services = compose(loadEnv({ TABLE_NAME: 'bridge' }), { store: orderStore, queue: orderQueue });

    // Act / Assess
    expect(services.store).toBeDefined();
    expect(() => services.queue).toThrow(UnboundResourceError);
    expect(() => services.queue).toThrow(/ORDERS_QUEUE_URL is not set/);
  });

  it('refuses an account the stage does not configure', () => {
    const services = compose(loadEnv({ ACCOUNTS: 'shop' }), {});

    expect(() => services.requireAccount('shop')).not.toThrow();
    expect(() => services.requireAccount('other')).toThrow(/No SendCloud account "other"/);
  });
});
