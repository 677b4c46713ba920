import { describe, expect, it } from 'vitest';
import {
  getServicePoint,
  LookupCache,
  NOTHING_TO_OFFER,
  PublicCheckout,
  ServicePointQuery,
  searchServicePoints,
  UpstreamUnavailableError,
} from '../../../shared/checkout';
import { ClientShareExhaustedError, clientShareRule, MemoryClientShare } from '../../../shared/governor';
import { UnknownAccountError } from '../../../shared/sendcloud';
import { accountSource, MemoryStore } from './fakes';

const CREDENTIALS = { shop: { secretKey: 'sk-shop' } };

/** The public routes' wiring for account `shop`, with the account's checkout share of `share` lookups. */
function setup(options: { readonly share?: number; readonly delayMs?: number } = {}) {
  const now = Date.parse('2026-11-27T09:00:00Z');
  const account = accountSource({
    share: options.share ?? 20,
    ...(options.delayMs ? { delayMs: options.delayMs } : {}),
  });
  const unconfigured: string[] = [];
  const checkout = new PublicCheckout({
    accounts: new Set(['shop', 'keyless']),
    client: async (id) => {
      if (id === 'keyless') throw new UnknownAccountError(id);
      return account.source;
    },
    cache: new LookupCache(new MemoryStore(), { freshMs: 300_000, clock: () => now }),
    share: new MemoryClientShare({ rule: clientShareRule(), clock: () => now }),
    credentials: async () => CREDENTIALS,
    onUnconfigured: (id) => unconfigured.push(id),
  });
  const search = async (sourceIp: string, query: Record<string, string>, id = 'shop') => {
    const access = await checkout.forRequest({ account: id, sourceIp, header: () => undefined });
    return searchServicePoints(ServicePointQuery.parse({ account: id, ...query }), access).catch(
      (error: unknown) => {
        if (error instanceof UpstreamUnavailableError)
          return { servicePoints: [], degradedReason: error.reason };
        throw error;
      },
    );
  };
  return { checkout, account, search, unconfigured };
}

describe('public checkout: one client against everyone else', () => {
  it("cannot make another client's ordinary lookup come back empty by flooding distinct lookups", async () => {
    const { account, search } = setup();
    const flood = [];
    for (let radius = 1_000; radius < 1_260; radius++)
      flood.push(
        await search('198.51.100.66', { country: 'NL', postalCode: '1012AB', radius: String(radius) }),
      );
    expect(account.state.requests).toBe(10); // its own burst, not the account's share of 20
    expect(flood.filter((a) => a.degradedReason === 'client-limit')).toHaveLength(250);

    const shopper = await search('203.0.113.7', { country: 'NL', postalCode: '3511AB' });
    expect(shopper).toMatchObject({ stale: false });
    expect(shopper.servicePoints.length).toBeGreaterThan(0);
  });

  it('lets a client over its share still have what is cached: cached answers cost nothing', async () => {
    const { search } = setup();
    const popular = { country: 'NL', postalCode: '1012AB' };
    const first = await search('203.0.113.7', popular);
    for (let radius = 100; radius < 120; radius++)
      await search('198.51.100.66', { country: 'NL', postalCode: '3011AA', radius: String(radius) });
    expect(await search('198.51.100.66', popular)).toEqual(first);
  });

  it("never fails another client's lookup that is under way when a client over its share asks the same", async () => {
    const { search, account } = setup({ delayMs: 20 });
    for (let radius = 100; radius < 110; radius++)
      await search('198.51.100.66', { country: 'NL', postalCode: '3011AA', radius: String(radius) });
    const query = { country: 'NL', postalCode: '2511AA' };
    const shopping = search('203.0.113.7', query);
    while (account.state.requests < 11) await new Promise((resolve) => setImmediate(resolve));
    const flooder = await search('198.51.100.66', query); // asks while the shopper's load is under way
    const shopper = await shopping;
    expect(shopper).toMatchObject({ stale: false });
    expect(flooder).toEqual(shopper); // it joined that load, for free
    expect(account.state.requests).toBe(11);
  });
});

describe('public checkout: accounts', () => {
  it('answers an unknown account exactly like a known one with nothing to offer, without asking SendCloud', async () => {
    const { search, account } = setup();
    const knownEmpty = await search('203.0.113.7', { country: 'JP', postalCode: '1000001' });
    const before = account.state.requests;
    const unknown = await search('203.0.113.7', { country: 'JP', postalCode: '1000001' }, 'no-such-shop');
    expect(account.state.requests).toBe(before);
    expect(unknown).toEqual(knownEmpty);
    // one point by id: SendCloud's "not found" for both
    const { checkout } = setup();
    const access = await checkout.forRequest({
      account: 'no-such-shop',
      sourceIp: '203.0.113.7',
      header: () => undefined,
    });
    expect(access.client).toBe(NOTHING_TO_OFFER);
    expect(await getServicePoint(10_000, { ...access, account: 'no-such-shop' })).toBeUndefined();
  });

  it('charges an unknown account’s lookups to the client like any other, so flooding one tells nothing either', async () => {
    const { search } = setup();
    const answers = [];
    for (let radius = 100; radius < 112; radius++)
      answers.push(
        await search(
          '198.51.100.66',
          { country: 'NL', postalCode: '1012AB', radius: String(radius) },
          'no-such-shop',
        ),
      );
    expect(answers.map((a) => a.degradedReason ?? 'answered')).toEqual([
      ...Array<string>(10).fill('answered'),
      'client-limit',
      'client-limit',
    ]);
  });

  it('answers a served account whose keys are missing as unknown, and tells operations', async () => {
    const { search, unconfigured } = setup();
    expect(await search('203.0.113.7', { country: 'NL', postalCode: '1012AB' }, 'keyless')).toMatchObject({
      servicePoints: [],
      stale: false,
    });
    expect(unconfigured).toEqual(['keyless']);
  });
});

describe('LookupCache.admitting', () => {
  const setup = () => {
    let now = Date.parse('2026-11-27T09:00:00Z');
    const cache = new LookupCache(new MemoryStore(), { freshMs: 60_000, clock: () => now });
    return { cache, advance: (ms: number) => (now += ms) };
  };
  const refuse = async () => {
    throw new ClientShareExhaustedError('shop');
  };

  it('gives a client over its share a fresh answer without asking the share at all', async () => {
    const { cache } = setup();
    await cache.get('k', async () => 'kept');
    expect(await cache.admitting(refuse).get('k', async () => 'new')).toMatchObject({
      value: 'kept',
      stale: false,
    });
  });

  it('answers a client over its share from the last good answer, flagged client-limit, or with nothing', async () => {
    const { cache, advance } = setup();
    await cache.get('k', async () => 'kept');
    advance(60_001);
    expect(await cache.admitting(refuse).get('k', async () => 'new')).toMatchObject({
      value: 'kept',
      stale: true,
      degradedReason: 'client-limit',
    });
    await expect(cache.admitting(refuse).get('nothing', async () => 'new')).rejects.toMatchObject({
      name: 'UpstreamUnavailableError',
      reason: 'client-limit',
    });
  });

  it('does not ask SendCloud for a client it refuses', async () => {
    const { cache } = setup();
    let loads = 0;
    await expect(
      cache.admitting(refuse).get('k', async () => {
        loads++;
        return 'new';
      }),
    ).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(loads).toBe(0);
  });
});
