import { DynamoCacheStore, LookupCache } from '../checkout/LookupCache';
import { documentClient, serviceTable } from './documentClient';
import type { Adapter } from './Runtime';

/** Service-point and delivery-option answers, reused for CHECKOUT_CACHE_SECONDS. */
export const checkoutCache: Adapter<LookupCache> = (runtime) =>
  new LookupCache(new DynamoCacheStore(runtime.use(documentClient), serviceTable(runtime)), {
    freshMs: runtime.env.CHECKOUT_CACHE_SECONDS * 1000,
    deadlineMs: runtime.env.CHECKOUT_DEADLINE_MS,
  });
