import type { WindowRule } from '../sendcloud/RateLimiter';

export interface BucketRule {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** Most tokens held (the burst). */
  readonly capacity: number;
  /** Tokens only real-time callers may take: a running batch leaves them for live orders. */
  readonly reserve: number;
}

/** What a bucket holds as last written: its tokens at the instant `at` (ms). */
export interface BucketState {
  readonly tokens: number;
  readonly at: number;
}

/**
 * The fastest token bucket that can never break any of the given sliding windows: in a window of W ms the
 * bucket grants at most its capacity plus W of refill, so the refill rate is (limit - capacity) / W for the
 * tightest window.
 */
export function bucketWithin(windows: readonly WindowRule[], capacity: number, reserve: number): BucketRule {
  const ratePerSecond = Math.min(...windows.map((w) => ((w.limit - capacity) / w.windowMs) * 1000));
  if (!(ratePerSecond > 0) || reserve >= capacity)
    throw new RangeError('a bucket needs capacity below every window limit and a reserve below capacity');
  return { ratePerSecond, capacity, reserve };
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
