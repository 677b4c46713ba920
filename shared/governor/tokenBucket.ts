import type { WindowRule } from '../sendcloud/RateLimiter';

export interface BucketRule {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** Most tokens held (the burst). */
  readonly capacity: number;
  /** Tokens only real-time callers may take: a running batch leaves them for live orders. */
  readonly reserve: number;
  /**
   * How long after a take its tokens may still be spent (a process's local lease); 0 or absent: at once.
   * `bucketWithin` counts it in the rate, so a token spent this late still fits every window.
   */
  readonly leaseMs?: number;
  /**
   * Present, the bucket is a ledger of its grants (`windowLedger.ts`) checked against these windows (already
   * widened by the lease) instead of a token count; `capacity` is then the shortest window's limit and
   * `ratePerSecond` the longest one's average, for estimates.
   */
  readonly windows?: readonly WindowRule[];
}

/** What a bucket holds as last written: its tokens at the instant `at` (ms). */
export interface BucketState {
  readonly tokens: number;
  readonly at: number;
}

/**
 * The fastest token bucket that can never break any of the given sliding windows: in a window of W ms the
 * bucket grants at most its capacity plus W of refill. Tokens held in a lease of L ms are spent in a window
 * of W when they were taken within W + L, so the refill rate is (limit - capacity) / (W + L) for the
 * tightest window.
 */
export function bucketWithin(
  windows: readonly WindowRule[],
  capacity: number,
  reserve: number,
  leaseMs = 0,
): BucketRule {
  const ratePerSecond = Math.min(
    ...windows.map((w) => ((w.limit - capacity) / (w.windowMs + leaseMs)) * 1000),
  );
  if (!(ratePerSecond > 0) || reserve >= capacity || !(leaseMs >= 0))
    throw new RangeError('a bucket needs capacity below every window limit and a reserve below capacity');
  return leaseMs > 0 ? { ratePerSecond, capacity, reserve, leaseMs } : { ratePerSecond, capacity, reserve };
}

/**
 * A ledger that grants exactly what SendCloud's sliding windows allow, each widened by the lease (a token
 * spent `leaseMs` after its take still falls inside the window it was counted in): for 100 writes a minute
 * and 15 a second with a 1 s lease, 15 at once, 100 every 61 s.
 */
export function ledgerWithin(windows: readonly WindowRule[], reserve: number, leaseMs = 0): BucketRule {
  const widened = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs + leaseMs }));
  const capacity = Math.min(...widened.map((w) => w.limit));
  const ratePerSecond = Math.min(...widened.map((w) => (w.limit / w.windowMs) * 1000));
  if (widened.length === 0 || !(reserve >= 0) || reserve >= capacity || !(leaseMs >= 0))
    throw new RangeError('a ledger needs windows and a reserve below the smallest window limit');
  return leaseMs > 0
    ? { ratePerSecond, capacity, reserve, leaseMs, windows: widened }
    : { ratePerSecond, capacity, reserve, windows: widened };
}

/**
 * Tokens in the bucket at `now`: full when it was never written (or its item expired), else what was left
 * plus the refill since, up to capacity. Clocks of different Lambdas differ a little; a step backwards
 * neither adds nor removes tokens.
 */
export function tokensAt(rule: BucketRule, state: BucketState | undefined, now: number): number {
  if (!state) return rule.capacity;
  return Math.min(rule.capacity, state.tokens + (Math.max(0, now - state.at) / 1000) * rule.ratePerSecond);
}

/** Seconds until a bucket holding `tokens` is full again: after that its item carries no information. */
export const secondsToFill = (rule: BucketRule, tokens: number): number =>
  Math.max(0, rule.capacity - tokens) / rule.ratePerSecond;
