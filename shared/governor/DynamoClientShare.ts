import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sleep } from '../sendcloud/RateLimiter';
import { type ClientRef, type ClientShare, ClientShareExhaustedError, clientShareRule } from './ClientShare';
import { DynamoTokenBuckets } from './DynamoTokenBuckets';
import { type BucketRule, secondsToFill } from './tokenBucket';

export interface DynamoClientShareOptions {
  readonly tableName: string;
  /** Default: `clientShareRule()` (20 uncached lookups a minute, 10 at once). */
  readonly rule?: BucketRule;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** DynamoDB keeps an idle bucket this long past the moment it is full again (TTL deletion is lazy anyway). */
const KEEP_AFTER_FULL_SECONDS = 60;

/**
 * The client share in the service table, shared by every Lambda: one item per account and client,
 * `GOVERNOR#CLIENT#<account>#<clientId>` (under the functions' existing `GOVERNOR#` write grant), expiring
 * through `expiresAt` once it is full again — a deleted bucket and a full one are the same, so nothing is
 * kept about a client longer than its share needs.
 */
export class DynamoClientShare implements ClientShare {
  readonly #buckets: DynamoTokenBuckets;
  readonly #rule: BucketRule;

  constructor(db: DynamoDBDocumentClient, options: DynamoClientShareOptions) {
    this.#rule = options.rule ?? clientShareRule();
    this.#buckets = new DynamoTokenBuckets(db, {
      tableName: options.tableName,
      sleep: options.sleep ?? sleep,
      random: options.random ?? Math.random,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  async admit(client: ClientRef): Promise<void> {
    const key = { pk: `GOVERNOR#CLIENT#${client.account}#${client.clientId}`, sk: 'BUCKET' };
    const admitted = await this.#buckets.takeNow(key, this.#rule, {
      expiresAt: ({ now, tokens }) =>
        Math.ceil(now / 1000 + secondsToFill(this.#rule, tokens) + KEEP_AFTER_FULL_SECONDS),
    });
    if (!admitted) throw new ClientShareExhaustedError(client.account);
  }
}
