import { describe, expect, it } from 'vitest';
import { CHANGES_PER_COMMIT, diffCatalog, refreshCatalog } from '../../../shared/catalog';
import type { AccountMethod, ApiVersion } from '../../../shared/sendcloud/port';
import { InMemoryCatalogStore, RecordingPublisher, v2Method, v3Option } from './fakes';

const POSTNL = v2Method(1010, 'PostNL Standard 0-23kg', 'postnl');
const DHL = v2Method(1030, 'DHL Parcel Connect 0-31.5kg', 'dhl');
const DPD = v2Method(1040, 'DPD Home 0-31.5kg', 'dpd');
const POSTNL_RETURN = v2Method(2010, 'PostNL Return', 'postnl', true);

/** An account whose SendCloud catalogue the test changes, and everything a refresh is given. */
function setup(api: ApiVersion, methods: AccountMethod[]) {
  const store = new InMemoryCatalogStore();
  const events = new RecordingPublisher();
  const account = { methods, reads: 0, forgotten: 0 };
  let now = Date.parse('2026-12-01T10:00:00Z');
  const deps = {
    store,
    events,
    clock: () => new Date(now),
    port: async () => ({
      version: api,
      accountMethods: async () => {
        account.reads++;
        return account.methods;
      },
    }),
    forget: () => {
      account.forgotten++;
    },
  };
  const refresh = (trigger: 'webhook' | 'schedule' | 'announce' = 'webhook') =>
    refreshCatalog({ account: 'default', trigger }, deps);
  return { store, events, account, deps, refresh, later: (ms: number) => (now += ms) };
}

describe('diffCatalog', () => {
  it('names what left and what joined by reference; a renamed method is neither', () => {
    // Prepare
    const renamed = { ...POSTNL, name: 'PostNL Standaard' };
    // Act
    const diff = diffCatalog([POSTNL, DHL], [renamed, DPD]);
    // Assess
    expect(diff).toEqual({ removed: [DHL], added: [DPD] });
  });

  it('keeps an outgoing method and a return method of the same reference apart', () => {
    const asReturn = { ...DHL, returns: true };
    expect(diffCatalog([DHL], [asReturn])).toEqual({ removed: [DHL], added: [asReturn] });
  });
});

describe('refreshCatalog', () => {
  it('takes the first snapshot as a baseline: nothing is published for what the account already had', async () => {
    const { store, events, refresh } = setup('v2', [POSTNL, DHL]);
    const result = await refresh('schedule');
    expect(result).toEqual({ baseline: true, removed: 0, added: 0, published: 0 });
    expect(events.published).toEqual([]);
    expect((await store.snapshot('default'))?.methods).toEqual([POSTNL, DHL]);
  });

  it.each(['v2', 'v3'] as const)(
    'publishes one Shipping Method Removed for a method that left a %s account, and nothing on a repeat',
    async (api) => {
      // Prepare
      const gone = api === 'v2' ? DHL : v3Option('dhl:parcel_connect@702', 'DHL Parcel Connect', 'dhl');
      const kept = api === 'v2' ? POSTNL : v3Option('postnl:standard@517', 'PostNL Standard', 'postnl');
      const { events, account, refresh, later } = setup(api, [kept, gone]);
      await refresh('schedule');
      account.methods = [kept];
      later(60_000);
      // Act
      const first = await refresh('webhook');
      const repeat = await refresh('webhook');
      // Assess
      expect(first).toMatchObject({ baseline: false, removed: 1, added: 0, published: 1 });
      expect(repeat).toMatchObject({ removed: 0, added: 0, published: 0 });
      expect(events.published).toEqual([
        {
          detailType: 'Shipping Method Removed',
          detail: {
            account: 'default',
            api,
            shippingMethod: gone.ref,
            shippingMethodId: api === 'v2' ? 1030 : null,
            carrier: 'dhl',
            shippingMethodName: gone.name,
            returns: false,
            trigger: 'webhook',
            detectedAt: '2026-12-01T10:01:00.000Z',
          },
        },
      ]);
    },
  );

  it('publishes Shipping Method Added for a method that joined, return methods included', async () => {
    const { events, account, refresh } = setup('v2', [POSTNL]);
    await refresh();
    account.methods = [POSTNL, DPD, POSTNL_RETURN];
    await refresh('schedule');
    expect(
      events.published.map((e) => [e.detailType, (e.detail as { shippingMethod: string }).shippingMethod]),
    ).toEqual([
      ['Shipping Method Added', '1040'],
      ['Shipping Method Added', '2010'],
    ]);
  });

  it('publishes a change once when two refreshes run at the same time', async () => {
    const { events, account, refresh } = setup('v2', [POSTNL, DHL]);
    await refresh();
    account.methods = [POSTNL];
    await Promise.all([refresh(), refresh(), refresh()]);
    expect(events.published.map((e) => e.detailType)).toEqual(['Shipping Method Removed']);
  });

  it('keeps a change whose publishing failed, and the next refresh publishes it (once)', async () => {
    const { events, account, refresh, store } = setup('v2', [POSTNL, DHL]);
    await refresh();
    account.methods = [POSTNL];
    events.failNext = 1;
    await expect(refresh()).rejects.toThrow(/PutEvents failed/);
    expect((await store.snapshot('default'))?.outbox).toHaveLength(1);
    // The snapshot already lists the change: the next run finds no new diff, only the unpublished change.
    await expect(refresh('schedule')).resolves.toMatchObject({ removed: 0, published: 1 });
    await refresh('schedule');
    expect(events.published.map((e) => e.detailType)).toEqual(['Shipping Method Removed']);
    expect((await store.snapshot('default'))?.outbox).toEqual([]);
  });

  it('drops the process’s cached catalogues after every refresh, changed or not', async () => {
    const { account, refresh } = setup('v2', [POSTNL]);
    await refresh();
    await refresh();
    expect(account.forgotten).toBe(2);
  });

  it('stores a diff larger than one write in several versions, each change published once', async () => {
    const many = Array.from({ length: CHANGES_PER_COMMIT + 30 }, (_, i) =>
      v2Method(5000 + i, `M${i}`, 'ups'),
    );
    const { events, account, refresh, store } = setup('v2', [POSTNL, ...many]);
    await refresh();
    account.methods = [POSTNL];
    const result = await refresh();
    expect(result).toMatchObject({ removed: many.length, published: many.length });
    expect(
      new Set(events.published.map((e) => (e.detail as { shippingMethod: string }).shippingMethod)).size,
    ).toBe(many.length);
    expect((await store.snapshot('default'))?.methods).toEqual([POSTNL]);
  });
});
