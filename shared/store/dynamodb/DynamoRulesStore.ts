import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RuleSet } from '../../routing';
import type { RulesStore } from '../OrderStore';

/** Per-account routing rules, versioned: a put only lands with a higher version than the current one. */
export class DynamoRulesStore implements RulesStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, options: { readonly tableName: string }) {
    this.#db = db;
    this.#table = options.tableName;
  }

  async current(account: string): Promise<RuleSet | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: { pk: `RULES#${account}`, sk: 'CURRENT' } }),
    );
    return Item ? RuleSet.parse(Item.rules) : undefined;
  }

  async put(account: string, rules: RuleSet): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: `RULES#${account}`,
            sk: 'CURRENT',
            version: rules.version,
            rules,
            updatedAt: new Date().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :version',
          ExpressionAttributeValues: { ':version': rules.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
