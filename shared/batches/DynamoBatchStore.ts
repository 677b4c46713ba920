import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../orders/mapLimit';
import type { OrderKey } from '../orders/Order';
import type { BatchFile, BatchMember, BatchPage, BatchRecord, BatchStore, SettledMember } from './Batch';

/** Member writes in flight at once for one page (50 orders). */
const CONCURRENCY = 10;

export class DynamoBatchStore implements BatchStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: () => Date;

  constructor(
    db: DynamoDBDocumentClient,
    options: { readonly tableName: string; readonly clock?: () => Date },
  ) {
    this.#db = db;
    this.#table = options.tableName;
    this.#clock = options.clock ?? (() => new Date());
  }

  async create(batch: BatchRecord): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          // Listed in the sparse index of open batches until it completes (`open`, the stuck-batch sweep).
          Item: {
            pk: `BATCH#${batch.batchId}`,
            sk: 'BATCH',
            ...batch,
            ...(batch.status === 'completed' ? {} : { gsi2pk: OPEN_BATCHES, gsi2sk: batch.createdAt }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  openPage(batchId: string, page: BatchPage): Promise<boolean> {
    return this.#conditional({
      Key: this.#batchKey(batchId),
      UpdateExpression: 'SET #page = :page',
      ConditionExpression: '#status = :starting AND attribute_not_exists(#page) AND #pages = :no',
      ExpressionAttributeNames: { '#page': 'page', '#pages': 'pages', '#status': 'status' },
      ExpressionAttributeValues: {
        ':page': {
          no: page.no,
          orders: page.orders.map((o) => ({ channel: o.channel, orderId: o.orderId })),
        },
        ':starting': 'starting',
        ':no': page.no,
      },
    });
  }

  async claimMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<OrderKey[]> {
    const claimed = await mapLimit(orders, CONCURRENCY, (key) =>
      this.#conditional({
        Key: this.#memberKey(batchId, key),
        // An update, not a put: a member settled before a crash keeps its outcome.
        UpdateExpression: 'SET channel = :channel, orderId = :orderId, #page = if_not_exists(#page, :no)',
        ConditionExpression: 'attribute_not_exists(pk) OR #page = :no',
        ExpressionAttributeNames: { '#page': 'page' },
        ExpressionAttributeValues: { ':channel': key.channel, ':orderId': key.orderId, ':no': no },
      }),
    );
    return orders.filter((_, i) => claimed[i]);
  }

  async releaseMembers(batchId: string, no: number, orders: readonly OrderKey[]): Promise<void> {
    await mapLimit(orders, CONCURRENCY, async (key) => {
      try {
        await this.#db.send(
          new DeleteCommand({
            TableName: this.#table,
            Key: this.#memberKey(batchId, key),
            ConditionExpression: '#page = :no AND attribute_not_exists(outcome)',
            ExpressionAttributeNames: { '#page': 'page' },
            ExpressionAttributeValues: { ':no': no },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  closePage(batchId: string, no: number, taken: number): Promise<boolean> {
    return this.#conditional({
      Key: this.#batchKey(batchId),
      UpdateExpression: 'SET #pages = :next, activeAt = :now ADD #total :taken REMOVE #page',
      ConditionExpression: '#status = :starting AND attribute_exists(#page) AND #pages = :no',
      ExpressionAttributeNames: {
        '#page': 'page',
        '#pages': 'pages',
        '#status': 'status',
        '#total': 'total',
      },
      ExpressionAttributeValues: {
        ':starting': 'starting',
        ':no': no,
        ':next': no + 1,
        ':taken': taken,
        ':now': this.#now(),
      },
    });
  }

  async finishStarting(batchId: string, at: string): Promise<BatchRecord | undefined> {
    const batch = await this.get(batchId);
    if (batch?.status !== 'starting' || batch.page) return undefined;
    const empty = batch.total === 0;
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#batchKey(batchId),
          UpdateExpression: empty
            ? 'SET #status = :completed, completedAt = :at, files = :none REMOVE gsi2pk, gsi2sk'
            : 'SET #status = :running, activeAt = :at',
          ConditionExpression: `#status = :starting AND attribute_not_exists(#page) AND #total ${empty ? '=' : '>'} :zero`,
          ExpressionAttributeNames: { '#status': 'status', '#page': 'page', '#total': 'total' },
          ExpressionAttributeValues: {
            ':starting': 'starting',
            ':zero': 0,
            ':at': at,
            ...(empty ? { ':completed': 'completed', ':none': [] } : { ':running': 'running' }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? recordOf(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async get(batchId: string): Promise<BatchRecord | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: this.#batchKey(batchId),
        ConsistentRead: true,
      }),
    );
    return Item ? recordOf(Item) : undefined;
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

  async settleMany(batchId: string, settled: readonly SettledMember[]): Promise<BatchRecord | undefined> {
    const counted = await mapLimit(settled, CONCURRENCY, async ({ key, outcome, reason }) => {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            ...memberOutcome(this.#memberKey(batchId, key), outcome, reason),
          }),
        );
        return outcome;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    });
    const done = counted.filter((o) => o === 'done').length;
    const failed = counted.filter((o) => o === 'failed').length;
    if (done + failed === 0) return this.get(batchId);
    const { Attributes } = await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: this.#batchKey(batchId),
        UpdateExpression: 'SET activeAt = :now ADD done :done, failed :failed',
        ExpressionAttributeValues: { ':done': done, ':failed': failed, ':now': this.#now() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? recordOf(Attributes) : undefined;
  }

  startMerging(batchId: string): Promise<boolean> {
    return this.#conditional({
      Key: this.#batchKey(batchId),
      UpdateExpression: 'SET #status = :merging, activeAt = :now',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':merging': 'merging', ':running': 'running', ':now': this.#now() },
    });
  }

  complete(batchId: string, files: readonly BatchFile[], at: string): Promise<boolean> {
    return this.#conditional({
      Key: this.#batchKey(batchId),
      UpdateExpression: 'SET #status = :completed, files = :files, completedAt = :at REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :merging',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':completed': 'completed',
        ':merging': 'merging',
        ':files': files,
        ':at': at,
      },
    });
  }

  async open(options: { readonly limit: number }): Promise<BatchRecord[]> {
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :open',
        ExpressionAttributeValues: { ':open': OPEN_BATCHES },
        Limit: options.limit,
      }),
    );
    const batches = await mapLimit(Items ?? [], CONCURRENCY, (item) =>
      this.get(String(item.pk).slice('BATCH#'.length)),
    );
    return batches.filter((b): b is BatchRecord => b !== undefined && b.status !== 'completed');
  }

  async recount(batchId: string): Promise<BatchRecord | undefined> {
    const batch = await this.get(batchId);
    if (batch?.status !== 'running') return batch;
    const members = await this.members(batchId);
    const done = members.filter((m) => m.outcome === 'done').length;
    const failed = members.filter((m) => m.outcome === 'failed').length;
    if (done === batch.done && failed === batch.failed) return batch;
    // Only over the counts just read: a settle that lands meanwhile makes this a no-op until the next sweep.
    const set = await this.#conditional({
      Key: this.#batchKey(batchId),
      UpdateExpression: 'SET done = :done, failed = :failed, activeAt = :now',
      ConditionExpression: '#status = :running AND done = :was AND failed = :wasFailed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':done': done,
        ':failed': failed,
        ':was': batch.done,
        ':wasFailed': batch.failed,
        ':now': this.#now(),
      },
    });
    return set ? this.get(batchId) : batch;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #batchKey(batchId: string) {
    return { pk: `BATCH#${batchId}`, sk: 'BATCH' };
  }

  #memberKey(batchId: string, key: OrderKey) {
    return { pk: `BATCH#${batchId}`, sk: `ORDER#${key.channel}#${key.orderId}` };
  }

  /** An update whose condition may refuse it: true when it was applied. */
  async #conditional(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.#db.send(new UpdateCommand({ TableName: this.#table, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** A member's outcome, written once: a repeat is refused (ConditionalCheckFailed) and counts nothing. */
const memberOutcome = (
  key: Record<string, string>,
  outcome: 'done' | 'failed',
  reason: string | undefined,
): Omit<UpdateCommandInput, 'TableName'> => ({
  Key: key,
  UpdateExpression: reason ? 'SET outcome = :o, reason = :r' : 'SET outcome = :o',
  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
  ExpressionAttributeValues: { ':o': outcome, ...(reason ? { ':r': reason.slice(0, 500) } : {}) },
});

/** Index partition of the batches not completed yet. */
const OPEN_BATCHES = 'BATCH_OPEN';

/** The batch as stored, without its keys. */
const recordOf = (item: Record<string, unknown>): BatchRecord => {
  const { pk: _pk, sk: _sk, gsi2pk: _g, gsi2sk: _gs, ...batch } = item;
  return batch as unknown as BatchRecord;
};
