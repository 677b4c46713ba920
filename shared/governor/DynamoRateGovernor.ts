import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CHECKOUT_SHARE_PER_MINUTE,
  RateBudgetExhaustedError,
  type RateLimiter,
  type RequestKind,
  SENDCLOUD_RATE_LIMITS,
  type WindowRule,
} from '../sendcloud/RateLimiter';

export type Priority = 'realtime' | 'batch' | 'checkout';

export interface BucketRule {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** Most tokens held (the burst). */
  readonly capacity: number;
  /** Tokens only real-time callers may take: a running batch leaves them for live orders. */
  readonly reserve: number;
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
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #rules: Readonly<Record<RequestKind, BucketRule>>;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #checkout: Readonly<Record<RequestKind, BucketRule>>;

  constructor(db: DynamoDBDocumentClient, options: GovernorOptions) {
    this.#db = db;
    this.#table = options.tableName;
    this.#rules = options.rules ?? SENDCLOUD_BUCKETS;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
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
  async tryTake(account: string, bucket: string, rule: BucketRule): Promise<boolean> {
    const key = { pk: `GOVERNOR#${account}#${bucket}`, sk: 'BUCKET' };
    for (let attempt = 0; attempt < 5; attempt++) {
      const { available, last, now } = await this.#read(key, rule);
      if (available < 1) return false;
      if (await this.#take(key, last, available - 1, Math.max(now, last ?? now))) return true;
      await this.#sleep(Math.ceil(2 + this.#random() * 10));
    }
    return false;
  }

  async #read(key: { pk: string; sk: string }, rule: BucketRule) {
    const now = this.#clock();
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    const last = typeof Item?.at === 'number' ? Item.at : undefined;
    const stored = typeof Item?.tokens === 'number' ? Item.tokens : rule.capacity;
    // Clocks of different Lambdas differ a little; never let a step backwards add or remove tokens.
    const available =
      last === undefined
        ? rule.capacity
        : Math.min(rule.capacity, stored + (Math.max(0, now - last) / 1000) * rule.ratePerSecond);
    return { available, last, now };
  }

  async acquire(account: string, kind: RequestKind, priority: Priority): Promise<void> {
    const rule = this.#rules[kind];
    const floor = priority === 'batch' ? rule.reserve : 0;
    const key = { pk: `GOVERNOR#${account}#${kind}`, sk: 'BUCKET' };
    for (;;) {
      const { available, last, now } = await this.#read(key, rule);
      if (available >= floor + 1) {
        // Time never runs backwards in the bucket, so a slow clock cannot count one interval twice.
        if (await this.#take(key, last, available - 1, Math.max(now, last ?? now))) return;
        // Another worker took one first: step back a little, so many callers do not spin on one item.
        await this.#sleep(Math.ceil(5 + this.#random() * 25));
        continue;
      }
      // Spread the wake-ups: every waiter would otherwise come back at the same instant.
      const waitMs = ((floor + 1 - available) / rule.ratePerSecond) * 1000;
      await this.#sleep(Math.ceil(waitMs + this.#random() * Math.min(waitMs, 50)));
    }
  }

  async #take(
    key: { pk: string; sk: string },
    last: number | undefined,
    tokens: number,
    now: number,
  ): Promise<boolean> {
    try {
      if (last === undefined) {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...key, tokens, at: now },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } else {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: 'SET tokens = :tokens, #at = :now',
            ConditionExpression: '#at = :last',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':tokens': tokens, ':now': now, ':last': last },
          }),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
