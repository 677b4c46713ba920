import type { RateLimitRules, RequestKind } from '../sendcloud/RateLimiter';
import * as z from '../validation/zod';
import { type BucketRule, bucketWithin, ledgerWithin } from './tokenBucket';

/** One account's SendCloud budget, per minute. */
export interface AccountLimits {
  readonly readsPerMinute: number;
  readonly writesPerMinute: number;
}

/** SendCloud's documented defaults (developer docs); the help centre lists 420 GETs for some accounts. */
export const DEFAULT_ACCOUNT_LIMITS: AccountLimits = { readsPerMinute: 1000, writesPerMinute: 100 };

/** SendCloud's short window on writes, whatever an account's per-minute budget. */
const WRITES_PER_SECOND = 15;

/**
 * How long a worker may hold tokens it took before spending them (its local lease). Every rate is derived
 * for windows this much longer, so a lease spent late still fits: 1 s costs 1.6% of the GET rate.
 */
export const LEASE_MS = 1_000;

/** The configured budget of every account: its own entry, else the default. */
export class RateLimitsConfig {
  readonly defaults: AccountLimits;
  readonly #accounts: ReadonlyMap<string, AccountLimits>;

  constructor(accounts: ReadonlyMap<string, AccountLimits> = new Map(), defaults = DEFAULT_ACCOUNT_LIMITS) {
    this.#accounts = accounts;
    this.defaults = defaults;
  }

  of(account: string): AccountLimits {
    return this.#accounts.get(account) ?? this.defaults;
  }
}

const Limit = (min: number) => z.coerce.number().check(z.int(), z.gte(min), z.lte(100_000));
/** Below these a burst of two tokens would already break the window. */
const Entry = z.object({ readsPerMinute: Limit(10), writesPerMinute: Limit(5) });

/**
 * `SENDCLOUD_RATE_LIMITS`: `account=reads/min:writes/min,…`; `*=…` sets the default for the accounts not
 * listed (else 1000:100). A typo fails at cold start instead of silently running at the default.
 */
export const RateLimitsSetting = z.pipe(
  z._default(z.string(), ''),
  z.transform((text, ctx) => {
    const accounts = new Map<string, AccountLimits>();
    let defaults = DEFAULT_ACCOUNT_LIMITS;
    const pairs = text.split(',').map((pair) => pair.trim());
    for (const pair of pairs.filter(Boolean)) {
      const match = /^([a-z0-9*][a-z0-9-]*)=(\d+):(\d+)$/.exec(pair);
      const entry = Entry.safeParse({ readsPerMinute: match?.[2], writesPerMinute: match?.[3] });
      const account = match?.[1];
      if (!account || (account.includes('*') && account !== '*') || !entry.success) {
        ctx.issues.push({
          code: 'custom',
          message: `"${pair}" is not account=reads/min:writes/min (at least 10 reads and 5 writes)`,
          input: text,
        });
      } else if (account === '*') defaults = entry.data;
      else accounts.set(account, entry.data);
    }
    return new RateLimitsConfig(accounts, defaults);
  }),
);

/** An account's budget as SendCloud's sliding windows (what the simulator and the local limiter enforce). */
export function windowsFor(limits: AccountLimits): RateLimitRules {
  return {
    read: [{ limit: limits.readsPerMinute, windowMs: 60_000 }],
    write: [
      { limit: limits.writesPerMinute, windowMs: 60_000 },
      { limit: WRITES_PER_SECOND, windowMs: 1_000 },
    ],
  };
}

/**
 * The buckets that stay inside an account's windows even when tokens are spent a lease (`leaseMs`) after
 * they were taken. GETs: a token bucket with a burst of a twentieth of them (at most 50), a fifth of it
 * reserved for real-time callers — for 1000 a minute and a 1 s lease, 50/10 at 934 a minute after the
 * burst. Writes, where a token bucket's burst would cost an eighth of the budget (12 at once, then 86.6 a
 * minute): a ledger of the grants (`windowLedger.ts`) that grants what both windows, widened by the lease,
 * still hold — 15 at once, 100 every 61 s — with a fifth of the short window (3) reserved for real-time.
 */
export function bucketsFor(
  limits: AccountLimits,
  leaseMs: number = LEASE_MS,
): Readonly<Record<RequestKind, BucketRule>> {
  const windows = windowsFor(limits);
  const readBurst = Math.max(2, Math.min(50, Math.floor(limits.readsPerMinute / 20)));
  const shortest = Math.min(...windows.write.map((w) => w.limit));
  return {
    read: bucketWithin(windows.read, readBurst, Math.floor(readBurst / 5), leaseMs),
    write: ledgerWithin(windows.write, Math.max(1, Math.floor(shortest / 5)), leaseMs),
  };
}
