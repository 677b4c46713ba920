import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialsDocument } from '../shared/config';
import { bridgeTable, idempotencyTable } from '../shared/store';
import type { Route, Wiring } from './stack';

export interface ServiceWiringOptions {
  readonly stateDir: string;
  /** SendCloud as the service should reach it: the simulator locally, or the real API with real keys. */
  readonly sendcloud: {
    readonly baseUrl?: string;
    readonly servicePointsBaseUrl?: string;
    readonly accounts: CredentialsDocument;
  };
  /** Accounts whose print profile wants ZPL next to the A6 PDF. */
  readonly zplAccounts?: readonly string[];
  readonly logLevel?: string;
  /** Orders queue: seconds before an unfinished message comes back, and receives before the DLQ. */
  readonly ordersQueue?: {
    readonly visibilityTimeoutSeconds?: number;
    readonly maxReceiveCount?: number;
    readonly retryBaseSeconds?: number;
  };
  /** Accounts polled for statuses (no webhooks), and how often. */
  readonly polling?: { readonly accounts: readonly string[]; readonly everyMs?: number };
  /** How often the stuck-order sweeper runs, and after how long an order counts as stuck. */
  readonly requeue?: { readonly everyMs?: number; readonly afterSeconds?: number };
  /** Checkout routes: allowed shop origins (default `*` locally), Dynamic Checkout configurations, cache. */
  readonly checkout?: {
    readonly origins?: readonly string[];
    readonly configurations?: Readonly<Record<string, string>>;
    readonly cacheSeconds?: number;
    readonly deadlineMs?: number;
  };
}

export const LOCAL_NAMES = {
  table: 'sendcloud-bridge',
  idempotencyTable: 'sendcloud-bridge-idempotency',
  ordersQueue: 'sendcloud-bridge-orders',
  labelBucket: 'sendcloud-bridge-labels',
  bus: 'sendcloud-bridge',
} as const;

/**
 * sendcloud-bridge's resources and handlers as the CDK stack deploys them, for the local stack. Handlers are
 * imported after the environment is set, exactly as Lambda would load them.
 */
export function serviceWiring(options: ServiceWiringOptions): Wiring {
  mkdirSync(options.stateDir, { recursive: true });
  const credentialsFile = join(options.stateDir, 'sendcloud-credentials.json');
  // Keys go to a file the handlers read, never into environment variables.
  writeFileSync(credentialsFile, JSON.stringify(options.sendcloud.accounts, null, 2), { mode: 0o600 });
  const http = (routeKey: string, name: string, load: () => Promise<{ handler: unknown }>): Promise<Route> =>
    load().then((module) => ({ routeKey, name, handler: module.handler as Route['handler'] }));
  return {
    tables: [bridgeTable(LOCAL_NAMES.table), idempotencyTable(LOCAL_NAMES.idempotencyTable)],
    buckets: [LOCAL_NAMES.labelBucket],
    queues: [
      {
        name: LOCAL_NAMES.ordersQueue,
        maxReceiveCount: options.ordersQueue?.maxReceiveCount ?? 5,
        // Longer than the worker's timeout, as in AWS: a long merge is not handed to a second worker.
        visibilityTimeoutSeconds: options.ordersQueue?.visibilityTimeoutSeconds ?? 360,
        // As deployed: one message per invocation (a batch message is already 50 orders), several at once.
        batchSize: 1,
        concurrency: 4,
        timeoutSeconds: 300,
        handler: async () => (await import('../functions/order-worker')).handler as never,
      },
    ],
    environment: (queueUrls) => ({
      TABLE_NAME: LOCAL_NAMES.table,
      IDEMPOTENCY_TABLE_NAME: LOCAL_NAMES.idempotencyTable,
      ORDERS_QUEUE_URL: queueUrls.get(LOCAL_NAMES.ordersQueue) ?? '',
      LABEL_BUCKET: LOCAL_NAMES.labelBucket,
      EVENT_BUS_NAME: LOCAL_NAMES.bus,
      SENDCLOUD_CREDENTIALS_FILE: credentialsFile,
      ...(options.sendcloud.baseUrl ? { SENDCLOUD_BASE_URL: options.sendcloud.baseUrl } : {}),
      ...(options.sendcloud.servicePointsBaseUrl
        ? { SENDCLOUD_SERVICE_POINTS_BASE_URL: options.sendcloud.servicePointsBaseUrl }
        : {}),
      ZPL_ACCOUNTS: (options.zplAccounts ?? []).join(','),
      RETRY_BASE_SECONDS: String(options.ordersQueue?.retryBaseSeconds ?? 5),
      REQUEUE_AFTER_SECONDS: String(options.requeue?.afterSeconds ?? 60),
      POLL_ACCOUNTS: (options.polling?.accounts ?? []).join(','),
      STUCK_AFTER_HOURS: '48',
      CHECKOUT_ORIGINS: (options.checkout?.origins ?? ['*']).join(','),
      CHECKOUT_CONFIGURATIONS: Object.entries(options.checkout?.configurations ?? {})
        .map(([account, id]) => `${account}=${id}`)
        .join(','),
      ...(options.checkout?.cacheSeconds
        ? { CHECKOUT_CACHE_SECONDS: String(options.checkout.cacheSeconds) }
        : {}),
      ...(options.checkout?.deadlineMs ? { CHECKOUT_DEADLINE_MS: String(options.checkout.deadlineMs) } : {}),
      POWERTOOLS_SERVICE_NAME: 'sendcloud-bridge',
      POWERTOOLS_METRICS_NAMESPACE: 'SendcloudBridge',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    }),
    routes: async () =>
      Promise.all([
        http('POST /orders', 'create-order', () => import('../functions/create-order')),
        http('POST /orders/batch', 'create-order-batch', () => import('../functions/create-order-batch')),
        http('GET /orders/{orderId}', 'get-order', () => import('../functions/get-order')),
        http('GET /orders/{orderId}/label', 'get-order-label', () => import('../functions/get-order-label')),
        http('POST /routing/explain', 'explain-routing', () => import('../functions/explain-routing')),
        http('POST /webhooks/sendcloud', 'sendcloud-webhook', () => import('../functions/sendcloud-webhook')),
        http(
          'POST /webhooks/sendcloud/{account}',
          'sendcloud-webhook',
          () => import('../functions/sendcloud-webhook'),
        ),
        http('POST /batches', 'create-batch', () => import('../functions/create-batch')),
        http('GET /service-points', 'service-points', () => import('../functions/service-points')),
        http('GET /service-points/{id}', 'service-points', () => import('../functions/service-points')),
        http('GET /delivery-options', 'delivery-options', () => import('../functions/delivery-options')),
        http(
          'GET /checkout/component.js',
          'checkout-component',
          () => import('../functions/checkout-component'),
        ),
        http('POST /returns', 'create-return', () => import('../functions/create-return')),
        http('GET /returns', 'get-returns', () => import('../functions/get-returns')),
        http('GET /returns/{returnId}', 'get-returns', () => import('../functions/get-returns')),
        http('GET /returns/{returnId}/label', 'get-returns', () => import('../functions/get-returns')),
        http('GET /batches/{batchId}', 'get-batch', () => import('../functions/get-batch')),
        http('GET /batches/{batchId}/files/{index}', 'get-batch', () => import('../functions/get-batch')),
        http('GET /reports/{date}', 'get-report', () => import('../functions/get-report')),
        http('GET /parcels/status', 'get-parcel-status', () => import('../functions/get-parcel-status')),
        http('GET /routing/rules/{account}', 'routing-rules', () => import('../functions/routing-rules')),
        http('PUT /routing/rules/{account}', 'routing-rules', () => import('../functions/routing-rules')),
      ]),
    jobs: async () => [
      {
        name: 'requeue-stuck-orders',
        everyMs: options.requeue?.everyMs ?? 30_000,
        // SQS is in memory locally: after a restart, pending orders are queued again at once.
        runAtStart: true,
        handler: (await import('../functions/requeue-stuck-orders')).handler as never,
      },
      {
        name: 'poll-parcel-statuses',
        everyMs: options.polling?.everyMs ?? 60_000,
        handler: (await import('../functions/poll-parcel-statuses')).handler as never,
      },
      { name: 'end-of-day', everyMs: 0, handler: (await import('../functions/end-of-day')).handler as never },
      {
        name: 'daily-report',
        everyMs: 0,
        handler: (await import('../functions/daily-report')).handler as never,
      },
      {
        name: 'check-stuck-parcels',
        everyMs: 10 * 60_000,
        handler: (await import('../functions/check-stuck-parcels')).handler as never,
      },
    ],
  };
}
