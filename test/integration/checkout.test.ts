import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator';
import type { LocalStack } from '../../local/stack';
import { defaultRules, route } from '../../shared/routing';
import { SendcloudClient } from '../../shared/sendcloud';
import { catalogMethodFromV2 } from '../../shared/sendcloud/V2Port';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until as waitUntil } from '../helpers/until';

/**
 * Checkout on the local wiring, through the real handlers, against the simulator (v2 endpoints for every
 * account). Returns are in suites/returns.ts (returns.test.ts, returns-v3.test.ts).
 */
let sim: RunningSimulator;
let stack: LocalStack;
let bridge: Bridge;
const example = exampleOrder();
const CACHE_SECONDS = 1;

beforeAll(async () => {
  bridge = await startBridge({
    simulator: { webhookTimeScale: 0.0001 },
    wiring: {
      ordersQueue: { visibilityTimeoutSeconds: 5, retryBaseSeconds: 1 },
      checkout: {
        cacheSeconds: CACHE_SECONDS,
        deadlineMs: 1_000,
        origins: ['https://shop.example'],
        // Every request here comes from 127.0.0.1, so to the per-client share these tests are one busy
        // client; the share has its own tests (governor.test.ts).
        clientLookupsPerMinute: 100_000,
      },
    },
  });
  ({ sim, stack } = bridge);
  await admin('/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
}, 30_000);
afterAll(() => bridge.stop());

async function admin(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  return response.status === 204 ? undefined : response.json();
}
const simCalls = async (route: string) =>
  ((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute[route] ?? 0;
const allSimCalls = async () =>
  Object.values(((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute).reduce(
    (sum, n) => sum + n,
    0,
  );
const get = async <T>(path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${stack.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
};
const post = async <T>(path: string, body: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
};
/** These waits run longer than the default. */
const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20000) =>
  waitUntil(read, ok, timeoutMs);

interface PointsAnswer {
  servicePoints: Array<{
    id: number;
    name: string;
    carrier: string;
    distanceMeters: number | null;
    openingHours: Array<{ day: string; periods: Array<{ opens: string; closes: string }>; text: string }>;
    order: { delivery: { type: string; servicePointId: number } };
  }>;
  stale: boolean;
  degradedReason?: string;
}
interface OptionsAnswer {
  source: string;
  stale: boolean;
  options: Array<{
    type: 'home' | 'service_point';
    serviceLevel: string;
    carrier: string;
    shippingMethod: { id: number; name: string } | null;
    price: { amount: string } | null;
    handoverDate: string;
    expectedDeliveryDate: string;
    order: { serviceLevel: string; delivery: { type: string }; shippingMethodId?: number };
  }>;
}

describe('service points', () => {
  it('finds points around 1012AB with opening hours a UI can render, nearest first', async () => {
    const { status, body, headers } = await get<PointsAnswer>(
      '/service-points?country=NL&postalCode=1012 AB',
      {
        origin: 'https://shop.example',
      },
    );
    expect(status).toBe(200);
    expect(headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(body.stale).toBe(false);
    expect(body.servicePoints.length).toBeGreaterThan(3);
    const distances = body.servicePoints.map((p) => p.distanceMeters ?? Number.NaN);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const point of body.servicePoints) {
      expect(point.openingHours.map((d) => d.day)).toEqual([
        'monday',
        'tuesday',
        'wednesday',
        'thursday',
        'friday',
        'saturday',
        'sunday',
      ]);
      expect(point.order.delivery).toEqual({ type: 'service_point', servicePointId: point.id });
    }
    const open = body.servicePoints[0]?.openingHours.find((d) => d.periods.length > 0);
    expect(open?.periods[0]?.opens).toMatch(/^\d{2}:\d{2}$/);
    expect(open?.text).toMatch(/^\d{2}:\d{2}–\d{2}:\d{2}/);
    // a shop origin that is not configured gets no CORS grant
    const other = await get('/service-points?country=NL&postalCode=1012AB', {
      origin: 'https://evil.example',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('filters by carrier, gets one point by id, and says what to fix in a bad query', async () => {
    const { body } = await get<PointsAnswer>('/service-points?country=NL&postalCode=1012AB&carrier=dhl');
    expect(body.servicePoints.length).toBeGreaterThan(0);
    expect(new Set(body.servicePoints.map((p) => p.carrier))).toEqual(new Set(['dhl']));
    const id = body.servicePoints[0]?.id;
    const one = await get<{ servicePoint: { id: number; carrier: string } }>(`/service-points/${id}`);
    expect(one.body.servicePoint).toMatchObject({ id, carrier: 'dhl' });
    expect((await get('/service-points/999999999')).status).toBe(404);
    const bad = await get<{ errors: Array<{ path: string }> }>('/service-points?country=Netherlands');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['country', 'postalCode']));
    // a query SendCloud itself refuses (a carrier it does not know) is the shopper's 400, not our 500
    const typo = await get<{ code: string; message: string }>(
      '/service-points?country=NL&postalCode=1012AB&carrier=postnll',
    );
    expect(typo.status).toBe(400);
    expect(typo.body).toMatchObject({
      code: 'QUERY_REFUSED',
      message: expect.stringMatching(/SendCloud refused/),
    });
  });

  it('answers repeats from the cache without spending the SendCloud budget', async () => {
    const query = '/service-points?country=NL&postalCode=3511AB&radius=3000';
    const before = await simCalls('GET /service-points/');
    const first = await get<PointsAnswer>(query);
    const second = await get<PointsAnswer>(query);
    const third = await get<PointsAnswer>(query);
    expect(await simCalls('GET /service-points/')).toBe(before + 1);
    expect(second.body).toEqual(first.body);
    expect(third.body.servicePoints).toEqual(first.body.servicePoints);
  });

  it('serves the last good answer, flagged, when SendCloud fails or is slow; never a 5xx', async () => {
    const query = '/service-points?country=NL&postalCode=2511AB';
    const good = await get<PointsAnswer>(query);
    expect(good.body.stale).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 100));
    await admin('/faults', { path: '^/service-points/$', kind: 'status', status: 503 });
    const failed = await get<PointsAnswer>(query);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ stale: true });
    expect(failed.body.servicePoints).toEqual(good.body.servicePoints);
    await admin('/faults', undefined, 'DELETE');
    await admin('/faults', { path: '^/service-points/$', kind: 'timeout' });
    const slow = await get<PointsAnswer>(query);
    expect(slow.body).toMatchObject({ stale: true, degradedReason: 'timeout' });
    expect(slow.body.servicePoints).toEqual(good.body.servicePoints);
    // nothing cached for this query: an empty, flagged answer the page can live with
    const unknown = await get<PointsAnswer>('/service-points?country=NL&postalCode=9711AB');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ servicePoints: [], stale: true });
    await admin('/faults', undefined, 'DELETE');
    const recovered = await get<PointsAnswer>(query);
    expect(recovered.body.stale).toBe(false);
  });
});

describe('delivery options', () => {
  const client = () =>
    new SendcloudClient({
      credentials: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
      baseUrl: sim.baseUrl,
      servicePointsBaseUrl: sim.servicePointsBaseUrl,
    });

  it.each([
    ['NL', '1012AB'],
    ['BE', '1000'],
    ['DE', '10115'],
  ])('offers for %s exactly what routing would ship', async (country, postalCode) => {
    const { status, body } = await get<OptionsAnswer>(
      `/delivery-options?country=${country}&postalCode=${postalCode}&weightGrams=1200&orderValue=49.95`,
    );
    expect(status).toBe(200);
    expect(body.source).toBe('routing');
    const methods = (await client().catalog.shippingMethods()).map(catalogMethodFromV2);
    const standard = body.options.find((o) => o.type === 'home' && o.serviceLevel === 'standard');
    const expected = route(
      {
        toCountry: country,
        fromCountry: 'NL',
        weightGrams: 1200,
        serviceLevel: 'standard',
        orderValue: 49.95,
        channel: 'webshop',
        deliveryType: 'home',
      },
      { methods, rules: defaultRules() },
    );
    expect(standard?.shippingMethod?.id).toBe(expected.choice?.methodId);
    expect(standard?.carrier).toBe(expected.choice?.carrier);
    expect(standard?.order).toEqual({
      serviceLevel: 'standard',
      delivery: { type: 'home' },
      shippingMethodId: expected.choice?.methodId,
    });
    for (const option of body.options) {
      expect(option.expectedDeliveryDate > option.handoverDate).toBe(true);
      const decision = route(
        {
          toCountry: country,
          fromCountry: 'NL',
          weightGrams: 1200,
          serviceLevel: option.serviceLevel as 'standard',
          orderValue: 49.95,
          channel: 'webshop',
          deliveryType: option.type,
          servicePointCarrier: option.carrier,
        },
        { methods, rules: defaultRules() },
      );
      expect(decision.choice?.methodId, `${option.type} ${option.serviceLevel}`).toBe(
        option.shippingMethod?.id,
      );
    }
    if (country === 'NL') {
      expect(standard?.carrier).toBe('postnl');
      expect(body.options.some((o) => o.type === 'service_point')).toBe(true);
      expect(body.options.some((o) => o.serviceLevel === 'evening')).toBe(true);
    }
    if (country === 'BE') {
      expect(standard?.carrier).toBe('bpost');
      // no rule makes evening delivery to Belgium: it is not offered as if it were
      expect(body.options.some((o) => o.serviceLevel === 'evening')).toBe(false);
    }
  });

  it('refuses a query without a weight with what to fix', async () => {
    const { status, body } = await get<{ errors: Array<{ path: string }> }>('/delivery-options?country=NL');
    expect(status).toBe(400);
    expect(body.errors.map((e) => e.path)).toContain('weightGrams');
  });
});

describe('accounts from outside', () => {
  /** What a caller can observe of an answer, less the instant it was fetched. */
  const observable = async (path: string) => {
    const response = await fetch(`${stack.url}${path}`, { headers: { origin: 'https://shop.example' } });
    const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
    const { fetchedAt, ...body } = (await response.json()) as Record<string, unknown>;
    return { status: response.status, headers, body, fetchedAt };
  };

  it.each([
    ['service points', '/service-points?country=JP&postalCode=1000001'],
    ['one service point', '/service-points/999999997'],
    ['delivery options', '/delivery-options?country=JP&postalCode=1000001&weightGrams=500'],
  ])('answers %s for an unknown account as for a known one with nothing to offer', async (_, path) => {
    const join = path.includes('?') ? '&' : '?';
    const known = await observable(`${path}${join}account=default`);
    const before = await allSimCalls();
    const unknown = await observable(`${path}${join}account=no-such-shop`);
    const again = await observable(`${path}${join}account=no-such-shop`);
    expect(await allSimCalls()).toBe(before); // SendCloud was never asked about it
    expect(unknown).toEqual({ ...known, fetchedAt: unknown.fetchedAt });
    expect({ ...again, fetchedAt: unknown.fetchedAt }).toEqual(unknown);
    expect([200, 404]).toContain(known.status);
    expect(JSON.stringify(unknown.body)).not.toMatch(/UNKNOWN_ACCOUNT|configured/);
  });

  it('refuses a malformed account id as a bad query, whatever accounts exist', async () => {
    const bad = await get<{ code: string; errors: Array<{ path: string }> }>(
      '/service-points?country=NL&postalCode=1012AB&account=Not%20An%20Id',
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', errors: [{ path: 'account' }] });
  });
});

describe('service-point orders', () => {
  it('validates the point at intake and ships to it with to_service_point', async () => {
    const options = await get<OptionsAnswer>(
      '/delivery-options?country=NL&postalCode=1012AB&weightGrams=1200',
    );
    const choice = options.body.options.find((o) => o.type === 'service_point');
    expect(choice).toBeDefined();
    const points = await get<PointsAnswer>(
      `/service-points?country=NL&postalCode=1012AB&carrier=${choice?.carrier}`,
    );
    const point = points.body.servicePoints[0];
    const orderId = `SP-${Date.now()}`;
    const accepted = await post('/orders', {
      ...example,
      orderId,
      delivery: point?.order.delivery,
      shippingMethodId: choice?.shippingMethod?.id,
    });
    expect(accepted.status).toBe(202);
    const shipped = await until(
      () => get<{ status: string; parcels: Array<{ sendcloudId: number }> }>(`/orders/${orderId}`),
      (v) => v.body.status === 'label_stored',
    );
    const parcelId = shipped.body.parcels[0]?.sendcloudId ?? 0;
    const parcel = await client().parcels.get(parcelId);
    expect(parcel.to_service_point).toBe(point?.id);

    const missing = await post<{ errors: Array<{ path: string; message: string }> }>('/orders', {
      ...example,
      orderId: `SP-MISSING-${Date.now()}`,
      delivery: { type: 'service_point', servicePointId: 999_999_999 },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { path: 'delivery.servicePointId', message: 'service point 999999999 does not exist' },
    ]);
    const other = (
      await get<PointsAnswer>('/service-points?country=NL&postalCode=1012AB')
    ).body.servicePoints.find((p) => p.carrier !== choice?.carrier);
    const mismatch = await post<{ errors: Array<{ path: string }> }>('/orders', {
      ...example,
      orderId: `SP-MISMATCH-${Date.now()}`,
      delivery: other?.order.delivery,
      shippingMethodId: choice?.shippingMethod?.id,
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]?.path).toBe('shippingMethodId');
    // in a batch the same check answers per order
    const batch = await post<{ results: Array<{ status: number; errors?: Array<{ path: string }> }> }>(
      '/orders/batch',
      {
        orders: [
          { ...example, orderId: `SPB-OK-${Date.now()}`, delivery: point?.order.delivery },
          {
            ...example,
            orderId: `SPB-BAD-${Date.now()}`,
            delivery: { type: 'service_point', servicePointId: 999_999_998 },
          },
        ],
      },
    );
    expect(batch.status).toBe(207);
    expect(batch.body.results.map((r) => r.status)).toEqual([202, 400]);
    expect(batch.body.results[1]?.errors?.[0]?.path).toBe('delivery.servicePointId');
    const rejected = stack.bus.events.filter(
      (e) =>
        e['detail-type'] === 'Order Rejected' &&
        String((e.detail as { orderId: string }).orderId).startsWith('SPB-BAD-'),
    );
    expect(rejected).toHaveLength(1);
  });

  const client = () =>
    new SendcloudClient({
      credentials: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
      baseUrl: sim.baseUrl,
      servicePointsBaseUrl: sim.servicePointsBaseUrl,
    });
});
