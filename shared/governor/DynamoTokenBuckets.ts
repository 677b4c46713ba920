import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AimdPolicy, rateAt, type Throttle } from './aimd';
import { type BucketRule, tokensAt } from './tokenBucket';
import { type Ledger, ledgerAvailable, ledgerMsUntil, ledgerOf, ledgerWith } from './windowLedger';

export interface BucketKey {
  readonly pk: string;
  readonly sk: string;
}

/** A bucket as read: the tokens available now, and the write (`at`, revision) they were computed from. */
export interface BucketReading {
  readonly available: number;
  readonly last: number | undefined;
  readonly revision: number | undefined;
  readonly now: number;
  /** The refill rate now: the rule's, or lower while the bucket recovers from a 429. */
  readonly ratePerSecond: number;
  /** The last cut after a 429 (`throttledRate`, `throttledAt`), while the bucket still recovers from it. */
  readonly throttle: Throttle | undefined;
  /** A ledger bucket's grants and windows, and the fraction of its limits it grants now (below 1 after a 429). */
  readonly ledger?: {
    readonly grants: Ledger;
    readonly windows: NonNullable<BucketRule['windows']>;
    readonly factor: number;
  };
}

/** Milliseconds from the reading until the bucket holds `tokens` (0: it does now). */
export function msUntil(reading: BucketReading, tokens: number): number {
  const { ledger } = reading;
  if (ledger) return ledgerMsUntil(ledger.grants, ledger.windows, reading.now, tokens, ledger.factor);
  return Math.max(0, Math.ceil(((tokens - reading.available) / reading.ratePerSecond) * 1000));
}

export interface DynamoTokenBucketsOptions {
  readonly tableName: string;
  readonly clock?: () => number;
  /** How `takeNow` steps back after losing a race (jittered by `random`). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/**
 * Token buckets as items of the service table (`tokens`, `at`, `rev`, optionally `expiresAt`; a ledger
 * bucket's grants in `grantLog`). A take is
 * an optimistic conditional write on the revision it was computed from: of two takers racing for one item,
 * one wins and the other reads again, so every Lambda shares each bucket without locks.
 */
export class DynamoTokenBuckets {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(db: DynamoDBDocumentClient, options: DynamoTokenBucketsOptions) {
    this.#db = db;
    this.#table = options.tableName;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep;
    this.#random = options.random;
  }

  /**
   * One token if the bucket has one now, without waiting for refill: a few quick tries when other takers
   * win the race, then false, as when it is empty. `expiresAt` dates the bucket as it is after the take.
   */
  async takeNow(
    key: BucketKey,
    rule: BucketRule,
    options: {
      readonly expiresAt?: (after: { readonly now: number; readonly tokens: number }) => number;
    } = {},
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const reading = await this.read(key, rule);
      if (reading.available < 1) return false;
      const tokens = reading.available - 1;
      const expiry = options.expiresAt ? { expiresAt: options.expiresAt({ now: reading.now, tokens }) } : {};
      if (await this.take(key, reading, tokens, expiry)) return true;
      await this.#sleep(Math.ceil(2 + this.#random() * 10));
    }
    return false;
  }

  /** With `aimd`, a bucket cut after a 429 refills at its recovering rate instead of the rule's. */
  async read(key: BucketKey, rule: BucketRule, aimd?: AimdPolicy): Promise<BucketReading> {
    const now = this.#clock();
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    const throttle =
      typeof Item?.throttledRate === 'number' && typeof Item.throttledAt === 'number'
        ? { rate: Item.throttledRate, at: Item.throttledAt }
        : undefined;
    return readingOf(
      {
        tokens: typeof Item?.tokens === 'number' ? Item.tokens : rule.capacity,
        at: typeof Item?.at === 'number' ? Item.at : undefined,
        revision: typeof Item?.rev === 'number' ? Item.rev : undefined,
        throttle,
        ...(rule.windows ? { grants: grantsOf(Item, rule) } : {}),
      },
      rule,
      { now, ...(aimd ? { aimd } : {}) },
    );
  }

  /**
   * The bucket as it reads now if nobody wrote it since `stored` (what this process last wrote): no
   * DynamoDB call. Another taker may have taken since, so a take on it can still lose the race.
   */
  predict(stored: StoredBucket, rule: BucketRule, aimd?: AimdPolicy): BucketReading {
    return readingOf(stored, rule, { now: this.#clock(), ...(aimd ? { aimd } : {}) });
  }

  /**
   * Writes the bucket as holding `tokens` if nobody wrote it since `reading`; false when someone did. A ledger
   * bucket records the difference as granted at `at` (default: now; a take ahead is dated when it falls due).
   * `expiresAt` (epoch seconds, the table's TTL attribute) lets DynamoDB delete a bucket nobody uses;
   * `throttle` records a cut after a 429 (every other write leaves the last cut as it is). Returns the
   * bucket as written (for `predict`).
   */
  async take(
    key: BucketKey,
    reading: BucketReading,
    tokens: number,
    options: { readonly expiresAt?: number; readonly throttle?: Throttle; readonly at?: number } = {},
  ): Promise<StoredBucket | undefined> {
    // Time never runs backwards in the bucket, so a slow clock cannot count one interval twice.
    const at = Math.max(reading.now, reading.last ?? reading.now);
    const { ledger } = reading;
    const grants = ledger
      ? ledgerWith(
          ledger.grants,
          ledger.windows,
          reading.now,
          Math.max(at, options.at ?? at),
          Math.round(reading.available - tokens),
        )
      : undefined;
    const extra = {
      ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
      ...(options.throttle ? { throttledRate: options.throttle.rate, throttledAt: options.throttle.at } : {}),
      ...(grants ? { grantLog: grants } : {}),
    };
    const revision = (reading.revision ?? 0) + 1;
    try {
      if (reading.last === undefined) {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...key, tokens, at, rev: revision, ...extra },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } else {
        // `at` alone does not tell two takes within one millisecond apart; the revision does (buckets
        // written before it existed have none).
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: `SET ${['tokens = :tokens', '#at = :now', 'rev = :next', ...Object.keys(extra).map((name) => `${name} = :${name}`)].join(', ')}`,
            ConditionExpression: `#at = :last AND ${reading.revision === undefined ? 'attribute_not_exists(rev)' : 'rev = :rev'}`,
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: {
              ':tokens': tokens,
              ':now': at,
              ':last': reading.last,
              ':next': revision,
              ...(reading.revision === undefined ? {} : { ':rev': reading.revision }),
              ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [`:${name}`, value])),
            },
          }),
        );
      }
      return {
        tokens,
        at,
        revision,
        throttle: options.throttle ?? reading.throttle,
        ...(grants ? { grants } : {}),
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

/** A bucket item's content: `at` and `revision` are absent until its first write. */
export interface StoredBucket {
  readonly tokens: number;
  readonly at: number | undefined;
  readonly revision: number | undefined;
  readonly throttle: Throttle | undefined;
  /** A ledger bucket's grants as written. */
  readonly grants?: Ledger;
}

/**
 * A ledger bucket's grants as stored; none for a bucket never written. An item a token bucket wrote (before
 * ledgers), or one whose ledger cannot be read, tells nothing of what was spent in the windows: its last
 * write counts as having used the longest window's whole limit then.
 */
function grantsOf(item: Record<string, unknown> | undefined, rule: BucketRule): Ledger {
  if (typeof item?.at !== 'number') return [];
  return ledgerOf(item.grantLog) ?? [item.at, Math.max(0, ...(rule.windows ?? []).map((w) => w.limit))];
}

function readingOf(
  stored: StoredBucket,
  rule: BucketRule,
  at: { readonly now: number; readonly aimd?: AimdPolicy },
): BucketReading {
  const { now, aimd } = at;
  const last = stored.at;
  // Recovered in full: the cut no longer says anything.
  const throttle =
    aimd && stored.throttle && rateAt(rule.ratePerSecond, stored.throttle, now, aimd) < rule.ratePerSecond
      ? stored.throttle
      : undefined;
  const ratePerSecond =
    aimd && throttle ? rateAt(rule.ratePerSecond, throttle, now, aimd) : rule.ratePerSecond;
  if (rule.windows) {
    // A ledger: every window at the fraction of its limit the recovering rate is of the configured one.
    const ledger = {
      grants: stored.grants ?? [],
      windows: rule.windows,
      factor: ratePerSecond / rule.ratePerSecond,
    };
    return {
      available: ledgerAvailable(ledger.grants, ledger.windows, now, ledger.factor),
      last,
      revision: stored.revision,
      now,
      ratePerSecond,
      throttle,
      ledger,
    };
  }
  // Refill since the last write at the rate of that instant: never more than the recovering bucket earned.
  const refill =
    aimd && throttle ? rateAt(rule.ratePerSecond, throttle, last ?? now, aimd) : rule.ratePerSecond;
  return {
    available: tokensAt(
      { ...rule, ratePerSecond: refill },
      last === undefined ? undefined : { tokens: stored.tokens, at: last },
      now,
    ),
    last,
    revision: stored.revision,
    now,
    ratePerSecond,
    throttle,
  };
}
