import { describe, expect, it } from 'vitest';
import { SENDCLOUD_BUCKETS } from '../../../shared/governor';
import {
  bucketsFor,
  DEFAULT_ACCOUNT_LIMITS,
  LEASE_MS,
  RateLimitsSetting,
  windowsFor,
} from '../../../shared/governor/limits';
import { type BucketRule, bucketWithin } from '../../../shared/governor/tokenBucket';
import { ledgerAvailable, ledgerWith } from '../../../shared/governor/windowLedger';
import { SENDCLOUD_RATE_LIMITS, SlidingWindowRateLimiter } from '../../../shared/sendcloud/RateLimiter';

describe('SENDCLOUD_RATE_LIMITS', () => {
  it("gives each listed account its own budget and the others SendCloud's documented one", () => {
    const limits = RateLimitsSetting.parse('shop-nl=420:100, warehouse=1000:60');
    expect(limits.of('shop-nl')).toEqual({ readsPerMinute: 420, writesPerMinute: 100 });
    expect(limits.of('warehouse')).toEqual({ readsPerMinute: 1000, writesPerMinute: 60 });
    expect(limits.of('anyone-else')).toEqual(DEFAULT_ACCOUNT_LIMITS);
  });

  it('defaults to 1000:100 when unset, and lets `*=` change the default', () => {
    expect(RateLimitsSetting.parse(undefined).of('shop')).toEqual({
      readsPerMinute: 1000,
      writesPerMinute: 100,
    });
    const limits = RateLimitsSetting.parse('*=420:100,big=1000:100');
    expect(limits.of('shop')).toEqual({ readsPerMinute: 420, writesPerMinute: 100 });
    expect(limits.of('big').readsPerMinute).toBe(1000);
  });

  it('fails at cold start on a typo, naming the entry and the expected form', () => {
    for (const text of ['shop=420', 'shop=420:100:5', 'Shop=420:100', 'shop=4:100', 'shop=420:2', 'x*=1:1']) {
      const result = RateLimitsSetting.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('account=reads/min:writes/min');
    }
  });
});

/**
 * When a saturating caller spends what a rule grants over two minutes, taking every 10 ms whatever it can: a
 * token bucket's burst then one token per refill, or whatever a ledger's windows still have room for.
 * `spendAt` says when a token taken at an instant is spent (default: then).
 */
function drained(rule: BucketRule, spendAt: (takenAt: number) => number = (at) => at): number[] {
  const spends: number[] = [];
  let tokens = rule.capacity;
  let ledger: number[] = [];
  for (let now = 0; now <= 120_000; now += 10) {
    if (rule.windows) {
      const k = ledgerAvailable(ledger, rule.windows, now);
      if (k > 0) ledger = ledgerWith(ledger, rule.windows, now, now, k);
      for (let i = 0; i < k; i++) spends.push(spendAt(now));
      continue;
    }
    tokens = Math.min(rule.capacity, tokens + (rule.ratePerSecond * 10) / 1000);
    while (tokens >= 1) {
      tokens -= 1;
      spends.push(spendAt(now));
    }
  }
  return spends.sort((a, b) => a - b);
}

/** The spends SendCloud's windows for `limits` would refuse. */
function refusedBy(
  limits: { readsPerMinute: number; writesPerMinute: number },
  spends: number[],
  kind: 'read' | 'write',
): number[] {
  let now = 0;
  const server = new SlidingWindowRateLimiter({ rules: windowsFor(limits), clock: () => now });
  return spends.filter((at) => {
    now = at;
    return !server.tryAcquire(kind);
  });
}

/**
 * Each token held in a lease as adversarially as the lease allows: what is taken in every seventh lease
 * period is spent all at its very end, the rest at once — so a window can open on a held cluster and close
 * on tokens spent the instant they were taken.
 */
const spentLate = (rule: BucketRule, leaseMs: number): number[] =>
  drained(rule, (now) => {
    const period = leaseMs > 0 ? Math.floor(now / leaseMs) : 1;
    return period % 7 === 0 ? period * leaseMs + leaseMs - 1 : now;
  });

describe('buckets derived from an account budget', () => {
  it("are SendCloud's documented buckets for 1000:100", () => {
    expect(bucketsFor(DEFAULT_ACCOUNT_LIMITS)).toEqual(SENDCLOUD_BUCKETS);
    expect(windowsFor(DEFAULT_ACCOUNT_LIMITS)).toEqual(SENDCLOUD_RATE_LIMITS);
    // GETs a token bucket, writes a ledger of SendCloud's two windows widened by the lease
    expect(SENDCLOUD_BUCKETS.read.windows).toBeUndefined();
    expect(SENDCLOUD_BUCKETS.write.windows).toEqual([
      { limit: 100, windowMs: 60_000 + LEASE_MS },
      { limit: 15, windowMs: 1_000 + LEASE_MS },
    ]);
  });

  it('never let a saturating caller break the account windows, whatever the budget', () => {
    for (const [readsPerMinute, writesPerMinute] of [
      [420, 100],
      [10, 5],
      [5_000, 600],
    ] as const) {
      const limits = { readsPerMinute, writesPerMinute };
      const buckets = bucketsFor(limits);
      for (const kind of ['read', 'write'] as const) {
        const refused = refusedBy(limits, drained(buckets[kind]), kind);
        expect(refused, `${kind} at ${readsPerMinute}:${writesPerMinute}`).toEqual([]);
      }
    }
  });

  it('never break the windows either when every token is spent as late as its lease allows', () => {
    for (const [readsPerMinute, writesPerMinute] of [
      [1000, 100],
      [420, 100],
      [10, 5],
      [5_000, 600],
    ] as const) {
      const limits = { readsPerMinute, writesPerMinute };
      const buckets = bucketsFor(limits);
      for (const kind of ['read', 'write'] as const) {
        expect(buckets[kind].leaseMs).toBe(LEASE_MS);
        const refused = refusedBy(limits, spentLate(buckets[kind], LEASE_MS), kind);
        expect(refused, `${kind} at ${readsPerMinute}:${writesPerMinute}`).toEqual([]);
      }
    }
  });

  it('would break them with the same late spending if the rate or the windows ignored the lease', () => {
    // Prepare: the buckets as they were before leases (no margin for a token spent after its take)
    const limits = DEFAULT_ACCOUNT_LIMITS;
    const unleased = bucketsFor(limits, 0);
    // Act
    const refused = {
      read: refusedBy(limits, spentLate(unleased.read, LEASE_MS), 'read'),
      write: refusedBy(limits, spentLate(unleased.write, LEASE_MS), 'write'),
    };
    // Assess: the margin is what keeps a lease inside SendCloud's windows, for the bucket and the ledger
    expect(refused.read.length).toBeGreaterThan(0);
    expect(refused.write.length).toBeGreaterThan(0);
  });

  it("keep nearly all of SendCloud's budget: GETs lose only the lease's margin, writes nothing of it", () => {
    const { read, write } = bucketsFor(DEFAULT_ACCOUNT_LIMITS);
    expect(read.capacity + read.ratePerSecond * (60 + LEASE_MS / 1000)).toBeCloseTo(1000);
    expect(read.ratePerSecond * 60).toBeGreaterThan(930);
    // the ledger: the short window's 15 at once, then 100 in every 61 s (the minute plus the lease)
    const writes = drained(write);
    expect(writes.filter((at) => at === 0)).toHaveLength(15);
    expect(writes.filter((at) => at < 61_000)).toHaveLength(100);
    expect(writes.filter((at) => at < 122_000)).toHaveLength(200);
    // a token bucket inside the same windows keeps its burst out of the rate: 12 at once, 86.6 a minute
    const bucket = bucketWithin(windowsFor(DEFAULT_ACCOUNT_LIMITS).write, 12, 3, LEASE_MS);
    expect(drained(bucket).length).toBeLessThan(190);
  });
});
