import type { ServiceEnv } from '../config/env';
import { accountDirectory } from './accountDirectory';
import { batchStore } from './batchStore';
import { checkoutCache } from './checkoutCache';
import { compose } from './compose';
import { eventPublisher } from './eventPublisher';
import { idempotencyStore } from './idempotencyStore';
import { labelStore } from './labelStore';
import { orderQueue } from './orderQueue';
import { orderStore } from './orderStore';
import { processDeps } from './processDeps';
import type { RuntimeOptions } from './Runtime';
import { sendcloudClients } from './sendcloudClients';
import { trackingStore } from './trackingStore';

export { UnboundResourceError } from './UnboundResourceError';

/**
 * Every adapter at once, for tests and tools that reach into whatever a function stored. Functions never
 * use this: each composes only its own adapters (`compose`), which keeps the others out of its bundle.
 */
export function createServices(env: ServiceEnv, options: RuntimeOptions = {}) {
  return compose(
    env,
    {
      processDeps,
      directory: accountDirectory,
      checkoutCache,
      sendcloudClients,
      store: orderStore,
      tracking: trackingStore,
      batches: batchStore,
      events: eventPublisher,
      labelStore,
      queue: orderQueue,
      idempotencyStore,
    },
    options,
  );
}
export type Services = ReturnType<typeof createServices>;
