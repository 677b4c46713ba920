import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { OrderKey } from '../orders/Order';
import type { BatchFile, BatchMember, BatchRecord, BatchStore } from './Batch';

export class DynamoBatchStore implements BatchStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async create(batch: BatchRecord, members: readonly OrderKey[]): Promise<void> {
    for (let i = 0; i < members.length; i += 25) {
      const chunk = members.slice(i, i + 25);
      let items: Record<string, unknown> | undefined = {
        [this.#table]: chunk.map((m) => ({
          PutRequest: {
            Item: {
              pk: `BATCH#${batch.batchId}`,
              sk: `ORDER#${m.channel}#${m.orderId}`,
              channel: m.channel,
              orderId: m.orderId,
            },
          },
        })),
      };
      while (items && Object.keys(items).length > 0) {
        const result: { UnprocessedItems?: Record<string, unknown> | undefined } = await this.#db.send(
          new BatchWriteCommand({ RequestItems: items as never }),
        );
        items = result.UnprocessedItems;
      }
    }
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: `BATCH#${batch.batchId}`, sk: 'BATCH', ...batch },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(batchId: string): Promise<BatchRecord | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: `BATCH#${batchId}`, sk: 'BATCH' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...batch } = Item;
    return batch as BatchRecord;
  }

  async members(batchId: string): Promise<BatchMember[]> {
    const members: BatchMember[] = [];
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :order)',
        ExpressionAttributeValues: { ':pk': `BATCH#${batchId}`, ':order': 'ORDER#' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        members.push({
          channel: String(item.channel),
          orderId: String(item.orderId),
          ...(item.outcome ? { outcome: item.outcome as 'done' | 'failed' } : {}),
          ...(item.reason ? { reason: String(item.reason) } : {}),
        });
      }
    }
    return members;
  }

  async settle(
    batchId: string,
    key: OrderKey,
    outcome: { readonly outcome: 'done' | 'failed'; readonly reason?: string },
  ): Promise<BatchRecord | undefined> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `BATCH#${batchId}`, sk: `ORDER#${key.channel}#${key.orderId}` },
          UpdateExpression: outcome.reason ? 'SET outcome = :o, reason = :r' : 'SET outcome = :o',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
          ExpressionAttributeValues: {
            ':o': outcome.outcome,
            ...(outcome.reason ? { ':r': outcome.reason.slice(0, 500) } : {}),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.get(batchId);
      throw error;
    }
    const { Attributes } = await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `BATCH#${batchId}`, sk: 'BATCH' },
        UpdateExpression: 'ADD #counter :one',
        ExpressionAttributeNames: { '#counter': outcome.outcome },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) return undefined;
    const { pk: _pk, sk: _sk, ...batch } = Attributes;
    return batch as BatchRecord;
  }

  async startMerging(batchId: string): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `BATCH#${batchId}`, sk: 'BATCH' },
          UpdateExpression: 'SET #status = :merging',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':merging': 'merging', ':running': 'running' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async complete(batchId: string, files: readonly BatchFile[], at: string): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `BATCH#${batchId}`, sk: 'BATCH' },
        UpdateExpression: 'SET #status = :completed, files = :files, completedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'completed', ':files': files, ':at': at },
      }),
    );
  }
}
