import { describe, expect, it } from 'vitest';
import { SENDCLOUD_BUCKETS } from '../../../shared/governor';
import {
  bucketsFor,
  DEFAULT_ACCOUNT_LIMITS,
  LEASE_MS,
  RateLimitsSetting,
  windowsFor,
} from '../../../shared/governor/limits';
import type { BucketRule } from '../../../shared/governor/tokenBucket';
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

describe('buckets derived from an account budget', () => {
  it("are SendCloud's documented buckets for 1000:100", () => {
    expect(bucketsFor(DEFAULT_ACCOUNT_LIMITS)).toEqual(SENDCLOUD_BUCKETS);
    expect(windowsFor(DEFAULT_ACCOUNT_LIMITS)).toEqual(SENDCLOUD_RATE_LIMITS);
  });

  it('never let a saturating caller break the account windows, whatever the budget', () => {
    for (const [readsPerMinute, writesPerMinute] of [
      [420, 100],
      [10, 5],
      [5_000, 600],
    ] as const) {
      const limits = { readsPerMinute, writesPerMinute };
      const buckets = bucketsFor(limits);
      let now = 0;
      const server = new SlidingWindowRateLimiter({ rules: windowsFor(limits), clock: () => now });
      for (const kind of ['read', 'write'] as const) {
        // a bucket drained as fast as it allows for two minutes: burst first, then one token per refill
        const rule = buckets[kind];
        let tokens = rule.capacity;
        const refused: number[] = [];
        for (now = 0; now <= 120_000; now += 10) {
          tokens = Math.min(rule.capacity, tokens + (rule.ratePerSecond * 10) / 1000);
          while (tokens >= 1) {
            tokens -= 1;
            if (!server.tryAcquire(kind)) refused.push(now);
          }
        }
        expect(refused, `${kind} at ${readsPerMinute}:${writesPerMinute}`).toEqual([]);
      }
    }
  });

  /**
   * A bucket drained as fast as it allows for two minutes, each token held in a lease as adversarially as
   * the lease allows: what is taken in every seventh lease period is spent all at its very end, the rest at
   * once — so a window can open on a held cluster and close on tokens spent the instant they were taken.
   */
  const spentLate = (rule: BucketRule, leaseMs: number): number[] => {
    const spends: number[] = [];
    let tokens = rule.capacity;
    for (let now = 0; now <= 120_000; now += 10) {
      tokens = Math.min(rule.capacity, tokens + (rule.ratePerSecond * 10) / 1000);
      while (tokens >= 1) {
        tokens -= 1;
        const period = leaseMs > 0 ? Math.floor(now / leaseMs) : 1;
        spends.push(period % 7 === 0 ? period * leaseMs + leaseMs - 1 : now);
      }
    }
    return spends.sort((a, b) => a - b);
  };
  const refusedBy = (
    limits: { readsPerMinute: number; writesPerMinute: number },
    spends: number[],
    kind: 'read' | 'write',
  ) => {
    let now = 0;
    const server = new SlidingWindowRateLimiter({ rules: windowsFor(limits), clock: () => now });
    return spends.filter((at) => {
      now = at;
      return !server.tryAcquire(kind);
    });
  };

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

  it('would break them with the same late spending if the rate ignored the lease', () => {
    // Prepare: the buckets as they were before leases (no margin for a token spent after its take)
    const limits = DEFAULT_ACCOUNT_LIMITS;
    const unleased = bucketsFor(limits, 0);
    // Act
    const refused = [
      ...refusedBy(limits, spentLate(unleased.read, LEASE_MS), 'read'),
      ...refusedBy(limits, spentLate(unleased.write, LEASE_MS), 'write'),
    ];
    // Assess: the margin is what keeps a lease inside SendCloud's windows
    expect(refused.length).toBeGreaterThan(0);
  });

  it("keep nearly all of SendCloud's budget: a minute of refill plus the burst stays within the lease's margin", () => {
    const { read, write } = bucketsFor(DEFAULT_ACCOUNT_LIMITS);
    expect(read.capacity + read.ratePerSecond * (60 + LEASE_MS / 1000)).toBeCloseTo(1000);
    expect(write.capacity + write.ratePerSecond * (60 + LEASE_MS / 1000)).toBeCloseTo(100);
    expect(write.capacity + write.ratePerSecond * (1 + LEASE_MS / 1000)).toBeLessThanOrEqual(15);
    expect(read.ratePerSecond * 60).toBeGreaterThan(930);
    expect(write.ratePerSecond * 60).toBeGreaterThan(86);
  });
});
