import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { loadEnv } from '../../../shared/config';
import { DynamoCatalogStore } from '../../../shared/store';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { until } from '../../helpers/until';

/**
 * The account's catalogue follows SendCloud, end to end on the local stack: a method taken out of the account
 * in the simulator (which tells the account's webhook with `integration_updated`) is published once as
 * `Shipping Method Removed` and is no longer routed to; a method taken out silently is found by the announce
 * SendCloud refuses, and the order falls back and ships. One file per API (`catalog.test.ts`,
 * `catalog-v3.test.ts`).
 */
export function catalogSuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    let bridge: Bridge;
    let sim: RunningSimulator;
    let stack: LocalStack;
    const example = exampleOrder();
    /** The method the tests take out, as the simulator names it and as routing refers to it. */
    const DHL =
      api === 'v2'
        ? { sim: '1030', rule: { methodIds: [1030] } }
        : { sim: 'dhl:parcel_connect', rule: { methods: ['dhl:parcel_connect'] } };
    const isDhl = (ref: string | undefined) =>
      api === 'v2' ? ref === '1030' : /^dhl:parcel_connect(@|$)/.test(ref ?? '');
    /** Where the refresh reads the account's whole catalogue (what the tests wait for). */
    const CATALOGUE_ROUTE = api === 'v2' ? 'GET /shipping_methods' : 'v3 POST /shipping-options';

    beforeAll(async () => {
      bridge = await startBridge({
        api,
        wiring: {
          // a refresh taking longer than a short visibility timeout would run twice and drop the worker's cache
          ordersQueue: { visibilityTimeoutSeconds: 60, retryBaseSeconds: 1 },
          // the schedule runs at start (the baseline snapshot) and then on demand only
          catalogRefresh: { everyMs: 0, runAtStart: true },
        },
      });
      ({ sim, stack } = bridge);
      await simAdmin('POST', '/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
      // DHL first for Dutch parcels, PostNL otherwise: the DHL rule names the method the tests take out
      const rules = {
        name: 'catalogue',
        version: 2,
        rules: [
          { name: 'DHL first', when: { countries: ['NL'] }, choose: DHL.rule },
          { name: 'PostNL', choose: { carriers: ['postnl'] } },
        ],
      };
      const put = await fetch(`${stack.url}/routing/rules/default`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rules),
      });
      expect(put.status, await put.clone().text()).toBe(200);
      await until(
        () => catalogStore().snapshot('default'),
        (snapshot) => snapshot !== undefined,
      );
      // The worker's cached catalogue holds DHL now: only a refresh can make it forget
      const warm = await shipOrder();
      expect(isDhl(warm.view.parcels[0]?.shippingMethod.ref)).toBe(true);
    }, 60_000);
    afterAll(() => bridge.stop());

    const catalogStore = () =>
      new DynamoCatalogStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), {
        tableName: loadEnv().TABLE_NAME ?? '',
      });

    async function simAdmin(method: string, path: string, body?: unknown): Promise<unknown> {
      const response = await fetch(`${sim.url}/__sim${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return response.status === 204 ? undefined : response.json();
    }

    const catalogueReads = async () =>
      ((await simAdmin('GET', '/stats')) as { byRoute: Record<string, number> }).byRoute[CATALOGUE_ROUTE] ??
      0;

    interface CatalogEvent {
      account: string;
      api: string;
      shippingMethod: string;
      shippingMethodId: number | null;
      carrier: string;
      shippingMethodName: string;
      trigger: string;
    }
    const catalogEvents = (detailType: 'Shipping Method Removed' | 'Shipping Method Added') =>
      stack.bus.events
        .filter((e) => e['detail-type'] === detailType)
        .map((e) => e.detail as CatalogEvent)
        .filter((e) => isDhl(e.shippingMethod));

    interface View {
      status: string;
      routing: {
        rule: string | null;
        choice: { method: string } | null;
        refusedMethods: Record<string, string>;
        trace: Array<{ rule: string; outcome: string; reason?: string }>;
      } | null;
      parcels: Array<{ carrier: string; shippingMethod: { ref: string } }>;
    }
    let n = 0;
    async function shipOrder(): Promise<{ orderId: string; view: View }> {
      const orderId = `CAT-${api}-${Date.now()}-${n++}`;
      const posted = await fetch(`${stack.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...example, orderId }),
      });
      expect(posted.status).toBe(202);
      const view = await until(
        async () => (await (await fetch(`${stack.url}/orders/${orderId}`)).json()) as View,
        (v) => v.status === 'label_stored' || v.status === 'failed',
      );
      return { orderId, view };
    }
    const announcedEvent = (orderId: string) =>
      stack.bus.events.find(
        (e) =>
          e['detail-type'] === 'Parcel Announced' && (e.detail as { orderId: string }).orderId === orderId,
      )?.detail as { fallbackUsed: boolean; carrier: string } | undefined;

    it('removing a method sends integration_updated: one Shipping Method Removed, and a duplicate webhook publishes nothing more', async () => {
      // Prepare: SendCloud delivers each webhook twice
      await simAdmin('POST', '/webhooks/mode', { duplicate: true });
      // Act
      const removed = (await simAdmin('DELETE', `/accounts/default/catalogue/${DHL.sim}`)) as {
        removed: Array<{ id: number }>;
      };
      expect(removed.removed.map((m) => m.id)).toEqual([1030]);
      const [event] = await until(
        async () => catalogEvents('Shipping Method Removed'),
        (events) => events.length > 0,
      );
      // Assess: what the event says, and no personal data
      expect(event).toMatchObject({
        account: 'default',
        api,
        shippingMethodId: api === 'v2' ? 1030 : null,
        carrier: 'dhl',
        shippingMethodName: expect.stringContaining('DHL Parcel Connect'),
        trigger: 'webhook',
      });
      const deliveries = await until(
        async () =>
          (
            (await simAdmin('GET', '/webhooks')) as Array<{
              body: string;
              attempts: Array<{ status: number }>;
            }>
          ).filter((d) => d.body.includes('"integration_updated"')),
        (found) =>
          found.length > 0 && found.every((d) => d.attempts.filter((a) => a.status === 200).length >= 2),
      );
      expect(deliveries).toHaveLength(1);
      // A later integration_updated (other bytes, the bridge's integration 7001 changed) makes the worker
      // look again, and it finds nothing new.
      await simAdmin('POST', '/webhooks/mode', { duplicate: false });
      const reads = await catalogueReads();
      const updated = await fetch(`${sim.baseUrl}/integrations/7001`, {
        method: 'PATCH',
        headers: {
          authorization: `Basic ${Buffer.from('sim-public-key:sim-secret-key').toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ shop_name: 'Voorbeeld' }),
      });
      expect(updated.status).toBe(200);
      await until(catalogueReads, (count) => count >= reads + 2);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(catalogEvents('Shipping Method Removed')).toHaveLength(1);
      expect(JSON.stringify(catalogEvents('Shipping Method Removed'))).not.toMatch(/Sanne|Damrak|1012/);
    });

    it('an order whose rule names the removed method routes to the next rule and ships', async () => {
      const { orderId, view } = await shipOrder();
      expect(view.status).toBe('label_stored');
      expect(view.routing?.rule).toBe('PostNL');
      expect(view.routing?.trace[0]).toMatchObject({ rule: 'DHL first' });
      expect(view.routing?.refusedMethods).toEqual({});
      expect(view.parcels[0]?.carrier).toBe('postnl');
      expect(announcedEvent(orderId)?.fallbackUsed).toBe(false);
    });

    it('putting the method back publishes Shipping Method Added, and it is routed to again', async () => {
      await simAdmin('PUT', `/accounts/default/catalogue/${DHL.sim}`);
      await until(
        async () => catalogEvents('Shipping Method Added'),
        (events) => events.length > 0,
      );
      const { view } = await shipOrder();
      expect(view.routing?.rule).toBe('DHL first');
      expect(isDhl(view.parcels[0]?.shippingMethod.ref)).toBe(true);
    });

    it('an order routed to a method taken out silently falls back when SendCloud refuses the announce, and ships', async () => {
      // Prepare: the worker's catalogue holds DHL (the previous order was routed to it); SendCloud drops it
      // without telling anyone
      const before = catalogEvents('Shipping Method Removed').length;
      await simAdmin('DELETE', `/accounts/default/catalogue/${DHL.sim}?webhook=false`);
      // Act
      const { orderId, view } = await shipOrder();
      // Assess: DHL was chosen from the cached catalogue, refused as gone, and PostNL carried the parcel
      expect(view.status).toBe('label_stored');
      const refused = Object.entries(view.routing?.refusedMethods ?? {});
      expect(refused).toHaveLength(1);
      expect(isDhl(refused[0]?.[0])).toBe(true);
      expect(refused[0]?.[1]).toMatch(/no longer exists in the account's SendCloud catalogue/);
      expect(view.parcels[0]?.carrier).toBe('postnl');
      expect(announcedEvent(orderId)).toMatchObject({ fallbackUsed: true, carrier: 'postnl' });
      // The refusal made the worker read the catalogue: the removal is published, once
      const events = await until(
        async () => catalogEvents('Shipping Method Removed'),
        (found) => found.length > before,
      );
      expect(events.at(-1)?.trigger).toBe('announce');
      // and the next order is not routed to it again (the cached catalogue was dropped)
      const next = await shipOrder();
      expect(next.view.routing?.refusedMethods).toEqual({});
      expect(next.view.routing?.rule).toBe('PostNL');
    });
  });
}
