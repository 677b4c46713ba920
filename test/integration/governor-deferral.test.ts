import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { LOCAL_NAMES } from '../../local/wiring';
import { DynamoRateGovernor, RateLimitsSetting } from '../../shared/governor';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';

/**
 * A worker whose message would wait long for its account's budget hands it back to the queue with a delay
 * instead of sleeping in its slot — and that wait is not a failure: the message is not counted towards the
 * DLQ however often it waits, and its order is still labelled once.
 */
let bridge: Bridge;

beforeAll(async () => {
  bridge = await startBridge({
    wiring: {
      // Ten writes a minute, all of them spent in the last minute (below): a write every 5 s, past the
      // worker's 3 s bound, and the third order's wait (≈ 16 s) past the queue's visibility.
      rateLimits: 'default=1000:10',
      // Two receives and a message is dead-lettered. 10 s is ample for an order that is not waiting, but a
      // worker sleeping 20 s for a token would see its message delivered again (and dead-lettered).
      ordersQueue: { visibilityTimeoutSeconds: 10, maxReceiveCount: 2, retryBaseSeconds: 1 },
      requeue: { everyMs: 0 },
    },
  });
}, 30_000);
afterAll(() => bridge.stop());

const OrderView = z.object({ status: z.string() });
const post = (body: unknown) =>
  fetch(`${bridge.stack.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const statusOf = async (orderId: string) =>
  OrderView.parse(await (await fetch(`${bridge.stack.url}/orders/${orderId}`)).json()).status;
const parcelsCreated = async (orderId: string) =>
  z
    .object({ created: z.number() })
    .parse(
      await (
        await fetch(
          `${bridge.sim.url}/__sim/counts?external_reference=${encodeURIComponent(`webshop:${orderId}`)}`,
        )
      ).json(),
    ).created;

async function deadLettered(): Promise<number> {
  const received = await new SQSClient({}).send(
    new ReceiveMessageCommand({
      QueueUrl: bridge.stack.queueUrls.get(`${LOCAL_NAMES.ordersQueue}-dlq`),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    }),
  );
  return received.Messages?.length ?? 0;
}

describe('orders that must wait for the write budget', () => {
  it('come back later as ordinary deliveries: none dead-lettered, each labelled on one parcel', async () => {
    // Prepare: the account has spent its minute — ten writes 55 to 10 s ago, one every 5 s, so a write is
    // free again in ≈ 6, 11 and 16 s — and three orders come at once
    const started = Date.now();
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    for (let i = 0; i < 10; i++)
      await new DynamoRateGovernor(db, {
        tableName: LOCAL_NAMES.table,
        limits: RateLimitsSetting.parse('default=1000:10'),
        clock: () => started - 55_000 + i * 5_000,
      }).acquire('default', 'write', 'realtime');
    const orders = Array.from({ length: 3 }, (_, i) => ({
      ...exampleOrder(),
      orderId: `DEFER-${started}-${i}`,
    }));
    // Act
    for (const order of orders) expect((await post(order)).status).toBe(202);
    const remaining = new Set(orders.map((o) => o.orderId));
    const deadline = Date.now() + 150_000;
    while (remaining.size > 0 && Date.now() < deadline) {
      for (const orderId of remaining)
        if ((await statusOf(orderId)) === 'label_stored') remaining.delete(orderId);
      expect(await deadLettered()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Assess: every order labelled, the last only once the budget allowed, none through the DLQ, none twice
    expect([...remaining]).toEqual([]);
    expect(Date.now() - started).toBeGreaterThan(12_000);
    expect(await deadLettered()).toBe(0);
    for (const order of orders) expect(await parcelsCreated(order.orderId)).toBe(1);
  }, 180_000);
});
