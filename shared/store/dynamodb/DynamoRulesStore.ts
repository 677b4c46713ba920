import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { RuleSet } from '../../routing/RuleSet';
import { ruleSetHash } from '../../routing/ruleSetHash';
import * as z from '../../validation/zod';
import type { RuleSetVersion, RulesStore } from '../OrderStore';

const CURRENT = 'CURRENT';
/** Zero-padded, so the sort key orders versions by number. */
const versionSk = (version: number) => `VERSION#${String(version).padStart(10, '0')}`;

const StoredVersion = z.object({
  version: z.number().check(z.int(), z.positive()),
  storedAt: z.string(),
  storedBy: z.nullish(z.string()),
  sha256: z.optional(z.string()),
  rules: z.unknown(),
});
type StoredVersion = z.infer<typeof StoredVersion>;

/**
 * Per-account routing rules, versioned: a put only lands with a higher version than the current one, and
 * every version is kept. Under `RULES#<account>`: `CURRENT` (what routes) and `VERSION#<n>` (each version as
 * it was stored). CURRENT is written first (the conditional write decides), then its version item; a crash
 * between the two is repaired by the next put, which writes the version it replaced from CURRENT's old image.
 */
export class DynamoRulesStore implements RulesStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async current(account: string): Promise<RuleSet | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: { pk: pkOf(account), sk: CURRENT } }),
    );
    return Item ? RuleSet.parse(Item.rules) : undefined;
  }

  async put(account: string, rules: RuleSet, options: { readonly storedBy?: string } = {}): Promise<boolean> {
    const item = {
      version: rules.version,
      rules,
      storedAt: new Date().toISOString(),
      storedBy: options.storedBy ?? null,
      sha256: ruleSetHash(rules),
    };
    let replaced: Record<string, unknown> | undefined;
    try {
      ({ Attributes: replaced } = await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: pkOf(account), sk: CURRENT, ...item, updatedAt: item.storedAt },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :version',
          ExpressionAttributeValues: { ':version': rules.version },
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.#keep(account, item);
    const previous = StoredVersion.safeParse(replaced);
    // Rewriting it is harmless (the same content); it is only missing after a crash, or from before history.
    if (previous.success) await this.#keep(account, previous.data);
    return true;
  }

  async versions(account: string): Promise<RuleSetVersion[]> {
    const found = new Map<number, RuleSetVersion>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pkOf(account) },
          ProjectionExpression: '#version, storedAt, storedBy, sha256, updatedAt, #rules',
          ExpressionAttributeNames: { '#version': 'version', '#rules': 'rules' },
          ExclusiveStartKey: start,
        }),
      );
      for (const raw of page.Items ?? []) {
        const stored = StoredVersion.safeParse(withStoredAt(raw));
        if (stored.success) found.set(stored.data.version, summaryOf(stored.data));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return [...found.values()].sort((a, b) => b.version - a.version);
  }

  async version(
    account: string,
    version: number,
  ): Promise<(RuleSetVersion & { readonly rules: RuleSet }) | undefined> {
    const get = (sk: string) =>
      this.#db.send(new GetCommand({ TableName: this.#table, Key: { pk: pkOf(account), sk } }));
    let { Item } = await get(versionSk(version));
    // The current one, stored before versions were kept (or just before a crash), has no version item.
    if (!Item) {
      ({ Item } = await get(CURRENT));
      if (Item?.version !== version) return undefined;
    }
    const stored = StoredVersion.parse(withStoredAt(Item));
    return { ...summaryOf(stored), rules: RuleSet.parse(stored.rules) };
  }

  async #keep(account: string, item: StoredVersion): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: pkOf(account),
          sk: versionSk(item.version),
          version: item.version,
          rules: item.rules,
          storedAt: item.storedAt,
          storedBy: item.storedBy ?? null,
          sha256: item.sha256 ?? ruleSetHash(RuleSet.parse(item.rules)),
        },
      }),
    );
  }
}

const pkOf = (account: string) => `RULES#${account}`;

/** Items written before versions were kept have `updatedAt` only. */
const withStoredAt = (item: Record<string, unknown>) => ({ storedAt: item.updatedAt, ...item });

const summaryOf = (stored: StoredVersion): RuleSetVersion => ({
  version: stored.version,
  storedAt: stored.storedAt,
  storedBy: stored.storedBy ?? null,
  sha256: stored.sha256 ?? ruleSetHash(RuleSet.parse(stored.rules)),
});
