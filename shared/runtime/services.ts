import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoBatchStore } from '../batches/DynamoBatchStore';
import { DynamoCacheStore, LookupCache } from '../checkout';
import {
  type AccountDirectory,
  fileCredentials,
  type ServiceEnv,
  secretsManagerCredentials,
} from '../config';
import { EventBridgePublisher } from '../events';
import { DynamoRateGovernor } from '../governor';
import { S3LabelStore } from '../labels';
import { MethodCatalog, type ProcessDeps, SqsOrderQueue } from '../orders';
import { type SendcloudAttempt, SendcloudClients } from '../sendcloud';
import { DynamoMethodHealth, DynamoOrderStore, DynamoRulesStore, DynamoTrackingStore } from '../store';

/**
 * Every adapter a function may need, built from the validated environment. Functions create this once at
 * module scope; the local stack and the integration tests run the very same code against emulators.
 */
export function createServices(
  env: ServiceEnv,
  options: { readonly onSendcloudAttempt?: (attempt: SendcloudAttempt) => void } = {},
) {
  const dynamodb = new DynamoDBClient({});
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const directory: AccountDirectory = env.SENDCLOUD_CREDENTIALS_SECRET_ARN
    ? secretsManagerCredentials(env.SENDCLOUD_CREDENTIALS_SECRET_ARN)
    : fileCredentials(env.SENDCLOUD_CREDENTIALS_FILE ?? '');
  // Every worker and job of an account shares one DynamoDB token bucket (RATE_GOVERNOR=local: per process).
  const governor =
    env.RATE_GOVERNOR === 'dynamodb' ? new DynamoRateGovernor(db, { tableName: env.TABLE_NAME }) : undefined;
  const sendcloudClients = new SendcloudClients(directory, {
    ...(governor
      ? {
          limiterFor: (account: string, priority: 'realtime' | 'batch' | 'checkout') =>
            governor.limiter(account, priority),
        }
      : {}),
    ...(env.SENDCLOUD_BASE_URL ? { baseUrl: env.SENDCLOUD_BASE_URL } : {}),
    ...(env.SENDCLOUD_SERVICE_POINTS_BASE_URL
      ? { servicePointsBaseUrl: env.SENDCLOUD_SERVICE_POINTS_BASE_URL }
      : {}),
    ...(options.onSendcloudAttempt ? { onAttempt: options.onSendcloudAttempt } : {}),
  });
  const store = new DynamoOrderStore(db, { tableName: env.TABLE_NAME });
  const labelStore = new S3LabelStore(new S3Client({}), { bucket: env.LABEL_BUCKET });
  const events = new EventBridgePublisher(new EventBridgeClient({}), { busName: env.EVENT_BUS_NAME });
  const tracking = new DynamoTrackingStore(db, { tableName: env.TABLE_NAME });
  const processDeps: ProcessDeps = {
    store,
    tracking,
    health: new DynamoMethodHealth(db, { tableName: env.TABLE_NAME }),
    rules: new DynamoRulesStore(db, { tableName: env.TABLE_NAME }),
    events,
    labels: labelStore,
    labelBucket: env.LABEL_BUCKET,
    catalog: new MethodCatalog(),
    sendcloud: (account, priority) => sendcloudClients.forAccount(account, priority),
    clock: () => new Date(),
    lockMs: env.ORDER_LOCK_SECONDS * 1000,
    zplAccounts: env.ZPL_ACCOUNTS,
  };
  const checkoutCache = new LookupCache(new DynamoCacheStore(db, { tableName: env.TABLE_NAME }), {
    freshMs: env.CHECKOUT_CACHE_SECONDS * 1000,
    deadlineMs: env.CHECKOUT_DEADLINE_MS,
  });
  return {
    env,
    directory,
    checkoutCache,
    sendcloudClients,
    processDeps,
    store,
    tracking,
    batches: new DynamoBatchStore(db, { tableName: env.TABLE_NAME }),
    events,
    labelStore,
    queue: new SqsOrderQueue(new SQSClient({}), { queueUrl: env.ORDERS_QUEUE_URL }),
    idempotencyStore: new DynamoDBPersistenceLayer({
      tableName: env.IDEMPOTENCY_TABLE_NAME,
      awsSdkV3Client: dynamodb,
    }),
  };
}
export type Services = ReturnType<typeof createServices>;
