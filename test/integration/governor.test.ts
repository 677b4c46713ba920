import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { runAsFunction } from '../../local/iam';
import { startSimulator } from '../../local/simulator';
import type { HttpHandler } from '../../local/stack/gateway';
import { invoke } from '../../local/stack/invoke';
import { LOCAL_NAMES, loadFunction } from '../../local/wiring';
import { clientIdOf } from '../../shared/checkout';
import {
  type BucketRule,
  bucketWithin,
  CLIENT_LOOKUPS_PER_MINUTE,
  ClientShareExhaustedError,
  DEFAULT_AIMD,
  DynamoClientShare,
  DynamoRateGovernor,
  DynamoTokenBuckets,
  LEASE_MS,
  ledgerWithin,
  msUntil,
  RateLimitsSetting,
  SENDCLOUD_BUCKETS,
  windowsFor,
} from '../../shared/governor';
import { SendcloudClient, SendcloudRateLimitedError } from '../../shared/sendcloud';
import {
  RateBudgetDeferredError,
  RateBudgetExhaustedError,
  type RateLimiter,
  type RateLimitRules,
  SENDCLOUD_RATE_LIMITS,
  SlidingWindowRateLimiter,
} from '../../shared/sendcloud/RateLimiter';
import { bridgeTable } from '../../shared/store';
import { type Bridge, startBridge } from '../helpers/bridge';

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

const governor = (rules: Readonly<Record<'read' | 'write', BucketRule>> = RULES) =>
  new DynamoRateGovernor(db, { tableName: 'governor-test', rules });

/** Another Lambda's DynamoDB client on the same table, counting every call it makes. */
function countingDb() {
  let calls = 0;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize' },
  );
  return { db: DynamoDBDocumentClient.from(client), calls: () => calls };
}

async function drive(
  account: string,
  priority: 'realtime' | 'batch',
  untilMs: number,
  max = Number.POSITIVE_INFINITY,
  rules: Readonly<Record<'read' | 'write', BucketRule>> = RULES,
): Promise<number[]> {
  const g = governor(rules);
  const grants: number[] = [];
  while (Date.now() < untilMs && grants.length < max) {
    await g.acquire(account, 'write', priority);
    grants.push(Date.now());
  }
  return grants;
}

/** The writes (ms, in order) a server-side limiter with SendCloud's semantics and these windows refuses. */
function refusedWrites(windows: RateLimitRules, times: readonly number[]): number[] {
  let now = 0;
  const server = new SlidingWindowRateLimiter({ rules: windows, clock: () => now });
  return times.filter((at) => {
    now = at;
    return !server.tryAcquire('write');
  });
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

  it.each([
    { as: 'a token bucket', rules: RULES, account: 'eod' },
    // twenty writes a second, two of them reserved
    {
      as: 'a ledger',
      rules: { ...RULES, write: ledgerWithin([{ limit: 20, windowMs: 1_000 }], 2) },
      account: 'eod-ledger',
    },
  ])(
    'leaves real-time orders a share while a batch saturates the budget ($as)',
    async ({ rules, account }) => {
      const until = Date.now() + 2_000;
      const batch = Promise.all([0, 1, 2, 3].map(() => drive(account, 'batch', until, undefined, rules)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const live = await drive(account, 'realtime', until, 5, rules);
      const batchGrants = (await batch).flat();
      expect(live).toHaveLength(5);
      // the live orders got through while the batch was still running
      expect(Math.max(...live)).toBeLessThan(Math.max(...batchGrants));
    },
  );

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
    expect(refusedWrites(windows, grants)).toEqual([]);
    // and the budget is used: most of what the bucket allows over the run (burst + 2.5 s of refill)
    expect(grants.length).toBeGreaterThan(0.7 * (rules.write.capacity + rules.write.ratePerSecond * 2.5));
  });

  // The same shape scaled down, for tokens spent up to a 200 ms lease late: a token bucket derived for it, and
  // the ledger SendCloud's writes use (which may spend every window's whole limit).
  const scaled: RateLimitRules = {
    read: [{ limit: 60, windowMs: 1_000 }],
    write: [
      { limit: 60, windowMs: 1_000 },
      { limit: 14, windowMs: 200 },
    ],
  };
  /** Most a rule can grant in the test's 2.5 s: a bucket's burst and refill, a ledger's windows' limits. */
  const mostIn2500Ms = (rule: BucketRule) =>
    rule.windows
      ? Math.min(...rule.windows.map((w) => w.limit * Math.ceil(2_500 / w.windowMs)))
      : rule.capacity + rule.ratePerSecond * 2.5;
  it.each([
    { as: 'a token bucket', write: bucketWithin(scaled.write, 8, 2, 200), callsPerSpend: 1 },
    // a ledger's batch lanes take nothing ahead (real-time callers would queue behind it): they read when
    // they wake, so a request costs more than from a bucket, still less than a read and a write each
    { as: 'a ledger', write: ledgerWithin(scaled.write, 2, 200), callsPerSpend: 2 },
  ])(
    'with leases, keeps what saturating workers send inside the sliding windows, for a fraction of the DynamoDB calls ($as)',
    async ({ write, callsPerSpend }) => {
      // Prepare
      const windows = scaled;
      const rules = { read: bucketWithin(windows.read, 8, 2, 200), write };
      const counted = countingDb();
      const until = Date.now() + 2_500;
      // Act: four Lambdas, each with four callers in flight (as mapLimit runs a batch's downloads)
      const sent = await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const g = new DynamoRateGovernor(counted.db, { tableName: 'governor-test', rules });
          const limiter = g.limiter('leases', 'batch');
          const times: number[] = [];
          await Promise.all(
            [0, 1, 2, 3].map(async () => {
              while (Date.now() < until) {
                await limiter.acquire('write');
                times.push(Date.now()); // sent the moment the token is in hand, from the lease or not
                await new Promise((resolve) => setTimeout(resolve, 5)); // the request's own latency
              }
            }),
          );
          return times;
        }),
      );
      const spends = sent.flat().sort((a, b) => a - b);
      // Assess: replayed into SendCloud's windows, not one refused
      expect(refusedWrites(windows, spends)).toEqual([]);
      // the budget is used, and a request costs a fraction of the read and write each one took before leases
      expect(spends.length).toBeGreaterThan(0.6 * mostIn2500Ms(rules.write));
      expect(counted.calls() / spends.length).toBeLessThan(callsPerSpend);
    },
  );

  it('lets one caller spend a lease it announced without DynamoDB, and only because the rule allows a lease', async () => {
    // Prepare: a bulk label run that knows it will make 30 GETs, one after another
    const run = async (rule: BucketRule, account: string) => {
      const counted = countingDb();
      const g = new DynamoRateGovernor(counted.db, {
        tableName: 'governor-test',
        rules: { read: rule, write: RULES.write },
      });
      const limiter = g.limiter(account, 'batch');
      limiter.reserve?.('read', 30);
      for (let i = 0; i < 30; i++) {
        await limiter.acquire('read');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return counted.calls();
    };
    // Act
    const leased = await run({ ...RULES.read, leaseMs: 1_000 }, 'lease-on');
    const unleased = await run(RULES.read, 'lease-off');
    // Assess: a read, then a write per lease of up to half the burst (5) while the bucket drains to its
    // floor and refills; without a lease, a write for every GET
    expect(leased).toBeLessThanOrEqual(12);
    expect(unleased).toBeGreaterThanOrEqual(30);
  });

  it('takes for every caller of a process that waits at once, in one conditional write', async () => {
    // Prepare: a full bucket and eight callers of one Lambda asking together
    const counted = countingDb();
    const g = new DynamoRateGovernor(counted.db, { tableName: 'governor-test', rules: RULES });
    // Act
    await Promise.all(Array.from({ length: 8 }, () => g.acquire('together', 'read', 'realtime')));
    // Assess: one read and one write, not eight of each
    expect(counted.calls()).toBe(2);
    const item = await db.send(
      new GetCommand({
        TableName: 'governor-test',
        Key: { pk: 'GOVERNOR#together#read', sk: 'BUCKET' },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.tokens).toBeCloseTo(RULES.read.capacity - 8, 0);
  });

  it('defers a message the budget would keep waiting, before anything is taken, and admits one it would not', async () => {
    // Prepare: a batch drains the write bucket down to the real-time reserve
    const rules = {
      read: RULES.read,
      write: { ratePerSecond: 0.5, capacity: 3, reserve: 1 },
    };
    const g = new DynamoRateGovernor(db, { tableName: 'governor-test', rules });
    await g.acquire('deferring', 'write', 'batch');
    await g.acquire('deferring', 'write', 'batch');
    // Act
    const batch = await g
      .admit('deferring', 'batch', { deferAfterMs: 1_000 })
      .catch((error: unknown) => error);
    // Assess: the batch would wait ≈ 2 s for its next write — it is told to come back, with the wait
    expect(batch).toBeInstanceOf(RateBudgetDeferredError);
    expect((batch as RateBudgetDeferredError).retryAfterMs).toBeGreaterThan(1_000);
    expect((batch as RateBudgetDeferredError).retryAfterMs).toBeLessThanOrEqual(2_100);
    // a real-time order still has the reserve: admitted, and its token is still there to take
    await g.admit('deferring', 'realtime', { deferAfterMs: 1_000 });
    await g.acquire('deferring', 'write', 'realtime');
  });

  it('holds a small first-time real-time group back once the write budget is below half its burst', async () => {
    // Prepare: a write bucket of 6 with 3 left (half is 3), then with 2 left
    const rules = { read: RULES.read, write: { ratePerSecond: 0.5, capacity: 6, reserve: 0 } };
    // a clock that stands still: nothing refills between the steps, however slow the machine
    const now = 1_796_000_000_000;
    const g = new DynamoRateGovernor(db, { tableName: 'governor-test', rules, clock: () => now });
    for (let i = 0; i < 3; i++) await g.acquire('holding', 'write', 'realtime');
    // Act + Assess: half the burst is there, so it goes
    await g.admit('holding', 'realtime', { holdBack: true });
    await g.acquire('holding', 'write', 'realtime');
    const held = await g.admit('holding', 'realtime', { holdBack: true }).catch((error: unknown) => error);
    // below half: sent back until half is there again (one token at 0.5/s: 2 s), though a token is there now
    expect(held).toBeInstanceOf(RateBudgetDeferredError);
    expect((held as RateBudgetDeferredError).retryAfterMs).toBe(2_000);
    // the same group deferred before (or a full one) is admitted: its write is a few seconds off at most
    await g.admit('holding', 'realtime');
  });

  it("derives SendCloud's buckets from its documented windows", () => {
    expect(SENDCLOUD_BUCKETS.read).toEqual(bucketWithin(SENDCLOUD_RATE_LIMITS.read, 50, 10, LEASE_MS));
    expect(SENDCLOUD_BUCKETS.write).toEqual(ledgerWithin(SENDCLOUD_RATE_LIMITS.write, 3, LEASE_MS));
    // GETs: burst plus a minute and a lease of refill is exactly the per-minute limit
    const lease = LEASE_MS / 1000;
    const { read, write } = SENDCLOUD_BUCKETS;
    expect(read.capacity + read.ratePerSecond * (60 + lease)).toBeCloseTo(1000);
    // writes: the 15/s window at once, 100 every minute and a lease
    expect(write.capacity).toBe(15);
    expect(write.ratePerSecond * (60 + lease)).toBeCloseTo(100);
    expect(() => bucketWithin([{ limit: 10, windowMs: 1000 }], 10, 1)).toThrow(RangeError);
    expect(() => ledgerWithin([{ limit: 10, windowMs: 1000 }], 10)).toThrow(RangeError);
  });

  it('reads a bucket a token bucket wrote as a full minute of writes then, when it turns into a ledger', async () => {
    // Prepare: the item as the token bucket left it five seconds ago, with tokens to spare
    const now = 1_800_000_000_000;
    const key = { pk: 'GOVERNOR#upgraded#write', sk: 'BUCKET' };
    await db.send(
      new PutCommand({ TableName: 'governor-test', Item: { ...key, tokens: 9, at: now - 5_000, rev: 4 } }),
    );
    const buckets = new DynamoTokenBuckets(db, {
      tableName: 'governor-test',
      clock: () => now,
      sleep: async () => undefined,
      random: () => 0,
    });
    // Act
    const reading = await buckets.read(key, SENDCLOUD_BUCKETS.write);
    // Assess: what it spent in the window is unknown, so nothing until its last write leaves the minute
    expect(reading.available).toBe(0);
    expect(msUntil(reading, 1)).toBe(61_000 - 5_000 + 1);
    const stored = await buckets.take(key, { ...reading, available: 1 }, 0);
    expect(stored?.grants).toEqual([now - 5_000, 100, now, 1]);
    // a ledger that cannot be read counts the same way; an empty one is empty
    for (const [grantLog, available] of [
      [[now - 1_000, 'x'], 0],
      [[], 15],
    ] as const) {
      await db.send(
        new PutCommand({
          TableName: 'governor-test',
          Item: { ...key, tokens: 0, at: now - 5_000, rev: 9, grantLog },
        }),
      );
      expect((await buckets.read(key, SENDCLOUD_BUCKETS.write)).available).toBe(available);
    }
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

describe('an account whose SendCloud budget is smaller than configured', () => {
  /** One clock for SendCloud's windows, the governor and every backoff: it moves only when someone sleeps. */
  const virtualTime = () => {
    let now = Date.parse('2026-11-27T09:00:00Z');
    return {
      clock: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
  };
  const ACCOUNT = 'help-centre';
  const credentials = { publicKey: 'help-public', secretKey: 'help-secret' };
  const bucketItem = async () =>
    (
      await db.send(
        new GetCommand({
          TableName: 'governor-test',
          Key: { pk: `GOVERNOR#${ACCOUNT}#read`, sk: 'BUCKET' },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it('finishes a burst with nothing lost and few 429s, each lowering the shared rate, then recovers', async () => {
    // Prepare: SendCloud allows this account 420 GETs a minute; the governor is configured for 1,000
    const time = virtualTime();
    const sim = await startSimulator({
      port: 0,
      rateLimitClock: time.clock,
      accounts: [
        {
          id: ACCOUNT,
          ...credentials,
          rateLimits: windowsFor({ readsPerMinute: 420, writesPerMinute: 100 }),
        },
      ],
    });
    // each call builds another governor: another Lambda, sharing only the bucket item
    const lambda = () =>
      new DynamoRateGovernor(db, {
        tableName: 'governor-test',
        limits: RateLimitsSetting.parse(`${ACCOUNT}=1000:100`),
        clock: time.clock,
        sleep: time.sleep,
        random: () => 0.5,
      });
    const configured = lambda().rulesFor(ACCOUNT).read.ratePerSecond;
    const floor = configured * DEFAULT_AIMD.floor;
    const limiter = lambda().limiter(ACCOUNT, 'realtime');
    const cuts: Array<{ before: number; after: unknown; at: number }> = [];
    const watched: RateLimiter = {
      acquire: (kind) => limiter.acquire(kind),
      onThrottled: async (kind) => {
        const before = await lambda().rate(ACCOUNT, kind);
        await limiter.onThrottled?.(kind);
        const item = await bucketItem();
        cuts.push({ before, after: item?.throttledRate, at: time.clock() });
        expect(item?.throttledAt).toBe(time.clock());
      },
    };
    const client = new SendcloudClient({
      credentials,
      baseUrl: sim.baseUrl,
      rateLimiter: watched,
      sleep: time.sleep,
      random: () => 0.5,
    });

    try {
      // Act: 600 lookups; one the client gives up on is delivered again ten seconds later, as the queue does
      let lost = 0;
      for (let i = 0; i < 600; i++) {
        for (let delivery = 1; ; delivery++) {
          try {
            await client.catalog.senderAddresses();
            break;
          } catch (error) {
            if (!(error instanceof SendcloudRateLimitedError) || delivery === 5) {
              lost++;
              break;
            }
            await time.sleep(10_000);
          }
        }
      }
      const stats = z
        .object({ rateLimited: z.number() })
        .parse(await (await fetch(`${sim.url}/__sim/stats`)).json());

      // Assess: nothing lost; every 429 reached the bucket item and lowered its rate (down to the floor)
      expect(lost).toBe(0);
      expect(stats.rateLimited).toBeGreaterThan(0);
      expect(stats.rateLimited).toBeLessThanOrEqual(15);
      expect(cuts).toHaveLength(stats.rateLimited);
      for (const { before, after } of cuts) {
        expect(typeof after).toBe('number');
        if (before > floor) expect(after).toBeLessThan(before);
        else expect(after).toBe(floor);
      }
      // another Lambda starting now runs at the lowered rate, not the configured one
      expect(await lambda().rate(ACCOUNT, 'read')).toBeLessThan(configured);

      // and without 429s the rate climbs back to the configured one within minutes
      const lastCut = cuts.at(-1)?.at ?? time.clock();
      const halfway = await lambda().rate(ACCOUNT, 'read');
      await time.sleep(lastCut + 2 * 60_000 - time.clock());
      const climbing = await lambda().rate(ACCOUNT, 'read');
      expect(climbing).toBeGreaterThan(halfway);
      expect(climbing).toBeLessThan(configured);
      await time.sleep(10 * 60_000);
      expect(await lambda().rate(ACCOUNT, 'read')).toBe(configured);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});

describe('DynamoClientShare', () => {
  const rule = { ratePerSecond: 1, capacity: 3, reserve: 0 } as const;
  const KEY = new Uint8Array(32).fill(7);
  const setup = () => {
    let now = Date.parse('2026-11-27T09:00:00Z');
    const slept: number[] = [];
    const share = () =>
      new DynamoClientShare(db, {
        tableName: 'governor-test',
        rule,
        clock: () => now,
        sleep: async (ms) => {
          slept.push(ms);
        },
        random: () => 0,
      });
    return { share, slept, advance: (ms: number) => (now += ms), now: () => now };
  };
  const client = (account: string, address: string) => ({ account, clientId: clientIdOf(address, KEY) });

  it('lets a client take its burst at once, then refuses it without waiting; other clients and accounts go on', async () => {
    const { share, slept } = setup();
    const flooder = client('burst-shop', '198.51.100.7');
    for (let i = 0; i < rule.capacity; i++) await share().admit(flooder);
    await expect(share().admit(flooder)).rejects.toBeInstanceOf(ClientShareExhaustedError);
    expect(slept).toEqual([]); // refused at once, never queued
    await share().admit(client('burst-shop', '203.0.113.9'));
    await share().admit(client('other-shop', '198.51.100.7'));
  });

  it('gives a client its share back at the refill rate', async () => {
    const { share, advance } = setup();
    const shopper = client('refill-shop', '198.51.100.8');
    for (let i = 0; i < rule.capacity; i++) await share().admit(shopper);
    await expect(share().admit(shopper)).rejects.toBeInstanceOf(ClientShareExhaustedError);
    advance(1_000);
    await share().admit(shopper);
    await expect(share().admit(shopper)).rejects.toBeInstanceOf(ClientShareExhaustedError);
  });

  it('keeps a keyed hash of the client under GOVERNOR#CLIENT#, never its address, and lets it expire once full', async () => {
    const { share, now } = setup();
    const address = '198.51.100.9';
    await share().admit(client('ttl-shop', address));
    const { Item } = await db.send(
      new GetCommand({
        TableName: 'governor-test',
        Key: { pk: `GOVERNOR#CLIENT#ttl-shop#${clientIdOf(address, KEY)}`, sk: 'BUCKET' },
      }),
    );
    expect(JSON.stringify(Item)).not.toContain(address);
    // one token short: full again a second later; DynamoDB may delete it a minute after that
    expect(Item?.expiresAt).toBe(Math.ceil(now() / 1000 + 1 + 60));
  });

  it('never grants one client more than its share when many Lambdas take at the same instant', async () => {
    const { share } = setup();
    const flooder = client('race-shop', '198.51.100.10');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () => share().admit(flooder)), // twelve Lambdas, one millisecond
    );
    const granted = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(granted).toBeLessThanOrEqual(rule.capacity);
    expect(granted).toBeGreaterThan(0);
    for (const refused of outcomes.filter((o) => o.status === 'rejected'))
      expect(refused.reason).toBeInstanceOf(ClientShareExhaustedError);
  });
});

/** What API Gateway hands the function for `GET <path>?<query>` from `sourceIp`. */
function checkoutEvent(
  path: string,
  query: Record<string, string>,
  sourceIp: string,
): APIGatewayProxyEventV2 {
  const now = Date.now();
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString,
    headers: { accept: 'application/json', host: 'api.example', 'user-agent': 'Mozilla/5.0' },
    queryStringParameters: query,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'Mozilla/5.0' },
      requestId: randomUUID(),
      routeKey: `GET ${path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
}

const PointsAnswer = z.object({
  servicePoints: z.array(z.object({ id: z.number() })),
  stale: z.boolean(),
  degradedReason: z.string().optional(),
});
type PointsAnswer = z.infer<typeof PointsAnswer>;
const LambdaAnswer = z.object({ statusCode: z.number(), body: z.string() });

describe('one client flooding the public checkout routes', () => {
  let bridge: Bridge;
  let servicePoints: HttpHandler;
  beforeAll(async () => {
    bridge = await startBridge({ wiring: { checkout: { cacheSeconds: 600 } } });
    servicePoints = await loadFunction<HttpHandler>('service-points');
  }, 30_000);
  afterAll(() => bridge?.stop());

  /** Through the local gateway: its events carry the socket's address, 127.0.0.1 — the flooder. */
  const viaGateway = async (query: Record<string, string>) => {
    const response = await fetch(`${bridge.stack.url}/service-points?${new URLSearchParams(query)}`);
    return { status: response.status, body: PointsAnswer.parse(await response.json()) };
  };
  /** Another client: the gateway's own handler, invoked with the event API Gateway would send from its address. */
  const from = async (sourceIp: string, query: Record<string, string>) => {
    const result = LambdaAnswer.parse(
      await invoke(
        { name: 'service-points', handler: servicePoints },
        checkoutEvent('/service-points', query, sourceIp),
        { around: runAsFunction },
      ),
    );
    return { status: result.statusCode, body: PointsAnswer.parse(JSON.parse(result.body)) };
  };
  const sendcloudSearches = async () => {
    const stats = (await (await fetch(`${bridge.sim.url}/__sim/stats`)).json()) as {
      byRoute: Record<string, number>;
    };
    return stats.byRoute['GET /service-points/'] ?? 0;
  };

  it("spends at most its own share, and cannot make another client's ordinary lookup come back empty", async () => {
    const before = await sendcloudSearches();
    const queries = Array.from({ length: 260 }, (_, i) => ({
      country: 'NL',
      postalCode: '1012AB',
      radius: String(1_000 + i),
    }));
    const flood: Array<{ status: number; body: PointsAnswer }> = [];
    const floodStarted = Date.now();
    for (let i = 0; i < queries.length; i += 20)
      flood.push(...(await Promise.all(queries.slice(i, i + 20).map(viaGateway))));
    // the share refills at its rate while the flood lasts (seconds on a busy machine): that much more is fair
    const refilled = Math.ceil((CLIENT_LOOKUPS_PER_MINUTE * (Date.now() - floodStarted)) / 60_000);
    const share = CLIENT_LOOKUPS_PER_MINUTE + refilled;
    const asked = (await sendcloudSearches()) - before;

    expect(flood.every((a) => a.status === 200)).toBe(true);
    expect(asked).toBeLessThanOrEqual(share); // its share, not the account's 200
    const limited = flood.filter((a) => a.body.degradedReason === 'client-limit');
    // Every lookup over the share is held back: refused for the client's share, or — on a machine too busy
    // for the checkout deadline — answered degraded while it waited; none is a fresh answer.
    const heldBack = flood.filter((a) => ['client-limit', 'timeout'].includes(a.body.degradedReason ?? ''));
    expect(heldBack.length).toBeGreaterThanOrEqual(queries.length - share);
    expect(flood.filter((a) => !a.body.stale).length).toBeLessThanOrEqual(share);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.body).toMatchObject({ servicePoints: [], stale: true });

    // shoppers elsewhere, one on IPv4 and one on IPv6, are answered from SendCloud as usual
    for (const shopper of ['203.0.113.7', '2001:db8:5:6::17']) {
      const answer = await from(shopper, {
        country: 'NL',
        postalCode: shopper.includes(':') ? '3011AA' : '3511AB',
      });
      expect(answer.status).toBe(200);
      expect(answer.body.stale).toBe(false);
      expect(answer.body.degradedReason).toBeUndefined();
      expect(answer.body.servicePoints.length).toBeGreaterThan(0);
    }
    // and what is cached costs nothing: the flooder, over its share, still gets the shoppers' answer
    const cached = await viaGateway({ country: 'NL', postalCode: '3511AB' });
    expect(cached.body).toMatchObject({ stale: false });
    expect(cached.body.servicePoints.length).toBeGreaterThan(0);
  });

  it('keeps only keyed hashes of the clients in the table, each bucket expiring', async () => {
    await viaGateway({ country: 'NL', postalCode: '2511AA', radius: '777' });
    await from('192.0.2.55', { country: 'NL', postalCode: '2511AA', radius: '778' });
    const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const { Items = [] } = await table.send(
      new ScanCommand({
        TableName: LOCAL_NAMES.table,
        FilterExpression: 'begins_with(pk, :client)',
        ExpressionAttributeValues: { ':client': 'GOVERNOR#CLIENT#' },
      }),
    );
    expect(Items.length).toBeGreaterThanOrEqual(2);
    const stored = JSON.stringify(Items);
    for (const address of ['127.0.0.1', '192.0.2.55']) expect(stored).not.toContain(address);
    for (const item of Items) expect(item.expiresAt).toBeGreaterThan(item.at / 1000);
  });
});
