import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutConfigurationUuid } from '../../local/simulator/v3/checkout';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * Checkout for an account on SendCloud API v3: delivery options come from v3 shipping options (quotes), not
 * from v2's method list, and what a choice says to put on the order ships exactly that option. Service points
 * stay on the v2 service-points host, which serves v3 accounts too.
 */
/** A v3 account with a published Dynamic Checkout configuration (its v3 id is a UUID). */
const CONFIGURED = { id: 'shop-dc', publicKey: 'dc-public', secretKey: 'dc-secret', api: 'v3' } as const;
const CONFIGURATION = checkoutConfigurationUuid(CONFIGURED.id, `${CONFIGURED.id}-checkout`);

let bridge: Bridge;
beforeAll(async () => {
  bridge = await startBridge({
    api: 'v3',
    extraAccounts: [CONFIGURED],
    wiring: { checkout: { configurations: { [CONFIGURED.id]: CONFIGURATION } } },
  });
}, 30_000);
afterAll(() => bridge.stop());

interface Choice {
  type: 'home' | 'service_point';
  serviceLevel: string;
  carrier: string;
  shippingMethod: { id: number | null; ref: string; name: string } | null;
  order: {
    serviceLevel: string;
    delivery: { type: string };
    shippingMethod?: string;
    shippingMethodId?: number;
  };
}

const get = async <T>(path: string) => {
  const response = await fetch(`${bridge.stack.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
};
const simRoutes = async () =>
  ((await (await fetch(`${bridge.sim.url}/__sim/stats`)).json()) as { byRoute: Record<string, number> })
    .byRoute;

describe('checkout on a v3 account', () => {
  it('offers v3 shipping options, and an order placed with one ships that option', async () => {
    // Act
    const { status, body } = await get<{ options: Choice[] }>(
      '/delivery-options?country=NL&postalCode=1012AB&weightGrams=1200&orderValue=49.95',
    );

    // Assess: the options are v3 references, asked of v3, never of v2's method list
    expect(status).toBe(200);
    const standard = body.options.find((o) => o.type === 'home' && o.serviceLevel === 'standard');
    expect(standard?.shippingMethod).toMatchObject({ id: null, ref: expect.stringMatching(/^postnl:/) });
    expect(standard?.order).toEqual({
      serviceLevel: 'standard',
      delivery: { type: 'home' },
      shippingMethod: standard?.shippingMethod?.ref,
    });
    const routes = await simRoutes();
    expect(routes['v3 POST /shipping-options']).toBeGreaterThanOrEqual(1);
    expect(routes['GET /shipping_methods'] ?? 0).toBe(0);

    // The shop sends what the choice says: that very option ships
    const orderId = `CHK3-${Date.now()}`;
    const posted = await fetch(`${bridge.stack.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...exampleOrder(), orderId, ...standard?.order }),
    });
    expect(posted.status).toBe(202);
    let view: { status: string; routing?: { rule: string; choice: { method: string } } } = { status: '' };
    for (let i = 0; i < 100 && view.status !== 'label_stored'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await get<typeof view>(`/orders/${orderId}`)).body;
    }
    expect(view.status).toBe('label_stored');
    expect(view.routing).toMatchObject({
      rule: 'shippingMethodId on the order',
      choice: { method: standard?.shippingMethod?.ref },
    });
  });

  it('checks a service-point order at intake against the v3 options of the point’s carrier', async () => {
    const points = await get<{ servicePoints: Array<{ id: number; carrier: string }> }>(
      '/service-points?country=NL&postalCode=1012AB&carrier=postnl&limit=1',
    );
    const point = points.body.servicePoints[0];
    expect(point?.carrier).toBe('postnl');
    const orderId = `CHK3-SP-${Date.now()}`;
    const posted = await fetch(`${bridge.stack.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...exampleOrder(),
        orderId,
        delivery: { type: 'service_point', servicePointId: point?.id },
      }),
    });
    expect(posted.status).toBe(202);
    let view: { status: string; parcels?: Array<{ carrier: string }> } = { status: '' };
    for (let i = 0; i < 100 && view.status !== 'label_stored'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = (await get<typeof view>(`/orders/${orderId}`)).body;
    }
    expect(view.status).toBe('label_stored');
    expect(view.parcels?.[0]?.carrier).toBe('postnl');
    expect((await simRoutes())['GET /shipping_methods'] ?? 0).toBe(0);
  });

  it('an account with a Dynamic Checkout configuration gets its options on the v3 path, named by option code', async () => {
    const before = await simRoutes();
    const { status, body } = await get<{ source: string; options: Choice[] }>(
      `/delivery-options?account=${CONFIGURED.id}&country=NL&postalCode=1012AB&weightGrams=1200&orderValue=49.95`,
    );

    expect(status).toBe(200);
    expect(body.source).toBe('sendcloud_checkout');
    const standard = body.options.find((o) => o.type === 'home' && o.serviceLevel === 'standard');
    expect(standard?.shippingMethod).toMatchObject({ id: null, ref: 'postnl:standard@517' });
    expect(standard?.order).toEqual({
      serviceLevel: 'standard',
      delivery: { type: 'home' },
      shippingMethod: 'postnl:standard@517',
    });
    const after = await simRoutes();
    const asked = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    expect(asked('v3 GET /checkout/configurations/{id}/delivery-options')).toBe(1);
    const v2Checkout = Object.keys(after).filter((route) => route.startsWith('GET /checkout/'));
    expect(v2Checkout.map(asked).reduce((a, b) => a + b, 0)).toBe(0);

    // The choice ships as it says, on that account.
    const orderId = `CHK3-DC-${Date.now()}`;
    const posted = await fetch(`${bridge.stack.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...exampleOrder(), account: CONFIGURED.id, orderId, ...standard?.order }),
    });
    expect(posted.status).toBe(202);
    const view = await until(
      async () =>
        (await get<{ status: string; shippingMethod?: { ref: string } }>(`/orders/${orderId}`)).body,
      (v) => v.status === 'label_stored' || v.status === 'failed',
    );
    expect(view).toMatchObject({
      status: 'label_stored',
      parcels: [{ shippingMethod: { ref: 'postnl:standard@517' } }],
    });
  });
});
