import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DEFERRALS_ATTRIBUTE, QUEUED_AT_ATTRIBUTE } from '../../../shared/orders/deferMessage';
import type { OrderKey } from '../../../shared/orders/Order';
import type { OrderMessage } from '../../../shared/orders/OrderQueue';
import type { ProcessOutcome } from '../../../shared/orders/processOrder';
import {
  type DeferredGroup,
  type RealtimeGroupDeps,
  realtimeGroups,
} from '../../../shared/orders/realtimeGroups';
import { RateBudgetDeferredError } from '../../../shared/sendcloud/RateLimiter';

let sequence = 0;
function recordOf(
  message: OrderMessage,
  attributes: { deferrals?: number; queuedAt?: number; sentAt?: number } = {},
): SQSRecord {
  sequence += 1;
  return {
    messageId: `m-${sequence}`,
    receiptHandle: `r-${sequence}`,
    body: JSON.stringify(message),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(attributes.sentAt ?? 1_796_000_000_000 + sequence),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '1796000000000',
    },
    messageAttributes: {
      ...(attributes.deferrals
        ? { [DEFERRALS_ATTRIBUTE]: { dataType: 'Number', stringValue: String(attributes.deferrals) } }
        : {}),
      ...(attributes.queuedAt
        ? { [QUEUED_AT_ATTRIBUTE]: { dataType: 'Number', stringValue: String(attributes.queuedAt) } }
        : {}),
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:orders',
    awsRegion: 'eu-west-1',
  };
}
const single = (orderId: string, attributes?: Parameters<typeof recordOf>[1]) =>
  recordOf({ kind: 'order', channel: 'webshop', orderId }, attributes);
const group = (account: string, ids: readonly string[], attributes?: Parameters<typeof recordOf>[1]) =>
  recordOf(
    { kind: 'batch', account, orders: ids.map((orderId) => ({ channel: 'webshop', orderId })) },
    attributes,
  );
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Deps over a fixed order → account map; records every create and every deferred group. */
function depsOf(options: {
  accounts: Record<string, string>;
  groupSize?: number;
  refuse?: (keys: readonly OrderKey[]) => Error | undefined;
  deferFails?: boolean;
}) {
  const creates: { account: string; orders: string[]; holdBack: boolean }[] = [];
  const deferred: DeferredGroup[] = [];
  const deps: RealtimeGroupDeps = {
    accountOf: async (key) => options.accounts[key.orderId],
    groupSize: async () => options.groupSize ?? 50,
    create: async (account, keys, _first, holdBack) => {
      const refusal = options.refuse?.(keys);
      if (refusal) throw refusal;
      creates.push({ account, orders: keys.map((k) => k.orderId), holdBack });
      return keys.map((): ProcessOutcome => 'done');
    },
    deferTogether: async (g) => {
      if (options.deferFails) throw new Error('SQS refused the copy');
      deferred.push(g);
    },
  };
  return { deps, creates, deferred };
}
const keysOf = (record: SQSRecord): OrderKey[] => {
  const message = JSON.parse(record.body) as OrderMessage;
  if (message.kind === 'order') return [message];
  return message.kind === 'batch' ? message.orders : [];
};

describe('real-time messages received together', () => {
  it('creates an account’s singles and real-time groups as one group, each record getting its own outcomes', async () => {
    // Prepare: three singles and a deferred group of two for shop-a, one single for shop-b
    const records = [
      single('A-1'),
      single('A-2'),
      group('shop-a', ['A-3', 'A-4']),
      single('B-1'),
      single('A-5'),
    ];
    const { deps, creates } = depsOf({
      accounts: { 'A-1': 'shop-a', 'A-2': 'shop-a', 'A-5': 'shop-a', 'B-1': 'shop-b' },
    });
    // Act
    const shares = await realtimeGroups(records, deps);
    const results = await Promise.all(
      records.map((r) => shares.get(r.messageId)?.(keysOf(r)) ?? Promise.resolve(undefined)),
    );
    // Assess: one create for shop-a's five orders; shop-b's lone order is left to the single path
    expect(creates).toEqual([
      { account: 'shop-a', orders: ['A-1', 'A-2', 'A-3', 'A-4', 'A-5'], holdBack: true },
    ]);
    expect(results).toEqual([['done'], ['done'], ['done', 'done'], undefined, ['done']]);
  });

  it('never makes a group larger than one create takes', async () => {
    // Prepare: groups of 30, 15, 40 and 10 orders of one account; a create takes 50
    const records = [
      group('shop-a', ids('W', 30)),
      group('shop-a', ids('X', 15)),
      group('shop-a', ids('Y', 40)),
      group('shop-a', ids('Z', 10)),
    ];
    const { deps, creates } = depsOf({ accounts: {}, groupSize: 50 });
    // Act
    const shares = await realtimeGroups(records, deps);
    await Promise.all(records.map((r) => shares.get(r.messageId)?.(keysOf(r))));
    // Assess: in arrival order, 30 + 15 and 40 + 10
    expect(creates.map((c) => c.orders.length)).toEqual([45, 50]);
    expect(creates[1]?.orders.slice(0, 2)).toEqual(['Y-0', 'Y-1']);
  });

  it('lets only a first-time group smaller than one create be held back for company', async () => {
    // Prepare: a create takes 10; three fresh singles, a full fresh group (9 + 1), and two singles of which
    // one was deferred before
    const receive = async (records: SQSRecord[]) => {
      const { deps, creates } = depsOf({
        accounts: Object.fromEntries(ids('A', 12).map((id) => [id, 'shop-a'])),
        groupSize: 10,
      });
      const shares = await realtimeGroups(records, deps);
      await Promise.all(records.map((r) => shares.get(r.messageId)?.(keysOf(r))));
      return creates.map((c) => c.holdBack);
    };
    // Act + Assess
    expect(await receive([single('A-0'), single('A-1'), single('A-2')])).toEqual([true]);
    expect(await receive([group('shop-a', ids('A', 9)), single('A-9')])).toEqual([false]);
    expect(await receive([single('A-0'), single('A-1', { deferrals: 1 })])).toEqual([false]);
  });

  it('sends a group the governor holds back as one message with all its orders, then acknowledges each record', async () => {
    // Prepare: four singles of one account, deferred before (2 and 5 times), the earliest queued at t0
    const t0 = 1_796_000_000_000;
    const records = [
      single('A-1', { deferrals: 2, queuedAt: t0 + 5_000 }),
      single('A-2', { sentAt: t0 + 9_000 }),
      single('A-3', { deferrals: 5, queuedAt: t0 }),
      group('shop-a', ['A-4', 'A-1']),
    ];
    const { deps, creates, deferred } = depsOf({
      accounts: { 'A-1': 'shop-a', 'A-2': 'shop-a', 'A-3': 'shop-a' },
      refuse: () => new RateBudgetDeferredError('shop-a', 'write', 12_000),
    });
    // Act
    const shares = await realtimeGroups(records, deps);
    const results = await Promise.all(records.map((r) => shares.get(r.messageId)?.(keysOf(r))));
    // Assess: nothing created; one copy, each order once, the most deferrals and the earliest queueing kept
    expect(creates).toEqual([]);
    expect(results).toEqual(['deferred', 'deferred', 'deferred', 'deferred']);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toMatchObject({
      account: 'shop-a',
      message: {
        kind: 'batch',
        account: 'shop-a',
        orders: ['A-1', 'A-2', 'A-3', 'A-4'].map((orderId) => ({ channel: 'webshop', orderId })),
      },
      deferrals: 5,
      queuedAt: t0,
      retryAfterMs: 12_000,
    });
    expect(deferred[0]?.message).not.toHaveProperty('batchId');
  });

  it('fails every record of the group when the combined copy cannot be queued, so none is lost', async () => {
    const records = [single('A-1'), single('A-2')];
    const { deps } = depsOf({
      accounts: { 'A-1': 'shop-a', 'A-2': 'shop-a' },
      refuse: () => new RateBudgetDeferredError('shop-a', 'write', 12_000),
      deferFails: true,
    });
    const shares = await realtimeGroups(records, deps);
    for (const record of records)
      await expect(shares.get(record.messageId)?.(keysOf(record))).rejects.toThrow('SQS refused the copy');
  });

  it('leaves out end-of-day groups, messages deferred too often and orders whose account cannot be read', async () => {
    const records = [
      recordOf({
        kind: 'batch',
        account: 'shop-a',
        batchId: 'b-1',
        orders: [{ channel: 'webshop', orderId: 'E-1' }],
      }),
      single('A-1', { deferrals: 20 }),
      single('A-2'),
      single('A-3'),
    ];
    const { deps, creates } = depsOf({ accounts: { 'A-1': 'shop-a', 'A-2': 'shop-a' } });
    const shares = await realtimeGroups(records, deps);
    // Only A-2 is groupable (A-3 has no readable account): nothing to group with
    expect(shares.size).toBe(0);
    expect(creates).toEqual([]);
  });
});
