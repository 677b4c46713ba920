import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../../local/simulator';
import {
  type CacheStore,
  deliveryDates,
  deliveryOptions,
  LookupCache,
  openingHours,
  UpstreamUnavailableError,
} from '../../../shared/checkout';
import {
  RateBudgetExhaustedError,
  SendcloudClient,
  SendcloudClients,
  SendcloudHttpError,
  staticCredentials,
  unlimited,
} from '../../../shared/sendcloud';

/** A cache table in memory, counting reads. */
class MemoryStore implements CacheStore {
  readonly items = new Map<string, { value: unknown; fetchedAt: number }>();
  reads = 0;
  failing = false;
  async get(key: string) {
    this.reads++;
    if (this.failing) throw new Error('table unavailable');
    return this.items.get(key);
  }
  async put(key: string, entry: { value: unknown; fetchedAt: number }) {
    this.items.set(key, entry);
  }
}

const http = (status: number) =>
  new SendcloudHttpError({ method: 'GET', path: '/service-points/', status, sendcloudMessage: 'x' });

describe('LookupCache', () => {
  const setup = (options: { memoryEntries?: number; deadlineMs?: number } = {}) => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const clock = () => now;
    const store = new MemoryStore();
    const cache = new LookupCache(store, { freshMs: 60_000, clock, ...options });
    return { cache, store, clock, advance: (ms: number) => (now += ms) };
  };

  it('answers a fresh query from memory, then from the table, without asking SendCloud again', async () => {
    const { cache, store, clock } = setup();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k', load)).toMatchObject({ value: 1, stale: false });
    expect(await cache.get('k', load)).toMatchObject({ value: 1, stale: false });
    expect(loads).toBe(1);
    expect(store.reads).toBe(1); // the second answer came from memory
    // another Lambda instance (no memory) reads the table, on the same clock
    const other = new LookupCache(store, { freshMs: 60_000, memoryEntries: 0, clock });
    expect(await other.get('k', load)).toMatchObject({ value: 1, stale: false });
    expect(loads).toBe(1);
  });

  it('asks SendCloud once for a burst of the same query', async () => {
    const { cache } = setup();
    let loads = 0;
    const load = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 20));
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => cache.get('burst', load)));
    expect(loads).toBe(1);
    expect(answers.map((a) => a.value)).toEqual([1, 1, 1, 1, 1]);
  });

  it('asks again once the answer is older than the fresh window', async () => {
    const { cache, advance } = setup();
    let loads = 0;
    await cache.get('k', async () => ++loads);
    advance(60_001);
    expect(await cache.get('k', async () => ++loads)).toMatchObject({ value: 2, stale: false });
  });

  it('serves the last good answer, flagged, when SendCloud fails with a 5xx', async () => {
    const { cache, advance } = setup();
    await cache.get('k', async () => ['point']);
    advance(10 * 60_000);
    const answer = await cache.get('k', async () => {
      throw http(503);
    });
    expect(answer).toMatchObject({ value: ['point'], stale: true, degradedReason: 'http' });
    expect(answer.fetchedAt).toBe('2026-11-25T10:00:00.000Z');
  });

  it('never masks the caller’s own mistake: a SendCloud 4xx is thrown', async () => {
    const { cache, advance } = setup();
    await cache.get('k', async () => 1);
    advance(60_001);
    await expect(
      cache.get('k', async () => {
        throw http(400);
      }),
    ).rejects.toBeInstanceOf(SendcloudHttpError);
  });

  it('does not wait for a slow SendCloud beyond the deadline', async () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    const store = new MemoryStore();
    store.items.set('k', { value: 'old', fetchedAt: now - 3_600_000 });
    const cache = new LookupCache(store, { freshMs: 1_000, deadlineMs: 30, clock: () => now });
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('new'), 500));
    expect(await cache.get('k', slow)).toMatchObject({
      value: 'old',
      stale: true,
      degradedReason: 'timeout',
    });
  });

  it('answers from the cache when the checkout share of the budget is used up', async () => {
    const { cache, advance } = setup();
    await cache.get('k', async () => 'kept');
    advance(60_001);
    expect(
      await cache.get('k', async () => {
        throw new RateBudgetExhaustedError('default', 'read');
      }),
    ).toMatchObject({ value: 'kept', stale: true, degradedReason: 'budget' });
  });

  it('says SendCloud is unavailable when nothing is cached, and still works when the table is down', async () => {
    const { cache, store } = setup();
    await expect(
      cache.get('k', async () => {
        throw http(502);
      }),
    ).rejects.toBeInstanceOf(UpstreamUnavailableError);
    store.failing = true;
    expect(await cache.get('other', async () => 'fresh')).toMatchObject({ value: 'fresh', stale: false });
  });
});

describe('delivery dates', () => {
  const schedule = { cutOff: '16:00', timeZone: 'Europe/Amsterdam' };
  const at = (iso: string) => new Date(iso);

  it('hands over today before the cut-off (local time), the next working day after it', () => {
    // Wednesday 25 Nov 2026, 14:59 UTC = 15:59 in Amsterdam
    expect(deliveryDates('standard', 'NL', 'NL', schedule, at('2026-11-25T14:59:00Z'))).toEqual({
      handoverDate: '2026-11-25',
      expectedDeliveryDate: '2026-11-26',
    });
    expect(deliveryDates('standard', 'NL', 'NL', schedule, at('2026-11-25T15:00:00Z'))).toEqual({
      handoverDate: '2026-11-26',
      expectedDeliveryDate: '2026-11-27',
    });
  });

  it('skips the weekend for hand-over and Sunday for delivery', () => {
    // Friday 27 Nov after the cut-off → Monday; Saturday delivery counts
    expect(deliveryDates('standard', 'NL', 'NL', schedule, at('2026-11-27T17:00:00Z')).handoverDate).toBe(
      '2026-11-30',
    );
    expect(
      deliveryDates('standard', 'NL', 'NL', schedule, at('2026-11-27T09:00:00Z')).expectedDeliveryDate,
    ).toBe('2026-11-28');
    // Germany takes two working days: Saturday, then Monday
    expect(
      deliveryDates('standard', 'DE', 'NL', schedule, at('2026-11-27T09:00:00Z')).expectedDeliveryDate,
    ).toBe('2026-11-30');
    expect(deliveryDates('economy', 'NL', 'NL', schedule, at('2026-11-28T09:00:00Z'))).toEqual({
      handoverDate: '2026-11-30',
      expectedDeliveryDate: '2026-12-02',
    });
  });
});

describe('opening hours', () => {
  it('turns SendCloud’s day-indexed ranges into seven days a UI renders directly', () => {
    const days = openingHours({ '0': ['08:00 - 12:00', '13:00 - 18:00'], '5': ['9:00 - 17:00'], '6': [] });
    expect(days).toHaveLength(7);
    expect(days[0]).toEqual({
      day: 'monday',
      periods: [
        { opens: '08:00', closes: '12:00' },
        { opens: '13:00', closes: '18:00' },
      ],
      text: '08:00–12:00, 13:00–18:00',
    });
    expect(days[5]?.text).toBe('09:00–17:00');
    expect(days[6]).toEqual({ day: 'sunday', periods: [], text: 'closed' });
    expect(days[1]?.text).toBe('closed');
  });
});

describe('delivery options against the simulator', () => {
  let sim: RunningSimulator;
  let client: SendcloudClient;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, rateLimits: false });
    client = new SendcloudClient({
      credentials: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
      baseUrl: sim.baseUrl,
      servicePointsBaseUrl: sim.servicePointsBaseUrl,
      rateLimiter: unlimited,
    });
  });
  afterAll(() => sim.stop());

  const deps = (configuration?: string) => ({
    client,
    cache: new LookupCache(new MemoryStore(), { freshMs: 60_000 }),
    rules: async () => undefined,
    checkoutConfiguration: () => configuration,
    schedule: { cutOff: '16:00', timeZone: 'Europe/Amsterdam' },
    clock: () => new Date('2026-11-25T09:00:00Z'),
  });
  const query = {
    account: 'default',
    country: 'NL',
    weightGrams: 1200,
    orderValue: '49.95',
    channel: 'webshop',
  };

  it('derives home and service-point choices from routing when the account has no checkout configuration', async () => {
    const answer = await deliveryOptions(query, deps());
    expect(answer.source).toBe('routing');
    const home = answer.options.filter((o) => o.type === 'home');
    expect(home.map((o) => `${o.serviceLevel}:${o.carrier}`)).toEqual(
      expect.arrayContaining(['standard:postnl', 'evening:postnl']),
    );
    expect(new Set(answer.options.map((o) => o.id)).size).toBe(answer.options.length);
    const points = answer.options.filter((o) => o.type === 'service_point');
    expect(points.length).toBeGreaterThan(1);
    for (const o of answer.options) {
      expect(o.price?.amount).toMatch(/^\d+\.\d{2}$/);
      expect(o.handoverDate).toBe('2026-11-25');
      expect(o.order.shippingMethodId).toBe(o.shippingMethod?.id);
    }
  });

  it('without a governor, checkout clients stop at their share before sending anything', async () => {
    const clients = new SendcloudClients(
      staticCredentials({ default: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' } }),
      { baseUrl: sim.baseUrl, servicePointsBaseUrl: sim.servicePointsBaseUrl, checkoutSharePerMinute: 2 },
    );
    const checkout = await clients.forAccount('default', 'checkout');
    const before = ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number }).requests;
    await checkout.servicePoints.carriers();
    await checkout.servicePoints.carriers();
    await expect(checkout.servicePoints.carriers()).rejects.toBeInstanceOf(RateBudgetExhaustedError);
    const after = ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: number }).requests;
    expect(after - before).toBe(2);
    // the account's other clients are not capped
    await (await clients.forAccount('default', 'realtime')).servicePoints.carriers();
  });

  it('uses SendCloud Dynamic Checkout where the account has a configuration', async () => {
    const answer = await deliveryOptions(query, deps('default-checkout'));
    expect(answer.source).toBe('sendcloud_checkout');
    expect(answer.options.length).toBeGreaterThan(0);
    const methods = await client.catalog.shippingMethods();
    for (const o of answer.options) {
      expect(methods.some((m) => m.id === o.shippingMethod?.id)).toBe(true);
      expect(o.order.shippingMethodId).toBe(o.shippingMethod?.id);
    }
    expect(answer.options.some((o) => o.type === 'service_point')).toBe(true);
    await expect(deliveryOptions(query, deps('unknown-configuration'))).rejects.toBeInstanceOf(
      SendcloudHttpError,
    );
  });
});
