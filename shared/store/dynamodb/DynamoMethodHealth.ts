import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MethodHealth } from '../OrderStore';

const KEEP = 10;

/** Announcement failures per shipping method, so routing can steer around a carrier that is failing. */
export class DynamoMethodHealth implements MethodHealth {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async failures(account: string, methodIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    const unique = [...new Set(methodIds)];
    for (let i = 0; i < unique.length; i += 100) {
      const keys = unique.slice(i, i + 100).map((id) => ({ pk: `METHOD#${account}#${id}`, sk: 'HEALTH' }));
      const { Responses } = await this.#db.send(
        new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys } } }),
      );
      for (const item of Responses?.[this.#table] ?? []) {
        // items written before v3 hold the v2 id as a number: the key `METHOD#<account>#8` is the same
        if (
          (typeof item.methodId === 'number' || typeof item.methodId === 'string') &&
          Array.isArray(item.failures)
        )
          result.set(String(item.methodId), item.failures as string[]);
      }
    }
    return result;
  }

  async recordFailure(account: string, methodId: string, at: Date): Promise<void> {
    const current = (await this.failures(account, [methodId])).get(methodId) ?? [];
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `METHOD#${account}#${methodId}`, sk: 'HEALTH' },
        UpdateExpression: 'SET methodId = :id, failures = :failures',
        ExpressionAttributeValues: {
          ':id': methodId,
          ':failures': [...current, at.toISOString()].slice(-KEEP),
        },
      }),
    );
  }

  async recordSuccess(account: string, methodId: string): Promise<void> {
    await this.#db.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `METHOD#${account}#${methodId}`, sk: 'HEALTH' },
        UpdateExpression: 'SET methodId = :id, failures = :none',
        ExpressionAttributeValues: { ':id': methodId, ':none': [] },
      }),
    );
  }
}
