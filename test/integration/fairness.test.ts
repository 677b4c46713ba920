import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * One account's end of day cannot keep another account's real-time orders waiting for a worker: end-of-day
 * work travels on a queue of its own, whose consumers have slots of their own. Here every batch create of the
 * other account hangs at SendCloud for a minute — more groups than there are worker slots — and a real-time
 * order of the first account is labelled while none of them has answered. (The queues are the same for v2
 * and v3 accounts; one API is enough.)
 */
const OTHER = { id: 'other', publicKey: 'other-public-key', secretKey: 'other-secret-key' } as const;
let bridge: Bridge;
const example = exampleOrder();
const post = (path: string, body: unknown) =>
  fetch(`${bridge.stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const json = async <T>(path: string) => (await (await fetch(`${bridge.stack.url}${path}`)).json()) as T;

beforeAll(async () => {
  bridge = await startBridge({ extraAccounts: [OTHER] });
}, 30_000);
afterAll(async () => {
  await fetch(`${bridge.sim.url}/__sim/faults`, { method: 'DELETE' });
  await bridge.stop();
});

describe('an end of day beside real-time orders', () => {
  it('labels a real-time order while every worker slot of the other account’s end of day is stuck at SendCloud', async () => {
    // Prepare: five groups of 50 end-of-day orders of the other account, whose creates all hang for 60 s
    const orders = Array.from({ length: 250 }, (_, i) => ({
      ...example,
      account: OTHER.id,
      orderId: `EOD-${i}`,
      dispatch: 'end_of_day',
    }));
    expect((await post('/orders/batch', { orders })).status).toBe(202);
    await fetch(`${bridge.sim.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({
        method: 'POST',
        path: '^/parcels$',
        kind: 'slow',
        delayMs: 60_000,
        account: OTHER.id,
      }),
    });
    const { batchId } = (await (await post('/batches', { account: OTHER.id })).json()) as { batchId: string };
    // every batch slot holds a hanging create before the real-time order comes
    const faults = async () =>
      ((await (await fetch(`${bridge.sim.url}/__sim/faults`)).json()) as Array<{ hits: number }>)[0]?.hits ??
      0;
    await until(faults, (hits) => hits >= 3, 30_000);

    // Act
    const realtime = { ...example, orderId: 'RT-1' };
    expect((await post('/orders', realtime)).status).toBe(202);

    // Assess: labelled while the end of day has not had one answer
    const view = await until(
      () => json<{ status: string }>('/orders/RT-1'),
      (v) => v.status === 'label_stored',
      45_000,
    );
    expect(view.status).toBe('label_stored');
    const batch = await json<{ done: number; failed: number; total: number }>(`/batches/${batchId}`);
    expect(batch).toMatchObject({ done: 0, failed: 0, total: 250 });
  }, 120_000);
});
