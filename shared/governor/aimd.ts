/**
 * How a bucket learns from SendCloud's 429s: every 429 multiplies its refill rate down (at most once per
 * `holdMs`, as the requests already in flight were sent at the old rate), then the rate climbs back
 * linearly to the configured one. Additive increase, multiplicative decrease: the rule TCP uses to find a
 * limit nobody tells it, and SendCloud does not (no Retry-After, no RateLimit-* headers).
 */
export interface AimdPolicy {
  /** Factor applied to the rate on a 429. */
  readonly decrease: number;
  /** Fraction of the configured rate regained per minute without a 429. */
  readonly recoveryPerMinute: number;
  /** Lowest fraction of the configured rate a bucket is cut to. */
  readonly floor: number;
  /** 429s this soon after a cut do not cut again. */
  readonly holdMs: number;
}

/** Halve on a 429; back from half to the configured rate in five minutes; never below a twentieth. */
export const DEFAULT_AIMD: AimdPolicy = { decrease: 0.5, recoveryPerMinute: 0.1, floor: 0.05, holdMs: 1_000 };

/** The last cut, as the bucket item holds it: the rate right after it (tokens/s) and when (ms). */
export interface Throttle {
  readonly rate: number;
  readonly at: number;
}

/** The refill rate at `now`: the configured one, or the last cut's plus what was regained since. */
export function rateAt(
  configured: number,
  throttle: Throttle | undefined,
  now: number,
  policy: AimdPolicy,
): number {
  if (!throttle) return configured;
  const regained = ((configured * policy.recoveryPerMinute) / 60_000) * Math.max(0, now - throttle.at);
  return Math.min(configured, throttle.rate + regained);
}

/** The throttle after a 429 at `now`; undefined when the last cut is too recent to cut again. */
export function cut(
  configured: number,
  throttle: Throttle | undefined,
  now: number,
  policy: AimdPolicy,
): Throttle | undefined {
  if (throttle && now - throttle.at < policy.holdMs) return undefined;
  const rate = Math.max(
    configured * policy.floor,
    rateAt(configured, throttle, now, policy) * policy.decrease,
  );
  return { rate, at: now };
}

/** Rejects a policy that could raise the rate on a 429 or never recover, at construction. */
export function aimdPolicy(overrides: Partial<AimdPolicy> = {}): AimdPolicy {
  const policy = { ...DEFAULT_AIMD, ...overrides };
  const fraction = (v: number) => v > 0 && v < 1;
  if (
    !fraction(policy.decrease) ||
    !fraction(policy.floor) ||
    !(policy.recoveryPerMinute > 0) ||
    !(policy.holdMs >= 0)
  )
    throw new RangeError(
      'AIMD needs a decrease and a floor between 0 and 1, a positive recovery and holdMs ≥ 0',
    );
  return policy;
}
