import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CHECKOUT_SHARE_PER_MINUTE,
  RateBudgetExhaustedError,
  type RateLimiter,
  type RequestKind,
  SENDCLOUD_RATE_LIMITS,
  sleep,
} from '../sendcloud/RateLimiter';
import { DynamoTokenBuckets } from './DynamoTokenBuckets';
import { type BucketRule, bucketWithin } from './tokenBucket';

export type Priority = 'realtime' | 'batch' | 'checkout';

/**
 * SendCloud's documented budget per account (1000 GET/min; 100 writes/min with at most 15/s), as buckets
 * that stay inside those sliding windows: 950 GETs/min of refill after a 50 burst, 87 writes/min after 13.
 */
export const SENDCLOUD_BUCKETS: Readonly<Record<RequestKind, BucketRule>> = {
  read: bucketWithin(SENDCLOUD_RATE_LIMITS.read, 50, 10),
  write: bucketWithin(SENDCLOUD_RATE_LIMITS.write, 13, 3),
};

/** The checkout share as a bucket: 200 GETs a minute after a burst of 20 (no writes). */
export const CHECKOUT_BUCKETS: Readonly<Record<RequestKind, BucketRule>> = {
  read: bucketWithin([{ limit: CHECKOUT_SHARE_PER_MINUTE, windowMs: 60_000 }], 20, 0),
  write: { ratePerSecond: 1 / 60, capacity: 1, reserve: 0 },
};

export interface GovernorOptions {
  readonly tableName: string;
  /** Checkout lookups' own bucket, taken first (without waiting) before the account's. */
  readonly checkout?: Readonly<Record<RequestKind, BucketRule>>;
  readonly rules?: Readonly<Record<RequestKind, BucketRule>>;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * One token bucket per SendCloud account and request kind, in DynamoDB, shared by every worker and job:
 * together they stay under the account's limits by design instead of discovering them through 429s.
 * Takes are optimistic (a conditional write on the bucket's last update); a lost race simply retries.
 */
export class DynamoRateGovernor {
  readonly #buckets: DynamoTokenBuckets;
  readonly #rules: Readonly<Record<RequestKind, BucketRule>>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #checkout: Readonly<Record<RequestKind, BucketRule>>;

  constructor(db: DynamoDBDocumentClient, options: GovernorOptions) {
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
    this.#buckets = new DynamoTokenBuckets(db, {
      tableName: options.tableName,
      sleep: this.#sleep,
      random: this.#random,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.#rules = options.rules ?? SENDCLOUD_BUCKETS;
    this.#checkout = options.checkout ?? CHECKOUT_BUCKETS;
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
      };
    return { acquire: (kind) => this.acquire(account, kind, priority) };
  }

  /** One token from a bucket if it has one now (a few quick tries on contention); false when it is empty. */
  tryTake(account: string, bucket: string, rule: BucketRule): Promise<boolean> {
    return this.#buckets.takeNow({ pk: `GOVERNOR#${account}#${bucket}`, sk: 'BUCKET' }, rule);
  }

  async acquire(account: string, kind: RequestKind, priority: Priority): Promise<void> {
    const rule = this.#rules[kind];
    const floor = priority === 'batch' ? rule.reserve : 0;
    const key = { pk: `GOVERNOR#${account}#${kind}`, sk: 'BUCKET' };
    for (;;) {
      const reading = await this.#buckets.read(key, rule);
      if (reading.available >= floor + 1) {
        if (await this.#buckets.take(key, reading, reading.available - 1)) return;
        // Another worker took one first: step back a little, so many callers do not spin on one item.
        await this.#sleep(Math.ceil(5 + this.#random() * 25));
        continue;
      }
      // Spread the wake-ups: every waiter would otherwise come back at the same instant.
      const waitMs = ((floor + 1 - reading.available) / rule.ratePerSecond) * 1000;
      await this.#sleep(Math.ceil(waitMs + this.#random() * Math.min(waitMs, 50)));
    }
  }
}
