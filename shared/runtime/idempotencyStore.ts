import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamodbClient } from './documentClient';
import type { Adapter } from './Runtime';

/** Powertools idempotency records (Idempotency-Key), in their own table. */
export const idempotencyStore: Adapter<DynamoDBPersistenceLayer> = (runtime) =>
  new DynamoDBPersistenceLayer({
    tableName: runtime.bound('IDEMPOTENCY_TABLE_NAME'),
    awsSdkV3Client: runtime.use(dynamodbClient),
  });
