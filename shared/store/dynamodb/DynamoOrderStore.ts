import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OrderKey, OrderRecipient, OrderRecord, OrderStatus } from '../../orders/Order';
import {
  type ClaimResult,
  type CreateResult,
  type OrderChanges,
  type OrderStep,
  type OrderStore,
  orderKeyId,
  type UpdateFence,
} from '../OrderStore';
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
    return Item ? toRecipient(Item) : undefined;
  }

  async getMany(keys: readonly OrderKey[]): Promise<Map<string, OrderRecord>> {
    const items = await this.#getItems(keys, ORDER, true);
    return new Map([...items].map(([id, item]) => [id, toOrder(item)]));
  }

  async getRecipients(keys: readonly OrderKey[]): Promise<Map<string, OrderRecipient>> {
    const items = await this.#getItems(keys, RECIPIENT, false);
    return new Map([...items].map(([id, item]) => [id, toRecipient(item)]));
  }

  /** BatchGetItem, 100 keys a call, until DynamoDB has answered every key it left unprocessed. */
  async #getItems(
    keys: readonly OrderKey[],
    sk: string,
    consistent: boolean,
  ): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const unique = [...new Map(keys.map((k) => [orderKeyId(k), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((k) => ({ pk: orderPk(k.channel, k.orderId), sk }));
      for (let round = 0; pending && pending.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** round)));
        const answer: BatchGetCommandOutput = await this.#db.send(
          new BatchGetCommand({
            RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: consistent } },
          }),
        );
        for (const item of answer.Responses?.[this.#table] ?? []) {
          const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
          if (match?.[1] && match[2]) found.set(orderKeyId({ channel: match[1], orderId: match[2] }), item);
        }
        pending = answer.UnprocessedKeys?.[this.#table]?.Keys;
      }
    }
    return found;
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

  async claim(
    key: OrderKey,
    options: { readonly now: Date; readonly lockMs: number; readonly fresh?: OrderChanges },
  ): Promise<ClaimResult> {
    const now = options.now.toISOString();
    const extra = setsOf(options.fresh ?? {}, 'c');
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
          UpdateExpression: `SET #status = :creating, attempt = attempt + :one, lockUntil = :lock, updatedAt = :now${extra.sets.map((set) => `, ${set}`).join('')}`,
          ConditionExpression: options.fresh
            ? 'attribute_exists(pk) AND #status = :accepted'
            : 'attribute_exists(pk) AND (#status = :accepted OR (#status = :creating AND lockUntil < :now))',
          ExpressionAttributeNames: { '#status': 'status', ...extra.names },
          ExpressionAttributeValues: {
            ':creating': 'creating',
            ':accepted': 'accepted',
            ':one': 1,
            ':now': now,
            ':lock': new Date(options.now.getTime() + options.lockMs).toISOString(),
            ...extra.values,
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

  update(key: OrderKey, changes: OrderChanges, fence?: UpdateFence): Promise<boolean> {
    return this.record(key, { changes, ...(fence ? { fence } : {}) });
  }

  async record(key: OrderKey, step: OrderStep): Promise<boolean> {
    const { changes, fence } = step;
    const { sets, names, values } = setsOf(changes, 'f');
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
    if (step.awaitScanSince) {
      // Until a carrier scans it, the order sits in the sparse "awaiting scan" index.
      sets.push('gsi3pk = :awaitPk', 'gsi3sk = :awaitSk');
      values[':awaitPk'] = pendingShard(key.channel, key.orderId, 'AWAITING_SCAN');
      values[':awaitSk'] = step.awaitScanSince;
    }
    const begin = step.beginEmit;
    if (begin && begin.events.length > 0) {
      if ('events' in changes) throw new RangeError('an order step cannot both replace and begin its events');
      // As `beginEmit`, for each event: nobody holds it, or a publisher that started before the lease crashed.
      names['#state'] = 'state';
      names['#at'] = 'at';
      values[':sending'] = { state: 'sending', at: begin.now.toISOString() };
      values[':stateSending'] = 'sending';
      values[':stale'] = new Date(begin.now.getTime() - begin.leaseMs).toISOString();
      begin.events.forEach((event, i) => {
        names[`#e${i}`] = event;
        sets.push(`events.#e${i} = :sending`);
        condition += ` AND (attribute_not_exists(events.#e${i}) OR (events.#e${i}.#state = :stateSending AND events.#e${i}.#at < :stale))`;
      });
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

  async endEmits(
    key: OrderKey,
    outcome: { readonly now: Date; readonly sent: readonly string[]; readonly unsent: readonly string[] },
  ): Promise<void> {
    if (outcome.sent.length + outcome.unsent.length === 0) return;
    const names: Record<string, string> = {};
    const sets = outcome.sent.map((event, i) => {
      names[`#s${i}`] = event;
      return `events.#s${i} = :sent`;
    });
    const removes = outcome.unsent.map((event, i) => {
      names[`#u${i}`] = event;
      return `events.#u${i}`;
    });
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: orderPk(key.channel, key.orderId), sk: ORDER },
        UpdateExpression: [
          ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
          ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
        ].join(' '),
        ExpressionAttributeNames: names,
        ...(sets.length > 0
          ? { ExpressionAttributeValues: { ':sent': { state: 'sent', at: outcome.now.toISOString() } } }
          : {}),
      }),
    );
  }
}

/** `SET` clauses for changes, their names `#<prefix><i>` and values `:<prefix><i>` (undefined left out). */
function setsOf(changes: OrderChanges, prefix: string) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([name, value], i) => {
      names[`#${prefix}${i}`] = name;
      values[`:${prefix}${i}`] = value;
      return `#${prefix}${i} = :${prefix}${i}`;
    });
  return { sets, names, values };
}

function toRecipient(item: Record<string, unknown>): OrderRecipient {
  return {
    recipient: item.recipient,
    items: item.items ?? [],
    ...(item.customs ? { customs: item.customs } : {}),
  } as OrderRecipient;
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
