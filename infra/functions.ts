/**
 * Every Lambda of the service, declared once: its handler file, what triggers it, what it may touch (which
 * becomes both its IAM grants and its environment), the settings it reads, its memory and timeout. The CDK
 * stack (infra/stacks/BridgeStack.ts) and the local stack (local/wiring.ts) are both built from this table,
 * so what runs locally is what deploys. Plain data: no CDK imports, so the local stack can read it cheaply.
 */

import type { StageConfig } from './config';

/** Key prefixes of the label bucket: order and return labels, merged end-of-day files, daily reports. */
export type LabelPrefix = 'labels' | 'batches' | 'reports';

/** Partition-key prefixes a function may write without write access to the whole table. */
export type TableKeyPrefix = 'GOVERNOR' | 'CACHE';

/** Stage settings a function reads; each becomes one or more environment variables. */
export type Setting =
  | 'accounts'
  | 'checkout'
  | 'zplAccounts'
  /** Each account's sender country: customs at intake. */
  | 'shipsFrom'
  | 'pollAccounts'
  | 'stuckAfterHours'
  | 'requeueAfterSeconds'
  | 'retryBaseSeconds'
  | 'mergePartSize'
  /** Parcels per merged label call of a batch. */
  | 'labelBulkSize'
  | 'reportInlineMaxBytes'
  /** Each account's SendCloud budget; every function that calls SendCloud reads it. */
  | 'rateLimits';

export type Route = `${'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'} /${string}`;

/** A CloudWatch/EventBridge schedule expression. */
export type ScheduleExpression = `rate(${string})` | `cron(${string})`;

/** A schedule the stage sets: every `catalogRefreshMinutes` (stage configuration). */
export interface StageSchedule {
  readonly everyStageMinutes: 'catalogRefreshMinutes';
}

export interface FunctionUses {
  /** The service table: read (items and indexes) or read and write. */
  readonly table?: 'read' | 'readWrite';
  /** Narrow writes by partition-key prefix, for functions that otherwise only read. */
  readonly tableWrites?: readonly TableKeyPrefix[];
  /** Powertools idempotency records (Idempotency-Key). */
  readonly idempotency?: true;
  /** Label bucket objects by prefix; `list` lets a missing key answer 404 instead of 403. */
  readonly labels?: {
    readonly read?: readonly LabelPrefix[];
    readonly write?: readonly LabelPrefix[];
    readonly list?: true;
    /** Streams what it writes as multipart uploads: may abort one that failed (under the write prefixes). */
    readonly multipart?: true;
  };
  /** Sends to the orders queue: real-time work (orders, API batches, retries, catalogue refreshes). */
  readonly ordersQueue?: 'send';
  /** Sends to the batch queue: end-of-day work (batch groups, merges, batch assembly). */
  readonly batchQueue?: 'send';
  /** Publishes to the event bus. */
  readonly events?: true;
  /**
   * Calls SendCloud: reads the credentials secret and takes rate-governor tokens (GOVERNOR items).
   * `webhookSecrets` only reads the secret (to verify signatures), never calls SendCloud.
   */
  readonly sendcloud?: 'api' | 'webhookSecrets';
}

export type Trigger =
  | {
      readonly kind: 'http';
      readonly routes: readonly Route[];
      readonly auth: 'iam' | 'public' | 'signature';
    }
  | {
      /** The orders queue (real time) or the batch queue (end of day), each with its own concurrency. */
      readonly kind: 'ordersQueue' | 'batchQueue';
      readonly batchSize: number;
      readonly maxConcurrency: number;
    }
  | {
      readonly kind: 'schedule';
      /** A fixed schedule expression, or the stage setting that gives the interval. */
      readonly expression: ScheduleExpression | StageSchedule;
      readonly description: string;
      /** How often the local stack runs it (0: only on `POST /_local/jobs/<name>`), and whether at start. */
      readonly local: { readonly everyMs: number; readonly runAtStart?: boolean };
    }
  /** One EventBridge Scheduler schedule per configured end-of-day run. */
  | { readonly kind: 'endOfDay' };

export interface FunctionDeclaration {
  readonly description: string;
  readonly triggers: readonly Trigger[];
  readonly uses: FunctionUses;
  readonly settings?: readonly Setting[];
  /** Default 256. */
  readonly memoryMb?: number;
  /** Default 10. */
  readonly timeoutSeconds?: number;
}

const iam = (...routes: Route[]): Trigger => ({ kind: 'http', routes, auth: 'iam' });
const publicRoutes = (...routes: Route[]): Trigger => ({ kind: 'http', routes, auth: 'public' });

/** The worker's timeout: the orders queue's visibility timeout is six times this (AWS guidance). */
export const WORKER_TIMEOUT_SECONDS = 300;

export const FUNCTIONS = {
  'create-order': {
    description: 'POST /orders',
    triggers: [iam('POST /orders')],
    // A service-point order is checked against SendCloud (through the checkout cache).
    uses: { table: 'readWrite', idempotency: true, ordersQueue: 'send', events: true, sendcloud: 'api' },
    settings: ['checkout', 'shipsFrom'],
  },
  'create-order-batch': {
    description: 'POST /orders/batch',
    triggers: [iam('POST /orders/batch')],
    uses: { table: 'readWrite', idempotency: true, ordersQueue: 'send', events: true, sendcloud: 'api' },
    settings: ['checkout', 'shipsFrom'],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  'list-orders': {
    description: 'GET /orders',
    triggers: [iam('GET /orders')],
    uses: { table: 'read' },
  },
  'get-order': {
    description: 'GET /orders/{orderId}',
    triggers: [iam('GET /orders/{orderId}')],
    uses: { table: 'read' },
  },
  'cancel-order': {
    description: 'POST /orders/{orderId}/cancel, /returns/{returnId}/cancel',
    triggers: [iam('POST /orders/{orderId}/cancel', 'POST /returns/{returnId}/cancel')],
    // Claims an unannounced order like the worker does; asks SendCloud to cancel an announced one.
    uses: { table: 'readWrite', events: true, sendcloud: 'api' },
    timeoutSeconds: 29,
  },
  'retry-order': {
    description: 'POST /orders/{orderId}/retry',
    triggers: [iam('POST /orders/{orderId}/retry')],
    // Replaces a failed order with its next generation and queues it; nothing asks SendCloud here.
    uses: { table: 'readWrite', ordersQueue: 'send', events: true },
  },
  'get-order-label': {
    description: 'GET /orders/{orderId}/label, GET /orders/{orderId}/documents/{document}',
    triggers: [iam('GET /orders/{orderId}/label'), iam('GET /orders/{orderId}/documents/{document}')],
    // The A4 sheet is asked of SendCloud and stored on first request.
    uses: {
      table: 'read',
      labels: { read: ['labels'], write: ['labels'], list: true },
      sendcloud: 'api',
    },
    timeoutSeconds: 29,
  },
  'explain-routing': {
    description: 'POST /routing/explain',
    triggers: [iam('POST /routing/explain')],
    uses: { table: 'read', sendcloud: 'api' },
    settings: ['shipsFrom'],
    timeoutSeconds: 29,
  },
  'routing-rules': {
    description:
      'GET/PUT /routing/rules/{account}, its versions and their restore, POST /routing/rules/{account}/v3-migration',
    triggers: [
      iam(
        'GET /routing/rules/{account}',
        'PUT /routing/rules/{account}',
        'GET /routing/rules/{account}/versions',
        'GET /routing/rules/{account}/versions/{version}',
        'POST /routing/rules/{account}/versions/{version}/restore',
        'POST /routing/rules/{account}/v3-migration',
      ),
    ],
    // SendCloud for the account's catalogue (a PUT or restore is checked against it) and the migration
    // (`compat/shipping-options` maps v2 method ids to v3 options)
    uses: { table: 'readWrite', sendcloud: 'api' },
    settings: ['accounts'],
    timeoutSeconds: 29,
  },
  'requeue-stuck-orders': {
    description: 'Every 5 min: queue orders pending for more than 10 min again',
    triggers: [
      {
        kind: 'schedule',
        expression: 'rate(5 minutes)',
        description: 'Sweep orders stuck before their parcel',
        // SQS is in memory locally: after a restart, pending orders are queued again at once.
        local: { everyMs: 30_000, runAtStart: true },
      },
    ],
    // Stuck orders go back on the orders queue, stuck batches' merges and assembly on the batch queue.
    uses: { table: 'read', ordersQueue: 'send', batchQueue: 'send' },
    settings: ['requeueAfterSeconds'],
    // Up to 1,000 pending orders read and queued per run.
    timeoutSeconds: 60,
  },
  'sendcloud-webhook': {
    description:
      'POST /webhooks/sendcloud[/{account}] (HMAC-signed by SendCloud), POST /webhooks/sendcloud/{account}/events (v3 event subscriptions)',
    triggers: [
      {
        kind: 'http',
        routes: [
          'POST /webhooks/sendcloud',
          'POST /webhooks/sendcloud/{account}',
          'POST /webhooks/sendcloud/{account}/events',
        ],
        auth: 'signature',
      },
    ],
    // integration_* deliveries queue a catalogue refresh for the worker (this function never calls SendCloud).
    uses: { table: 'readWrite', events: true, ordersQueue: 'send', sendcloud: 'webhookSecrets' },
  },
  'refresh-catalogs': {
    description:
      "Hourly (stage catalogRefreshMinutes): queue a refresh of every account's SendCloud catalogue",
    triggers: [
      {
        kind: 'schedule',
        expression: { everyStageMinutes: 'catalogRefreshMinutes' },
        description: 'Compare every account’s SendCloud catalogue with its snapshot',
        // At start, so a snapshot exists before the first change it should tell about.
        local: { everyMs: 3_600_000, runAtStart: true },
      },
    ],
    // Only queues one message per account: the worker reads SendCloud, under the account's budget.
    uses: { ordersQueue: 'send' },
    settings: ['accounts'],
  },
  'get-parcel-status': {
    description: 'GET /parcels/status?ids=',
    triggers: [iam('GET /parcels/status')],
    uses: { table: 'read' },
  },
  'poll-parcel-statuses': {
    description: 'Every 5 min: statuses of accounts without webhooks',
    triggers: [
      {
        kind: 'schedule',
        expression: 'rate(5 minutes)',
        description: 'Poll parcel statuses (accounts without webhooks)',
        local: { everyMs: 60_000 },
      },
    ],
    uses: { table: 'readWrite', events: true, sendcloud: 'api' },
    settings: ['pollAccounts'],
    timeoutSeconds: 300,
  },
  'check-stuck-parcels': {
    description: 'Hourly: parcels announced but never scanned',
    triggers: [
      {
        kind: 'schedule',
        expression: 'rate(1 hour)',
        description: 'Report parcels without a carrier scan',
        local: { everyMs: 600_000 },
      },
    ],
    uses: { table: 'readWrite', events: true },
    settings: ['stuckAfterHours'],
    timeoutSeconds: 300,
  },
  'create-batch': {
    description: 'POST /batches',
    triggers: [iam('POST /batches')],
    uses: { table: 'readWrite', batchQueue: 'send' },
    settings: ['accounts'],
  },
  'get-batch': {
    description: 'GET /batches/{batchId}[/files/{index}]',
    triggers: [iam('GET /batches/{batchId}', 'GET /batches/{batchId}/files/{index}')],
    uses: { table: 'read', labels: { read: ['batches'], list: true } },
    timeoutSeconds: 29,
  },
  'end-of-day': {
    description: 'Scheduled end-of-day run per account',
    triggers: [{ kind: 'endOfDay' }],
    uses: { table: 'readWrite', batchQueue: 'send' },
    settings: ['accounts'],
    timeoutSeconds: 60,
  },
  'daily-report': {
    description: "Daily 00:30 UTC: yesterday's shipping report per account",
    triggers: [
      {
        kind: 'schedule',
        expression: 'cron(30 0 * * ? *)',
        description: 'Daily shipping report',
        local: { everyMs: 0 },
      },
    ],
    uses: { table: 'read', labels: { read: ['reports'], write: ['reports'], list: true, multipart: true } },
    settings: ['accounts'],
    memoryMb: 1024,
    timeoutSeconds: 600,
  },
  'get-report': {
    description: 'GET /reports/{date}',
    triggers: [iam('GET /reports/{date}')],
    uses: { table: 'read', labels: { read: ['reports'], write: ['reports'], list: true, multipart: true } },
    settings: ['accounts', 'reportInlineMaxBytes'],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  'service-points': {
    description: 'GET /service-points, /service-points/{id} (public, checkout)',
    triggers: [publicRoutes('GET /service-points', 'GET /service-points/{id}')],
    uses: { table: 'read', tableWrites: ['CACHE'], sendcloud: 'api' },
    settings: ['checkout'],
  },
  'delivery-options': {
    description: 'GET /delivery-options (public, checkout)',
    triggers: [publicRoutes('GET /delivery-options')],
    uses: { table: 'read', tableWrites: ['CACHE'], sendcloud: 'api' },
    settings: ['checkout'],
  },
  'checkout-component': {
    description: 'GET /checkout/component.js (public)',
    triggers: [publicRoutes('GET /checkout/component.js')],
    uses: {},
    memoryMb: 128,
  },
  'create-return': {
    description: 'POST /returns',
    triggers: [iam('POST /returns')],
    uses: {
      table: 'readWrite',
      idempotency: true,
      events: true,
      labels: { write: ['labels'] },
      sendcloud: 'api',
    },
    timeoutSeconds: 29,
  },
  'get-returns': {
    description: 'GET /returns, /returns/{returnId}[/label]',
    triggers: [iam('GET /returns', 'GET /returns/{returnId}', 'GET /returns/{returnId}/label')],
    // Keeps SendCloud's return id on the return once found.
    uses: { table: 'readWrite', labels: { read: ['labels'], list: true }, sendcloud: 'api' },
    timeoutSeconds: 29,
  },
  'order-worker': {
    description:
      'Orders and batch queues: route, create the parcel, store labels, publish, start and merge batches',
    // Each queue has its own slots: real-time orders never wait for a worker behind an end of day, and an end
    // of day takes at most its share of the function's concurrency. A batch message already holds 50 orders
    // (one a call); real-time orders come up to 10 a call, so a backlog's orders of one account are created
    // together (a lone order still goes alone, at once: no batching window).
    triggers: [
      { kind: 'ordersQueue', batchSize: 10, maxConcurrency: 10 },
      { kind: 'batchQueue', batchSize: 1, maxConcurrency: 5 },
    ],
    uses: {
      table: 'readWrite',
      ordersQueue: 'send',
      batchQueue: 'send',
      events: true,
      labels: { read: ['labels', 'batches'], write: ['labels', 'batches'], list: true },
      sendcloud: 'api',
    },
    settings: ['zplAccounts', 'retryBaseSeconds', 'mergePartSize', 'labelBulkSize'],
    memoryMb: 1024,
    timeoutSeconds: WORKER_TIMEOUT_SECONDS,
  },
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionName = keyof typeof FUNCTIONS;

/** A schedule trigger's expression for the stage: fixed, or every `catalogRefreshMinutes`. */
export function scheduleExpression(
  trigger: Extract<Trigger, { kind: 'schedule' }>,
  config: Pick<StageConfig, 'catalogRefreshMinutes'>,
): ScheduleExpression {
  if (typeof trigger.expression === 'string') return trigger.expression;
  const minutes = config[trigger.expression.everyStageMinutes];
  if (minutes % 1440 === 0) return minutes === 1440 ? 'rate(1 day)' : `rate(${minutes / 1440} days)`;
  if (minutes % 60 === 0) return minutes === 60 ? 'rate(1 hour)' : `rate(${minutes / 60} hours)`;
  return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`;
}

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

export function declarationOf(name: FunctionName): FunctionDeclaration {
  return FUNCTIONS[name];
}

/** Environment variables a function's resources give it (values differ in AWS and locally). */
export const RESOURCE_ENV = {
  table: 'TABLE_NAME',
  idempotency: 'IDEMPOTENCY_TABLE_NAME',
  labels: 'LABEL_BUCKET',
  ordersQueue: 'ORDERS_QUEUE_URL',
  batchQueue: 'BATCH_QUEUE_URL',
  events: 'EVENT_BUS_NAME',
  sendcloud: 'SENDCLOUD_CREDENTIALS_SECRET_ARN',
} as const;

/** Environment variables each setting becomes. */
export const SETTING_ENV = {
  accounts: ['ACCOUNTS'],
  checkout: [
    'ACCOUNTS',
    'CHECKOUT_ORIGINS',
    'CHECKOUT_CONFIGURATIONS',
    'CHECKOUT_CUTOFF',
    'CHECKOUT_CUTOFFS',
    'CHECKOUT_TIME_ZONE',
    'CHECKOUT_CACHE_SECONDS',
    'CHECKOUT_DEADLINE_MS',
    'CHECKOUT_CLIENT_LOOKUPS_PER_MINUTE',
  ],
  zplAccounts: ['ZPL_ACCOUNTS'],
  shipsFrom: ['SHIPS_FROM'],
  pollAccounts: ['POLL_ACCOUNTS'],
  stuckAfterHours: ['STUCK_AFTER_HOURS'],
  requeueAfterSeconds: ['REQUEUE_AFTER_SECONDS'],
  retryBaseSeconds: ['RETRY_BASE_SECONDS'],
  mergePartSize: ['MERGE_PART_SIZE'],
  labelBulkSize: ['LABEL_BULK_SIZE'],
  reportInlineMaxBytes: ['REPORT_INLINE_MAX_BYTES'],
  rateLimits: ['SENDCLOUD_RATE_LIMITS'],
} as const satisfies Record<Setting, readonly string[]>;

/** The settings a function reads: its declared ones, and the SendCloud budget if it calls SendCloud. */
export function settingsOf(declaration: FunctionDeclaration): Setting[] {
  const settings = new Set<Setting>(declaration.settings ?? []);
  if (declaration.uses.sendcloud === 'api') settings.add('rateLimits');
  return [...settings];
}

/** The environment keys a declaration gives its function: resources first, then settings. */
export function environmentKeys(declaration: FunctionDeclaration): string[] {
  const keys = new Set<string>();
  const { uses } = declaration;
  if (uses.table || uses.tableWrites) keys.add(RESOURCE_ENV.table);
  if (uses.idempotency) keys.add(RESOURCE_ENV.idempotency);
  if (uses.labels) keys.add(RESOURCE_ENV.labels);
  if (uses.ordersQueue) keys.add(RESOURCE_ENV.ordersQueue);
  if (uses.batchQueue) keys.add(RESOURCE_ENV.batchQueue);
  if (uses.events) keys.add(RESOURCE_ENV.events);
  if (uses.sendcloud) keys.add(RESOURCE_ENV.sendcloud);
  for (const setting of settingsOf(declaration)) for (const key of SETTING_ENV[setting]) keys.add(key);
  return [...keys];
}

/** Every route with the function that serves it. */
export function httpRoutes(): Array<{
  route: Route;
  auth: 'iam' | 'public' | 'signature';
  name: FunctionName;
}> {
  return FUNCTION_NAMES.flatMap((name) =>
    declarationOf(name).triggers.flatMap((trigger) =>
      trigger.kind === 'http' ? trigger.routes.map((route) => ({ route, auth: trigger.auth, name })) : [],
    ),
  );
}
