import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Adapter, Runtime } from './Runtime';

/** One DynamoDB client per function: the stores, the governor and idempotency share its connections. */
export const dynamodbClient: Adapter<DynamoDBClient> = () => new DynamoDBClient({});

export const documentClient: Adapter<DynamoDBDocumentClient> = (runtime) =>
  DynamoDBDocumentClient.from(runtime.use(dynamodbClient), {
    marshallOptions: { removeUndefinedValues: true },
  });

/** The service table (TABLE_NAME), as the stores take it. */
export const serviceTable = (runtime: Runtime) => ({ tableName: runtime.bound('TABLE_NAME') });
