import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { until } from '../../helpers/until';

/**
 * A flash sale: real-time orders queue up behind busy workers. Those that arrive together are created
 * together (v2: one batch create; v3: one Orders API upsert and its label requests) instead of one write
 * each — and every order still gets exactly one parcel and its label.
 */
export function burstSuite(api: 'v2' | 'v3'): void {
  describe(`a burst of real-time orders (${api} account)`, () => {
    let bridge: Bridge;
    const example = exampleOrder();
    const CREATE = api === 'v2' ? '^/parcels$' : '^/shipments/announce$';
    const post = (body: unknown) =>
      fetch(`${bridge.stack.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const sim = async <T>(path: string, init?: RequestInit) =>
      (await (await fetch(`${bridge.sim.url}${path}`, init)).json()) as T;

    beforeAll(async () => {
      bridge = await startBridge({ api });
    }, 30_000);
    afterAll(() => bridge.stop());

    it('creates the orders that queued up together, each exactly once, and labels every one', async () => {
      // Prepare: the first four creates hang 4 s, holding every local worker slot of the orders queue
      await sim('/__sim/faults', {
        method: 'POST',
        body: JSON.stringify({ method: 'POST', path: CREATE, kind: 'slow', delayMs: 4_000, count: 4 }),
      });
      const ids = Array.from({ length: 24 }, (_, i) => `BURST-${api}-${i}`);
      for (const orderId of ids.slice(0, 4)) expect((await post({ ...example, orderId })).status).toBe(202);
      await until(
        () => sim<Array<{ hits: number }>>('/__sim/faults'),
        (faults) => (faults[0]?.hits ?? 0) >= 4,
      );
      const before = await sim<{ byRoute: Record<string, number> }>('/__sim/stats');

      // Act: twenty more while the slots are held
      for (const orderId of ids.slice(4)) expect((await post({ ...example, orderId })).status).toBe(202);

      // Assess: every order labelled, each created once
      await until(
        () =>
          Promise.all(
            ids.map(
              async (id) =>
                ((await (await fetch(`${bridge.stack.url}/orders/${id}`)).json()) as { status: string })
                  .status,
            ),
          ),
        (statuses) => statuses.every((s) => s === 'label_stored'),
        60_000,
      );
      for (const id of ids) {
        const { created } = await sim<{ created: number }>(`/__sim/counts?external_reference=webshop:${id}`);
        expect(created, id).toBe(1);
      }
      // the twenty that queued took fewer writes than one each
      const after = await sim<{ byRoute: Record<string, number> }>('/__sim/stats');
      const writes = (route: string) => (after.byRoute[route] ?? 0) - (before.byRoute[route] ?? 0);
      const createWrites =
        api === 'v2'
          ? writes('POST /parcels')
          : writes('v3 POST /shipments/announce') +
            writes('v3 POST /orders') +
            writes('v3 POST /orders/create-labels-async');
      expect(createWrites).toBeLessThan(20);
      expect(createWrites).toBeGreaterThan(0);
    }, 120_000);
  });
}
