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
import { DynamoRateGovernor, windowsFor } from '../governor';
import { S3LabelStore } from '../labels';
import { type ProcessDeps, SqsOrderQueue } from '../orders';
import { type SendcloudAttempt, SendcloudClients, UnknownAccountError } from '../sendcloud';
import { DynamoMethodHealth, DynamoOrderStore, DynamoRulesStore, DynamoTrackingStore } from '../store';

/** A function used an adapter whose resource its declaration does not bind (infra/functions.ts). */
export class UnboundResourceError extends Error {
  override readonly name = 'UnboundResourceError' as const;
  readonly code = 'UNBOUND_RESOURCE' as const;
  readonly retryable = false;

  constructor(variable: string) {
    super(
      `${variable} is not set: this function's declaration in infra/functions.ts does not bind the resource it names`,
    );
  }
}

/** The value of a bound resource's variable, or the error that says which binding is missing. */
function bound(env: ServiceEnv, variable: keyof ServiceEnv & string): string {
  const value = env[variable];
  if (typeof value !== 'string' || value === '') throw new UnboundResourceError(variable);
  return value;
}

/** Builds a value on first use, once: a function only constructs the adapters its code path touches. */
function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: build() };
    return value.v;
  };
}

/**
 * Every adapter a function may need, built from the validated environment on first use. Functions create
 * this once at module scope; the local stack and the integration tests run the very same code against
 * emulators. An adapter whose resource the function's declaration does not bind throws UnboundResourceError
 * when it is first used, so a missing binding shows in the first test that takes that path.
 */
export function createServices(
  env: ServiceEnv,
  options: { readonly onSendcloudAttempt?: (attempt: SendcloudAttempt) => void } = {},
) {
  const dynamodb = lazy(() => new DynamoDBClient({}));
  const db = lazy(() =>
    DynamoDBDocumentClient.from(dynamodb(), { marshallOptions: { removeUndefinedValues: true } }),
  );
  const table = () => ({ tableName: bound(env, 'TABLE_NAME') });
  const directory = lazy<AccountDirectory>(() =>
    env.SENDCLOUD_CREDENTIALS_FILE
      ? fileCredentials(env.SENDCLOUD_CREDENTIALS_FILE)
      : secretsManagerCredentials(
          bound(env, 'SENDCLOUD_CREDENTIALS_SECRET_ARN'),
          env.CREDENTIALS_MAX_AGE_SECONDS,
        ),
  );
  const sendcloudClients = lazy(() => {
    // Every worker and job of an account shares one DynamoDB token bucket (RATE_GOVERNOR=local: per process).
    const governor =
      env.RATE_GOVERNOR === 'dynamodb'
        ? new DynamoRateGovernor(db(), { ...table(), limits: env.SENDCLOUD_RATE_LIMITS })
        : undefined;
    return new SendcloudClients(directory(), {
      ...(governor
        ? {
            limiterFor: (account: string, priority: 'realtime' | 'batch' | 'checkout') =>
              governor.limiter(account, priority),
          }
        : { rateLimitsFor: (account: string) => windowsFor(env.SENDCLOUD_RATE_LIMITS.of(account)) }),
      ...(env.SENDCLOUD_BASE_URL ? { baseUrl: env.SENDCLOUD_BASE_URL } : {}),
      ...(env.SENDCLOUD_V3_BASE_URL ? { v3BaseUrl: env.SENDCLOUD_V3_BASE_URL } : {}),
      ...(env.SENDCLOUD_SERVICE_POINTS_BASE_URL
        ? { servicePointsBaseUrl: env.SENDCLOUD_SERVICE_POINTS_BASE_URL }
        : {}),
      ...(options.onSendcloudAttempt ? { onAttempt: options.onSendcloudAttempt } : {}),
    });
  });
  const store = lazy(() => new DynamoOrderStore(db(), table()));
  const labelStore = lazy(() => new S3LabelStore(new S3Client({}), { bucket: bound(env, 'LABEL_BUCKET') }));
  const events = lazy(
    () => new EventBridgePublisher(new EventBridgeClient({}), { busName: bound(env, 'EVENT_BUS_NAME') }),
  );
  const tracking = lazy(() => new DynamoTrackingStore(db(), table()));
  const rules = lazy(() => new DynamoRulesStore(db(), table()));
  // Each dependency is read when a step uses it, so a function that never publishes needs no bus.
  const processDeps: ProcessDeps = {
    get store() {
      return store();
    },
    get tracking() {
      return tracking();
    },
    get health() {
      return health();
    },
    get rules() {
      return rules();
    },
    get events() {
      return events();
    },
    get labels() {
      return labelStore();
    },
    get labelBucket() {
      return bound(env, 'LABEL_BUCKET');
    },
    sendcloud: (account, priority) => sendcloudClients().port(account, priority),
    clock: () => new Date(),
    lockMs: env.ORDER_LOCK_SECONDS * 1000,
    zplAccounts: env.ZPL_ACCOUNTS,
    labelBulkSize: env.LABEL_BULK_SIZE,
  };
  const health = lazy(() => new DynamoMethodHealth(db(), table()));
  const checkoutCache = lazy(
    () =>
      new LookupCache(new DynamoCacheStore(db(), table()), {
        freshMs: env.CHECKOUT_CACHE_SECONDS * 1000,
        deadlineMs: env.CHECKOUT_DEADLINE_MS,
      }),
  );
  const batches = lazy(() => new DynamoBatchStore(db(), table()));
  const queue = lazy(
    () => new SqsOrderQueue(new SQSClient({}), { queueUrl: bound(env, 'ORDERS_QUEUE_URL') }),
  );
  const idempotencyStore = lazy(
    () =>
      new DynamoDBPersistenceLayer({
        tableName: bound(env, 'IDEMPOTENCY_TABLE_NAME'),
        awsSdkV3Client: dynamodb(),
      }),
  );
  return {
    env,
    processDeps,
    get directory() {
      return directory();
    },
    get checkoutCache() {
      return checkoutCache();
    },
    get sendcloudClients() {
      return sendcloudClients();
    },
    get store() {
      return store();
    },
    get tracking() {
      return tracking();
    },
    get batches() {
      return batches();
    },
    get events() {
      return events();
    },
    get labelStore() {
      return labelStore();
    },
    get queue() {
      return queue();
    },
    get idempotencyStore() {
      return idempotencyStore();
    },
    /** Refuses an account id this stage does not configure (ACCOUNTS), without reading its keys. */
    requireAccount(account: string): void {
      if (!env.ACCOUNTS.has(account)) throw new UnknownAccountError(account);
    },
  };
}
export type Services = ReturnType<typeof createServices>;
