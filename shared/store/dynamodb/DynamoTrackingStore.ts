import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OrderKey, TrackingState } from '../../orders/Order';
import { hasCarrierScan } from '../../tracking/normalizedStatus';
import type { HistoryEntry, ParcelPointer, TrackingStore } from '../TrackingStore';
import { orderPk, PENDING_SHARDS, pendingShard } from './tables';

export class DynamoTrackingStore implements TrackingStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async linkParcel(
    parcelId: number,
    pointer: ParcelPointer,
    announcedAt: string,
    options: { readonly awaitScan?: boolean } = {},
  ): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: `PARCEL#${parcelId}`, sk: 'PARCEL', ...pointer },
      }),
    );
    if (options.awaitScan === false) return;
    // Until a carrier scans it, the order sits in the sparse "awaiting scan" index.
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(pointer.channel, pointer.orderId), sk: 'ORDER' },
          UpdateExpression: 'SET gsi3pk = :pk, gsi3sk = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(tracking)',
          ExpressionAttributeValues: {
            ':pk': pendingShard(pointer.channel, pointer.orderId, 'AWAITING_SCAN'),
            ':at': announcedAt,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async linkParcels(
    links: ReadonlyArray<{ readonly parcelId: number; readonly pointer: ParcelPointer }>,
  ): Promise<void> {
    const unique = [...new Map(links.map((link) => [link.parcelId, link])).values()];
    for (let i = 0; i < unique.length; i += 25) {
      let pending: BatchWriteCommandOutput['UnprocessedItems'] = {
        [this.#table]: unique.slice(i, i + 25).map(({ parcelId, pointer }) => ({
          PutRequest: {
            Item: {
              pk: `PARCEL#${parcelId}`,
              sk: 'PARCEL',
              account: pointer.account,
              channel: pointer.channel,
              orderId: pointer.orderId,
            },
          },
        })),
      };
      for (let round = 0; (pending?.[this.#table]?.length ?? 0) > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** round)));
        const answer: BatchWriteCommandOutput = await this.#db.send(
          new BatchWriteCommand({ RequestItems: pending }),
        );
        pending = answer.UnprocessedItems;
      }
    }
  }

  async pointer(parcelId: number): Promise<ParcelPointer | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `PARCEL#${parcelId}`, sk: 'PARCEL' } }),
    );
    return Item
      ? { account: String(Item.account), channel: String(Item.channel), orderId: String(Item.orderId) }
      : undefined;
  }

  async pointers(parcelIds: readonly number[]): Promise<Map<number, ParcelPointer>> {
    const found = new Map<number, ParcelPointer>();
    const unique = [...new Set(parcelIds)];
    for (let i = 0; i < unique.length; i += 100) {
      const keys = unique.slice(i, i + 100).map((id) => ({ pk: `PARCEL#${id}`, sk: 'PARCEL' }));
      const { Responses } = await this.#db.send(
        new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys } } }),
      );
      for (const item of Responses?.[this.#table] ?? []) {
        found.set(Number(String(item.pk).slice('PARCEL#'.length)), {
          account: String(item.account),
          channel: String(item.channel),
          orderId: String(item.orderId),
        });
      }
    }
    return found;
  }

  async addHistory(parcelId: number, entry: HistoryEntry): Promise<boolean> {
    const observed = Math.floor(Date.parse(entry.observedAt) / 1000);
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `PARCEL#${parcelId}`, sk: `STATUS#${entry.statusId}#${observed}`, ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async history(parcelId: number): Promise<HistoryEntry[]> {
    const { Items = [] } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :status)',
        ExpressionAttributeValues: { ':pk': `PARCEL#${parcelId}`, ':status': 'STATUS#' },
      }),
    );
    return Items.map(({ pk: _pk, sk: _sk, ...entry }) => entry as HistoryEntry).sort((a, b) => a.ts - b.ts);
  }

  async applyCurrent(
    key: OrderKey,
    state: TrackingState,
    colloParcelId?: number,
  ): Promise<{ applied: boolean }> {
    try {
      if (colloParcelId !== undefined) {
        // `colliTracking` is written as {} with the shipment, so the nested path exists.
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: orderPk(key.channel, key.orderId), sk: 'ORDER' },
            UpdateExpression: 'SET colliTracking.#parcel = :state, updatedAt = :now',
            ConditionExpression:
              'attribute_exists(colliTracking) AND (attribute_not_exists(colliTracking.#parcel) OR colliTracking.#parcel.ts < :ts)',
            ExpressionAttributeNames: { '#parcel': String(colloParcelId) },
            ExpressionAttributeValues: { ':state': state, ':ts': state.ts, ':now': state.receivedAt },
          }),
        );
        return { applied: true };
      }
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: orderPk(key.channel, key.orderId), sk: 'ORDER' },
          UpdateExpression: `SET tracking = :state, updatedAt = :now${hasCarrierScan(state.status) ? ' REMOVE gsi3pk, gsi3sk' : ''}`,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(tracking) OR tracking.ts < :ts)',
          ExpressionAttributeValues: { ':state': state, ':ts': state.ts, ':now': state.receivedAt },
        }),
      );
      return { applied: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false };
      throw error;
    }
  }

  async seenDelivery(hash: string): Promise<boolean> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `DELIVERY#${hash}`, sk: 'DELIVERY' } }),
    );
    return Item !== undefined;
  }

  async rememberDelivery(
    hash: string,
    options: { readonly now: Date; readonly ttlDays: number },
  ): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `DELIVERY#${hash}`,
          sk: 'DELIVERY',
          at: options.now.toISOString(),
          expiresAt: Math.floor(options.now.getTime() / 1000) + options.ttlDays * 86_400,
        },
      }),
    );
  }

  async watermark(account: string): Promise<string | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `POLL#${account}`, sk: 'WATERMARK' },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.at === 'string' ? Item.at : undefined;
  }

  async setWatermark(account: string, at: string): Promise<void> {
    await this.#db.send(
      new PutCommand({ TableName: this.#table, Item: { pk: `POLL#${account}`, sk: 'WATERMARK', at } }),
    );
  }

  /** Every parcel announced before `before` and not scanned yet, page by page over every shard. */
  async *awaitingScan(options: { readonly before: Date }): AsyncGenerator<OrderKey[]> {
    for (let shard = 0; shard < PENDING_SHARDS; shard++) {
      const pages = paginateQuery(
        { client: this.#db, pageSize: 500 },
        {
          TableName: this.#table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
          ExpressionAttributeValues: {
            ':pk': `AWAITING_SCAN#${shard}`,
            ':before': options.before.toISOString(),
          },
        },
      );
      for await (const page of pages) {
        const keys: OrderKey[] = [];
        for (const item of page.Items ?? []) {
          const match = /^ORDER#([^#]+)#(.+)$/.exec(String(item.pk));
          if (match?.[1] && match[2]) keys.push({ channel: match[1], orderId: match[2] });
        }
        if (keys.length > 0) yield keys;
      }
    }
  }
}
