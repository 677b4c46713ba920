import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CATALOG_TRIGGERS,
  type CatalogChange,
  type CatalogChangeKey,
  type CatalogSnapshot,
  type CatalogStore,
} from '../../catalog';
import * as z from '../../validation/zod';

const SNAPSHOT = 'SNAPSHOT';
const pkOf = (account: string) => `CATALOG#${account}`;

const StoredMethod = z.object({
  ref: z.string(),
  name: z.string(),
  carrier: z.string(),
  legacyId: z.optional(z.number().check(z.int())),
  returns: z.boolean(),
});
const StoredChange = z.object({
  kind: z.enum(['removed', 'added']),
  method: StoredMethod,
  detectedAt: z.string(),
  trigger: z.enum(CATALOG_TRIGGERS),
  state: z.enum(['pending', 'sending']),
  at: z.optional(z.string()),
});
const StoredSnapshot = z.object({
  api: z.enum(['v2', 'v3']),
  version: z.number().check(z.int(), z.positive()),
  methods: z.array(StoredMethod),
  changedAt: z.string(),
  outbox: z._default(z.record(z.string(), StoredChange), {}),
});

/**
 * Each account's catalogue snapshot in one item, `CATALOG#<account>` / `SNAPSHOT`: the methods, a version
 * that every stored diff raises (the condition of each write), and an outbox map of changes not yet
 * published. Changes enter the outbox in the same conditional write as the methods they explain, and leave it
 * once published, so the item stays the size of the catalogue (345 methods ≈ 40 KB, far inside 400 KB).
 */
export class DynamoCatalogStore implements CatalogStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async snapshot(account: string): Promise<CatalogSnapshot | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: pkOf(account), sk: SNAPSHOT },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const stored = StoredSnapshot.parse(Item);
    return {
      account,
      api: stored.api,
      version: stored.version,
      methods: stored.methods,
      changedAt: stored.changedAt,
      outbox: Object.entries(stored.outbox)
        .map(([id, change]): CatalogChange => ({ id, ...change }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  async commit(
    next: Omit<CatalogSnapshot, 'outbox'>,
    options: { readonly expectedVersion: number; readonly changes: readonly CatalogChange[] },
  ): Promise<boolean> {
    const key = { pk: pkOf(next.account), sk: SNAPSHOT };
    const fields = { api: next.api, version: next.version, methods: next.methods, changedAt: next.changedAt };
    try {
      if (options.expectedVersion === 0) {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...key, ...fields, outbox: outboxOf(options.changes) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      }
      // An update, not a put: changes of earlier versions still being published stay as they are.
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {
        ':api': fields.api,
        ':version': fields.version,
        ':methods': fields.methods,
        ':changedAt': fields.changedAt,
        ':expected': options.expectedVersion,
      };
      const sets = ['api = :api', 'version = :version', 'methods = :methods', 'changedAt = :changedAt'];
      for (const [i, change] of options.changes.entries()) {
        names[`#c${i}`] = change.id;
        values[`:c${i}`] = entryOf(change);
        sets.push(`outbox.#c${i} = :c${i}`);
      }
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'version = :expected',
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async beginEmit(
    key: CatalogChangeKey,
    _event: string,
    options: { readonly now: Date; readonly leaseMs: number },
  ): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: pkOf(key.account), sk: SNAPSHOT },
          UpdateExpression: 'SET outbox.#c.#state = :sending, outbox.#c.#at = :now',
          ConditionExpression:
            'attribute_exists(outbox.#c) AND (outbox.#c.#state = :pending OR outbox.#c.#at < :stale)',
          ExpressionAttributeNames: { '#c': key.changeId, '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':pending': 'pending',
            ':now': options.now.toISOString(),
            ':stale': new Date(options.now.getTime() - options.leaseMs).toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async endEmit(
    key: CatalogChangeKey,
    _event: string,
    options: { readonly now: Date; readonly published: boolean },
  ): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: pkOf(key.account), sk: SNAPSHOT },
          UpdateExpression: options.published
            ? 'REMOVE outbox.#c'
            : 'SET outbox.#c.#state = :pending REMOVE outbox.#c.#at',
          ConditionExpression: 'attribute_exists(outbox.#c)',
          ExpressionAttributeNames: {
            '#c': key.changeId,
            ...(options.published ? {} : { '#state': 'state', '#at': 'at' }),
          },
          ...(options.published ? {} : { ExpressionAttributeValues: { ':pending': 'pending' } }),
        }),
      );
    } catch (error) {
      // Already gone: another publisher took it over after our lease and finished first.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function entryOf(change: CatalogChange) {
  return {
    kind: change.kind,
    method: change.method,
    detectedAt: change.detectedAt,
    trigger: change.trigger,
    state: change.state,
  };
}

const outboxOf = (changes: readonly CatalogChange[]) =>
  Object.fromEntries(changes.map((change) => [change.id, entryOf(change)]));
