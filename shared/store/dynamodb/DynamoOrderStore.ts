import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OrderKey, OrderRecipient, OrderRecord, OrderStatus } from '../../orders/Order';
import type { ClaimResult, CreateResult, OrderChanges, OrderStore, UpdateFence } from '../OrderStore';
import { orderPk, PENDING_SHARDS, pendingShard, readyShard } from './tables';

const ORDER = 'ORDER';
const RECIPIENT = 'RECIPIENT';
const SETTLED = new Set([
  'announced',
  'label_stored',
  'shipped',
  'failed',
  'cancellation_requested',
  'cancelled',
]);
/**
 * Orders the worker is done with; an `announced` one still needs its label, so it stays in the sweep. They
 * leave the sparse pending index (and a cancelled end-of-day order the ready index, which shares it).
 */
const FINAL = new Set(['label_stored', 'shipped', 'failed', 'cancellation_requested', 'cancelled']);
/** Cancelled orders also leave the index of parcels awaiting a first scan (no `Parcel Stuck` for them). */
const CANCELLED = new Set(['cancellation_requested', 'cancelled']);
/** Orders whose worker still needs the recipient. */
const UNSHIPPED = new Set(['ready', 'accepted', 'creating']);

export interface DynamoOrderStoreOptions {
  readonly tableName: string;
  /** How long personal data is kept. Default 90 days. */
  readonly recipientTtlDays?: number;
}

export class DynamoOrderStore implements OrderStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlDays: number;

  constructor(db: DynamoDBDocumentClient, options: DynamoOrderStoreOptions) {
    this.#db = db;
    this.#table = options.tableName;
    this.#ttlDays = options.recipientTtlDays ?? 90;
  }

  /**
   * The order first, conditionally, then its personal data: an order that cannot be written (a repeat, an
   * item DynamoDB refuses) leaves no personal data behind, and a crash between the two writes leaves an order
   * without a recipient, never a recipient without an order. A repeat of the same order (same body hash)
   * while it still waits for its parcel writes the recipient again, finishing what such a crash cut short.
   * (dynalite, the local emulator, has no transactions, so one TransactWriteItems is not an option.)
   */
  /** The stored item of a new order (or a new generation): the order and its index keys. */
  #item(order: OrderRecord): Record<string, unknown> {
    return {
      pk: orderPk(order.channel, order.orderId),
      sk: ORDER,
      gsi1pk: `ORDERID#${order.orderId}`,
      gsi1sk: order.channel,
      // Pending orders are swept; end-of-day orders wait in their account's ready index instead.
      gsi2pk:
        order.status === 'ready'
          ? readyShard(order.account, order.channel, order.orderId)
          : pendingShard(order.channel, order.orderId),
      gsi2sk: order.createdAt,
      gsi4pk: `DAY#${order.account}#${order.createdAt.slice(0, 10)}`,
      gsi4sk: order.createdAt,
      ...order,
    };
  }

  async reopen(
    next: OrderRecord,
    expected: { readonly status: OrderStatus; readonly generation: number },
    recipient: OrderRecipient,
  ): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#item(next),
          ConditionExpression:
            expected.generation === 1
              ? '#status = :status AND (attribute_not_exists(#generation) OR #generation = :generation)'
              : '#status = :status AND #generation = :generation',
          ExpressionAttributeNames: { '#status': 'status', '#generation': 'generation' },
          ExpressionAttributeValues: { ':status': expected.status, ':generation': expected.generation },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.#putRecipient(next, recipient);
    return true;
  }

  async create(order: OrderRecord, recipient: OrderRecipient): Promise<CreateResult> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#item(order),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(order);
      if (!existing) throw error;
      if (existing.bodyHash === order.bodyHash && UNSHIPPED.has(existing.status))
        await this.#putRecipient(existing, recipient);
      return { created: false, existing };
    }
    await this.#putRecipient(order, recipient);
    return { created: true, order };
  }

  /** Personal data, expiring `recipientTtlDays` after the order was created (a repeat never extends it). */
  async #putRecipient(order: OrderRecord, recipient: OrderRecipient): Promise<void> {
    const expiresAt = Math.floor(Date.parse(order.createdAt) / 1000) + this.#ttlDays * 86_400;
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: orderPk(order.channel, order.orderId), sk: RECIPIENT, ...recipient, expiresAt },
      }),
    );
  }

  async addReturn(key: OrderKey, returnId: string): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          UpdateExpression: 'SET returnIds = list_append(if_not_exists(returnIds, :empty), :ids)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(returnIds, :id)',
          ExpressionAttributeValues: { ':empty': [], ':ids': [returnId], ':id': returnId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async createReturn(record: OrderRecord): Promise<CreateResult> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: orderPk(record.channel, record.orderId), sk: ORDER, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, order: record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(record);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async get(key: OrderKey): Promise<OrderRecord | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
        ConsistentRead: true,
      }),
    );
    return Item ? toOrder(Item) : undefined;
  }

  async getRecipient(key: OrderKey): Promise<OrderRecipient | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: orderPk(key.channel, key.orderId), sk: RECIPIENT },
      }),
    );
    if (!Item) return undefined;
    return {
      recipient: Item.recipient,
      items: Item.items ?? [],
      ...(Item.customs ? { customs: Item.customs } : {}),
    } as OrderRecipient;
  }

  async findByOrderId(orderId: string): Promise<OrderRecord[]> {
    const { Items = [] } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `ORDERID#${orderId}` },
      }),
    );
    return Items.map(toOrder);
  }

  async claim(key: OrderKey, options: { readonly now: Date; readonly lockMs: number }): Promise<ClaimResult> {
    const now = options.now.toISOString();
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          UpdateExpression:
            'SET #status = :creating, attempt = attempt + :one, lockUntil = :lock, updatedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND (#status = :accepted OR (#status = :creating AND lockUntil < :now))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':creating': 'creating',
            ':accepted': 'accepted',
            ':one': 1,
            ':now': now,
            ':lock': new Date(options.now.getTime() + options.lockMs).toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'claimed', order: toOrder(Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(key);
      if (!current) return { outcome: 'missing' };
      return SETTLED.has(current.status)
        ? { outcome: 'settled', order: current }
        : { outcome: 'busy', order: current };
    }
  }

  async update(key: OrderKey, changes: OrderChanges, fence?: UpdateFence): Promise<boolean> {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    let condition = 'attribute_exists(pk)';
    if (fence?.attempt !== undefined) {
      names['#attempt'] = 'attempt';
      values[':attempt'] = fence.attempt;
      condition += ' AND #attempt = :attempt';
    }
    if (fence?.status) {
      if (fence.status.length === 0) return false;
      names['#fenceStatus'] = 'status';
      const allowed = fence.status.map((status, i) => {
        values[`:fs${i}`] = status;
        return `:fs${i}`;
      });
      condition += ` AND #fenceStatus IN (${allowed.join(', ')})`;
    }
    const removes = [
      ...(changes.status && FINAL.has(changes.status) ? ['gsi2pk', 'gsi2sk'] : []),
      ...(changes.status && CANCELLED.has(changes.status) ? ['gsi3pk', 'gsi3sk'] : []),
    ];
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          // Final orders leave the sparse pending index.
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  pending(options: { readonly before: Date; readonly limit: number }): Promise<OrderKey[]> {
    return this.#sharded((shard) => `PENDING#${shard}`, options);
  }

  async *pendingPages(options: { readonly before: Date }): AsyncIterable<OrderKey[]> {
    for (let shard = 0; shard < PENDING_SHARDS; shard++) {
      const pages = paginateQuery(
        { client: this.#db },
        {
          TableName: this.#table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
          ExpressionAttributeValues: { ':pk': `PENDING#${shard}`, ':before': options.before.toISOString() },
        },
      );
      for await (const page of pages) {
        const keys = (page.Items ?? []).flatMap((item) => {
          const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
          return match?.[1] && match[2] ? [{ channel: match[1], orderId: match[2] }] : [];
        });
        if (keys.length > 0) yield keys;
      }
    }
  }

  ready(account: string, options: { readonly before: Date; readonly limit: number }): Promise<OrderKey[]> {
    return this.#sharded((shard) => `READY#${account}#${shard}`, options);
  }

  /** Order keys from the sharded gsi2 partitions, oldest first within each shard, up to `limit`. */
  async #sharded(
    partition: (shard: number) => string,
    options: { readonly before: Date; readonly limit: number },
  ): Promise<OrderKey[]> {
    const keys: OrderKey[] = [];
    for (let shard = 0; shard < PENDING_SHARDS && keys.length < options.limit; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
            ExpressionAttributeValues: { ':pk': partition(shard), ':before': options.before.toISOString() },
            Limit: options.limit - keys.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
          if (match?.[1] && match[2]) keys.push({ channel: match[1], orderId: match[2] });
        }
        start = page.LastEvaluatedKey;
      } while (start && keys.length < options.limit);
    }
    return keys;
  }

  async createdOn(account: string, day: string): Promise<OrderKey[]> {
    const keys: OrderKey[] = [];
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#table,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': `DAY#${account}#${day}` },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
        if (match?.[1] && match[2]) keys.push({ channel: match[1], orderId: match[2] });
      }
    }
    return keys;
  }

  async createdOnPage(
    account: string,
    day: string,
    options: { readonly limit: number; readonly after?: Record<string, unknown> },
  ): Promise<{ readonly keys: OrderKey[]; readonly next?: Record<string, unknown> }> {
    const { Items, LastEvaluatedKey } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': `DAY#${account}#${day}` },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.after ? { ExclusiveStartKey: options.after } : {}),
      }),
    );
    const keys = (Items ?? []).flatMap((item): OrderKey[] => {
      const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
      return match?.[1] && match[2] ? [{ channel: match[1], orderId: match[2] }] : [];
    });
    return { keys, ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
  }

  async assignToBatch(key: OrderKey, batchId: string, now: Date): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          UpdateExpression: 'SET #status = :accepted, batchId = :batch, updatedAt = :now, gsi2pk = :pending',
          ConditionExpression: '#status = :ready',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':accepted': 'accepted',
            ':ready': 'ready',
            ':batch': batchId,
            ':now': now.toISOString(),
            ':pending': pendingShard(key.channel, key.orderId),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async beginEmit(
    key: OrderKey,
    event: string,
    options: { readonly now: Date; readonly leaseMs: number },
  ): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          UpdateExpression: 'SET events.#e = :sending',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(events.#e) OR (events.#e.#state = :stateSending AND events.#e.#at < :stale))',
          ExpressionAttributeNames: { '#e': event, '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: {
            ':sending': { state: 'sending', at: options.now.toISOString() },
            ':stateSending': 'sending',
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
    key: OrderKey,
    event: string,
    options: { readonly now: Date; readonly published: boolean },
  ): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
        UpdateExpression: options.published ? 'SET events.#e = :sent' : 'REMOVE events.#e',
        ExpressionAttributeNames: { '#e': event },
        ...(options.published
          ? { ExpressionAttributeValues: { ':sent': { state: 'sent', at: options.now.toISOString() } } }
          : {}),
      }),
    );
  }
}

function toOrder(item: Record<string, unknown>): OrderRecord {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g2,
    gsi2pk: _g3,
    gsi2sk: _g4,
    gsi3pk: _g5,
    gsi3sk: _g6,
    ...order
  } = item;
  return order as unknown as OrderRecord;
}
