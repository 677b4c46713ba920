import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  SlidingWindowRateLimiter,
} from '../../../shared/sendcloud';

/** A clock that only moves when someone sleeps, so limits are checked without waiting. */
function virtualTime() {
  let now = 0;
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

describe('SlidingWindowRateLimiter with SendCloud limits', () => {
  it('lets 15 writes through at once and holds the 16th for the rest of the second', async () => {
    const time = virtualTime();
    const limiter = new SlidingWindowRateLimiter({ clock: time.clock, sleep: time.sleep });
    const grantedAt: number[] = [];
    for (let i = 0; i < 16; i++) {
      await limiter.acquire('write');
      grantedAt.push(time.now);
    }
    expect(grantedAt.slice(0, 15).every((t) => t === 0)).toBe(true);
    expect(grantedAt[15]).toBeGreaterThanOrEqual(1000);
  });

  it('never grants more than 100 writes in any 60 s window, nor 15 in any second', async () => {
    const time = virtualTime();
    const limiter = new SlidingWindowRateLimiter({ clock: time.clock, sleep: time.sleep });
    const grantedAt: number[] = [];
    for (let i = 0; i < 250; i++) {
      await limiter.acquire('write');
      grantedAt.push(time.now);
    }
    for (const start of grantedAt) {
      expect(grantedAt.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(100);
      expect(grantedAt.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(15);
    }
    // and uses the budget: 250 writes take a little over two minutes, not more
    expect(grantedAt.at(-1)).toBeLessThan(125_000);
  });

  it('counts reads separately: 1000 a minute, and writes do not spend them', async () => {
    const time = virtualTime();
    const limiter = new SlidingWindowRateLimiter({ clock: time.clock, sleep: time.sleep });
    for (let i = 0; i < 100; i++) await limiter.acquire('write');
    const afterWrites = time.now;
    for (let i = 0; i < 1000; i++) await limiter.acquire('read');
    expect(time.now).toBe(afterWrites);
    await limiter.acquire('read');
    expect(time.now).toBeGreaterThanOrEqual(afterWrites + 1);
  });

  it('serves concurrent callers in arrival order', async () => {
    const time = virtualTime();
    const limiter = new SlidingWindowRateLimiter({
      rules: { read: [{ limit: 1, windowMs: 10 }], write: [{ limit: 1, windowMs: 10 }] },
      clock: time.clock,
      sleep: time.sleep,
    });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire('read').then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });
});

describe('retry timing', () => {
  it('backs off exponentially with jitter and a cap', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')),
    ).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
