import { SERVICE_POINTS, searchServicePoints } from '../../../local/simulator/servicePoints';
import type { CacheStore, CheckoutSource } from '../../../shared/checkout';
import {
  RateBudgetExhaustedError,
  SendcloudHttpError,
  ServicePoint,
  ServicePointList,
} from '../../../shared/sendcloud';

/** The cache table in memory. */
export class MemoryStore implements CacheStore {
  readonly items = new Map<string, { value: unknown; fetchedAt: number }>();
  async get(key: string) {
    return this.items.get(key);
  }
  async put(key: string, entry: { value: unknown; fetchedAt: number }) {
    this.items.set(key, entry);
  }
}

/**
 * One SendCloud account behind its checkout share, as the account's checkout client sees it: the
 * simulator's service points (real shape), `share` GETs before RateBudgetExhaustedError (the clock is
 * frozen in these tests, so the share never refills). `requests` counts what reached SendCloud.
 */
export function accountSource(options: { readonly share: number; readonly delayMs?: number }) {
  let left = options.share;
  const state = { requests: 0 };
  const spend = async () => {
    if (left < 1) throw new RateBudgetExhaustedError('shop', 'read');
    left--;
    state.requests++;
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  };
  const source: CheckoutSource = {
    servicePoints: {
      search: async (query) => {
        await spend();
        return ServicePointList.parse(
          searchServicePoints({
            country: query.country,
            ...(query.postal_code ? { postalCode: query.postal_code } : {}),
            ...(query.radius ? { radius: query.radius } : {}),
          }),
        );
      },
      get: async (id) => {
        await spend();
        const point = SERVICE_POINTS.find((p) => p.id === id);
        if (!point)
          throw new SendcloudHttpError({ method: 'GET', path: '/service-points/{id}', status: 404 });
        return ServicePoint.parse(point);
      },
    },
    catalog: { shippingMethods: async () => [], senderAddresses: async () => [] },
    checkout: { deliveryOptions: async () => ({ delivery_options: [] }) },
  };
  return { source, state };
}
