import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketWithin, DynamoRateGovernor, SENDCLOUD_BUCKETS } from '../../shared/governor';
import {
  RateBudgetExhaustedError,
  type RateLimitRules,
  SENDCLOUD_RATE_LIMITS,
  SlidingWindowRateLimiter,
} from '../../shared/sendcloud/RateLimiter';
import { bridgeTable } from '../../shared/store';

/** The shared budget, with separate governor instances standing in for separate Lambdas. */
const server = dynalite({ createTableMs: 0 });
let db: DynamoDBDocumentClient;
const RULES = {
  read: { ratePerSecond: 50, capacity: 10, reserve: 2 },
  write: { ratePerSecond: 10, capacity: 3, reserve: 2 },
} as const;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(new CreateTableCommand(bridgeTable('governor-test')));
  db = DynamoDBDocumentClient.from(client);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const governor = () => new DynamoRateGovernor(db, { tableName: 'governor-test', rules: RULES });

async function drive(
  account: string,
  priority: 'realtime' | 'batch',
  untilMs: number,
  max = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const g = governor();
  const grants: number[] = [];
  while (Date.now() < untilMs && grants.length < max) {
    await g.acquire(account, 'write', priority);
    grants.push(Date.now());
  }
  return grants;
}

describe('DynamoRateGovernor', () => {
  it('keeps six concurrent workers of one account under the limit together', async () => {
    const until = Date.now() + 1_500;
    const grants = (await Promise.all([0, 1, 2, 3, 4, 5].map(() => drive('shop', 'batch', until))))
      .flat()
      .sort((a, b) => a - b);
    // Never more than capacity + one second of refill in any one-second window.
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(
        RULES.write.capacity + RULES.write.ratePerSecond,
      );
    }
    // A token bucket's bound over the whole run: the burst plus the refill over the time actually spanned.
    const spanSeconds = ((grants.at(-1) ?? 0) - (grants[0] ?? 0)) / 1000;
    expect(grants.length).toBeLessThanOrEqual(
      RULES.write.capacity + Math.ceil(spanSeconds * RULES.write.ratePerSecond) + 1,
    );
    expect(grants.length).toBeGreaterThan(0);
  });

  it('keeps accounts apart: one account spending its budget does not slow another', async () => {
    await drive('busy', 'realtime', Date.now() + 400);
    const slept: number[] = [];
    const other = new DynamoRateGovernor(db, {
      tableName: 'governor-test',
      rules: RULES,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    for (let i = 0; i < RULES.write.capacity; i++) await other.acquire('quiet', 'write', 'realtime');
    expect(slept).toEqual([]); // the busy account's bucket never made the quiet one wait
  });

  it('leaves real-time orders a share while a batch saturates the budget', async () => {
    const until = Date.now() + 2_000;
    const batch = Promise.all([0, 1, 2, 3].map(() => drive('eod', 'batch', until)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const live = await drive('eod', 'realtime', until, 5);
    const batchGrants = (await batch).flat();
    expect(live).toHaveLength(5);
    // the live orders got through while the batch was still running
    expect(Math.max(...live)).toBeLessThan(Math.max(...batchGrants));
  });

  it("stays inside sliding-window limits like SendCloud's when workers saturate the bucket", async () => {
    // SendCloud's shape (a long window and a short burst window) scaled down to seconds.
    const windows: RateLimitRules = {
      read: [{ limit: 30, windowMs: 1_000 }],
      write: [
        { limit: 30, windowMs: 1_000 },
        { limit: 8, windowMs: 200 },
      ],
    };
    const rules = { read: bucketWithin(windows.read, 6, 1), write: bucketWithin(windows.write, 6, 1) };
    const until = Date.now() + 2_500;
    const decisions = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async () => {
        // each worker is its own Lambda; the clock's last reading before a grant is when it was decided
        let lastReading = 0;
        const g = new DynamoRateGovernor(db, {
          tableName: 'governor-test',
          rules,
          clock: () => {
            lastReading = Date.now();
            return lastReading;
          },
        });
        const grants: number[] = [];
        while (Date.now() < until) {
          await g.acquire('windows', 'write', 'batch');
          grants.push(lastReading);
        }
        return grants;
      }),
    );
    const grants = decisions.flat().sort((a, b) => a - b);
    // replayed into a server-side limiter with SendCloud's semantics: not one would have been refused
    let now = 0;
    const server = new SlidingWindowRateLimiter({ rules: windows, clock: () => now });
    const refused = grants.filter((at) => {
      now = at;
      return !server.tryAcquire('write');
    });
    expect(refused).toEqual([]);
    // and the budget is used: most of what the bucket allows over the run (burst + 2.5 s of refill)
    expect(grants.length).toBeGreaterThan(0.7 * (rules.write.capacity + rules.write.ratePerSecond * 2.5));
  });

  it("derives SendCloud's buckets from its documented windows", () => {
    expect(SENDCLOUD_BUCKETS.read).toEqual(bucketWithin(SENDCLOUD_RATE_LIMITS.read, 50, 10));
    // burst plus a minute of refill is exactly the per-minute limit; the 15/s window holds too
    expect(SENDCLOUD_BUCKETS.read.capacity + SENDCLOUD_BUCKETS.read.ratePerSecond * 60).toBeCloseTo(1000);
    expect(SENDCLOUD_BUCKETS.write.capacity + SENDCLOUD_BUCKETS.write.ratePerSecond * 60).toBeCloseTo(100);
    expect(SENDCLOUD_BUCKETS.write.capacity + SENDCLOUD_BUCKETS.write.ratePerSecond).toBeLessThanOrEqual(15);
    expect(() => bucketWithin([{ limit: 10, windowMs: 1000 }], 10, 1)).toThrow(RangeError);
  });

  it('caps checkout lookups to their own share without waiting, and leaves the rest of the budget to labels', async () => {
    const slept: number[] = [];
    const g = new DynamoRateGovernor(db, {
      tableName: 'governor-test',
      rules: RULES,
      sleep: async (ms) => {
        slept.push(ms);
      },
      checkout: {
        read: { ratePerSecond: 0.001, capacity: 3, reserve: 0 },
        write: { ratePerSecond: 0.001, capacity: 1, reserve: 0 },
      },
    });
    const checkout = g.limiter('shop-checkout', 'checkout');
    for (let i = 0; i < 3; i++) await checkout.acquire('read');
    await expect(checkout.acquire('read')).rejects.toBeInstanceOf(RateBudgetExhaustedError);
    expect(slept).toEqual([]); // refused at once, never queued behind the share
    // labels of the same account are not affected
    await g.limiter('shop-checkout', 'realtime').acquire('read');
  });
});
