import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CHECKOUT_SHARE_PER_MINUTE,
  RateBudgetDeferredError,
  RateBudgetExhaustedError,
  type RateLimiter,
  type RequestKind,
  sleep,
} from '../sendcloud/RateLimiter';
import { type AimdPolicy, aimdPolicy, cut } from './aimd';
import { BucketLane } from './BucketLane';
import { type BucketKey, DynamoTokenBuckets } from './DynamoTokenBuckets';
import { bucketsFor, DEFAULT_ACCOUNT_LIMITS, RateLimitsConfig } from './limits';
import { type BucketRule, bucketWithin } from './tokenBucket';

export type Priority = 'realtime' | 'batch' | 'checkout';

/**
 * SendCloud's documented budget per account (1000 GET/min; 100 writes/min with at most 15/s), as buckets
 * that stay inside those sliding windows even for tokens spent a lease (1 s) after they were taken: 934
 * GETs/min of refill after a 50 burst; writes as a ledger, 15 at once and 100 every 61 s.
 */
export const SENDCLOUD_BUCKETS: Readonly<Record<RequestKind, BucketRule>> =
  bucketsFor(DEFAULT_ACCOUNT_LIMITS);

/** The checkout share as a bucket: 200 GETs a minute after a burst of 20 (no writes). */
export const CHECKOUT_BUCKETS: Readonly<Record<RequestKind, BucketRule>> = {
  read: bucketWithin([{ limit: CHECKOUT_SHARE_PER_MINUTE, windowMs: 60_000 }], 20, 0),
  write: { ratePerSecond: 1 / 60, capacity: 1, reserve: 0 },
};

export interface GovernorOptions {
  readonly tableName: string;
  /** Checkout lookups' own bucket, taken first (without waiting) before the account's. */
  readonly checkout?: Readonly<Record<RequestKind, BucketRule>>;
  /** Each account's budget (`SENDCLOUD_RATE_LIMITS`); SendCloud's documented 1000:100 by default. */
  readonly limits?: RateLimitsConfig;
  /** The same buckets for every account, instead of deriving them from `limits` (tests). */
  readonly rules?: Readonly<Record<RequestKind, BucketRule>>;
  /** How a 429 lowers an account's rate and how fast it recovers. */
  readonly aimd?: Partial<AimdPolicy>;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Past this wait a worker hands its message back to the queue (`admit`) rather than sleep in its slot. */
export const DEFER_AFTER_MS = 3_000;

/**
 * One token bucket per SendCloud account and request kind, in DynamoDB, shared by every worker and job:
 * together they stay under the account's limits by design instead of discovering them through 429s.
 * Takes are optimistic (a conditional write on the bucket's last update); a lost race simply retries. Each
 * process takes for all its waiting callers at once and leases a few tokens it is about to spend
 * (`BucketLane`), so a SendCloud call costs a fraction of a DynamoDB write instead of a read and a write.
 * An account's budget is configuration, not a constant (SendCloud's pages disagree, accounts differ); a 429
 * still teaches the bucket a lower rate for a while (`aimd.ts`).
 */
export class DynamoRateGovernor {
  readonly #buckets: DynamoTokenBuckets;
  readonly #rules: Readonly<Record<RequestKind, BucketRule>> | undefined;
  readonly #limits: RateLimitsConfig;
  readonly #derived = new Map<string, Readonly<Record<RequestKind, BucketRule>>>();
  readonly #aimd: AimdPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #checkout: Readonly<Record<RequestKind, BucketRule>>;
  readonly #clock: () => number;
  readonly #lanes = new Map<string, BucketLane>();

  constructor(db: DynamoDBDocumentClient, options: GovernorOptions) {
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
    this.#buckets = new DynamoTokenBuckets(db, {
      tableName: options.tableName,
      sleep: this.#sleep,
      random: this.#random,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.#rules = options.rules;
    this.#limits = options.limits ?? new RateLimitsConfig();
    this.#aimd = aimdPolicy(options.aimd);
    this.#checkout = options.checkout ?? CHECKOUT_BUCKETS;
    this.#clock = options.clock ?? Date.now;
  }

  /** The limiter a client of this account and priority uses. */
  limiter(account: string, priority: Priority): RateLimiter {
    if (priority === 'checkout')
      return {
        // Public checkout traffic takes its own capped share first and never waits for it: when the share
        // is used up the lookup is answered from the cache, and labels keep the rest of the budget.
        acquire: async (kind) => {
          if (!(await this.tryTake(account, `checkout-${kind}`, this.#checkout[kind])))
            throw new RateBudgetExhaustedError(account, kind);
          await this.acquire(account, kind, 'realtime');
        },
        onThrottled: (kind) => this.throttled(account, kind).then(() => undefined),
      };
    return {
      acquire: (kind) => this.acquire(account, kind, priority),
      onThrottled: (kind) => this.throttled(account, kind).then(() => undefined),
      reserve: (kind, count) => this.#lane(account, kind, priority).reserve(count),
    };
  }

  /** The buckets of an account: the test override, else derived from its configured limits. */
  rulesFor(account: string): Readonly<Record<RequestKind, BucketRule>> {
    if (this.#rules) return this.#rules;
    let rules = this.#derived.get(account);
    if (!rules) {
      rules = bucketsFor(this.#limits.of(account));
      this.#derived.set(account, rules);
    }
    return rules;
  }

  /** The refill rate an account's bucket runs at now (tokens/s): lower than configured after a 429. */
  async rate(account: string, kind: RequestKind): Promise<number> {
    return (await this.#buckets.read(keyOf(account, kind), this.rulesFor(account)[kind], this.#aimd))
      .ratePerSecond;
  }

  /**
   * SendCloud answered 429 for this account and kind: cut the bucket's rate (in the item, so every function
   * slows down) and empty it, since the server's window is full now. Returns the new rate; undefined when a
   * cut this recent already covers this 429.
   */
  async throttled(account: string, kind: RequestKind): Promise<number | undefined> {
    const rule = this.rulesFor(account)[kind];
    const key = keyOf(account, kind);
    for (;;) {
      const reading = await this.#buckets.read(key, rule, this.#aimd);
      const throttle = cut(rule.ratePerSecond, reading.throttle, reading.now, this.#aimd);
      if (!throttle) return undefined;
      // Emptied, but a debt of tokens taken ahead stays: those requests are still to be sent.
      if (await this.#buckets.take(key, reading, Math.min(0, reading.available), { throttle })) {
        for (const priority of ['realtime', 'batch'] as const)
          this.#lanes.get(laneId(account, kind, priority))?.forget();
        return throttle.rate;
      }
      await this.#sleep(Math.ceil(2 + this.#random() * 10));
    }
  }

  /** One token from a bucket if it has one now (a few quick tries on contention); false when it is empty. */
  tryTake(account: string, bucket: string, rule: BucketRule): Promise<boolean> {
    return this.#buckets.takeNow({ pk: `GOVERNOR#${account}#${bucket}`, sk: 'BUCKET' }, rule);
  }

  /** Resolves when one request of this account, kind and priority may be sent now. */
  acquire(account: string, kind: RequestKind, priority: Priority): Promise<void> {
    return this.#lane(account, kind, priority).acquire();
  }

  /** Milliseconds until a request of this account, kind and priority would go (0: now). */
  waitMs(account: string, kind: RequestKind, priority: Priority, tokens = 1): Promise<number> {
    return this.#lane(account, kind, priority).waitMs(tokens);
  }

  /**
   * Before a worker starts on a message: throws RateBudgetDeferredError when either of the account's budgets
   * would keep it waiting longer than `deferAfterMs`, so the message goes back to the queue instead of its
   * worker sleeping in a slot other accounts' orders need. With `holdBack` (a real-time group smaller than
   * one create takes, none of it deferred before) the write budget must also hold half its burst now: an
   * account whose writes are already queueing does not spend them on a small create, the group goes back
   * and returns with the rest of the burst (`realtimeGroups`). Costs at most one read per kind.
   */
  async admit(
    account: string,
    priority: Exclude<Priority, 'checkout'>,
    options: { readonly deferAfterMs?: number; readonly holdBack?: boolean } = {},
  ): Promise<void> {
    const bound = options.deferAfterMs ?? DEFER_AFTER_MS;
    for (const kind of ['write', 'read'] as const) {
      // Half the burst there now implies the one token there now: a single reading either way.
      const tokens =
        options.holdBack && kind === 'write'
          ? Math.max(1, Math.ceil(this.rulesFor(account).write.capacity / 2))
          : 1;
      const wait = await this.waitMs(account, kind, priority, tokens);
      if (wait > (tokens > 1 ? 0 : bound)) throw new RateBudgetDeferredError(account, kind, wait);
    }
  }

  #lane(account: string, kind: RequestKind, priority: Priority): BucketLane {
    const id = laneId(account, kind, priority);
    let lane = this.#lanes.get(id);
    if (!lane) {
      const rule = this.rulesFor(account)[kind];
      lane = new BucketLane({
        buckets: this.#buckets,
        key: keyOf(account, kind),
        rule,
        floor: priority === 'batch' ? rule.reserve : 0,
        aimd: this.#aimd,
        clock: this.#clock,
        sleep: this.#sleep,
        random: this.#random,
      });
      this.#lanes.set(id, lane);
    }
    return lane;
  }
}

const laneId = (account: string, kind: RequestKind, priority: Priority) => `${account}|${kind}|${priority}`;

const keyOf = (account: string, kind: RequestKind): BucketKey => ({
  pk: `GOVERNOR#${account}#${kind}`,
  sk: 'BUCKET',
});
