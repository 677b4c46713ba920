import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  declarationOf,
  environmentKeys,
  FUNCTION_NAMES,
  type FunctionName,
  httpRoutes,
  RESOURCE_ENV,
  SETTING_ENV,
} from '../infra/functions';
import type { CredentialsDocument } from '../shared/config';
import { bridgeTable, idempotencyTable } from '../shared/store';
import {
  type CfnTemplate,
  type IamDecision,
  installIamEnforcement,
  localResources,
  localTemplate,
  runAsFunction,
} from './iam';
import { type Job, LocalSecretsManager, type Route, type Wiring } from './stack';

export interface ServiceWiringOptions {
  readonly stateDir: string;
  /** SendCloud as the service should reach it: the simulator locally, or the real API with real keys. */
  readonly sendcloud: {
    readonly baseUrl?: string;
    /** The panel API v3 (`…/api/v3`), for accounts whose credentials say `api: "v3"`. */
    readonly v3BaseUrl?: string;
    readonly servicePointsBaseUrl?: string;
    readonly accounts: CredentialsDocument;
  };
  /** Accounts whose print profile wants ZPL next to the A6 PDF. */
  readonly zplAccounts?: readonly string[];
  /** Each account's sender country where it is not NL (customs at intake). */
  readonly shipsFrom?: Readonly<Record<string, string>>;
  readonly logLevel?: string;
  /** Orders queue: seconds before an unfinished message comes back, and receives before the DLQ. */
  readonly ordersQueue?: {
    readonly visibilityTimeoutSeconds?: number;
    readonly maxReceiveCount?: number;
    readonly retryBaseSeconds?: number;
  };
  /**
   * Concurrent invocations each queue's consumer runs in this process (default 4 real-time, 3 batch; never
   * more than the trigger's maximum concurrency). Consumers in several processes split that maximum.
   */
  readonly consumerConcurrency?: { readonly ordersQueue?: number; readonly batchQueue?: number };
  /** Accounts polled for statuses (no webhooks), and how often. */
  readonly polling?: { readonly accounts: readonly string[]; readonly everyMs?: number };
  /**
   * How often every account's SendCloud catalogue is compared with its snapshot (default hourly; 0: on
   * demand), and whether once at start (default yes: the snapshot a first change is compared with).
   */
  readonly catalogRefresh?: { readonly everyMs?: number; readonly runAtStart?: boolean };
  /** How often the stuck-order sweeper runs, and after how long an order counts as stuck. */
  readonly requeue?: { readonly everyMs?: number; readonly afterSeconds?: number };
  /** Labels per merged end-of-day file. */
  readonly mergePartSize?: number;
  /** Parcels per merged label call of a batch (default 20). */
  readonly labelBulkSize?: number;
  /** Reports larger than this come as presigned links (1 MiB as deployed). */
  readonly reportInlineMaxBytes?: number;
  /** Each account's SendCloud budget, `account=reads:writes,…` (default 1000:100 for every account). */
  readonly rateLimits?: string;
  /**
   * IAM as deployed: every AWS call a function makes is checked against the policies the synthesized
   * template gives its role (default on). `template` changes the template first (the canary test removes a
   * grant with it).
   */
  readonly iam?: {
    readonly enabled?: boolean;
    readonly template?: (template: CfnTemplate) => CfnTemplate;
    /** Sees every authorization decision (tests assert denials with it). */
    readonly onDecision?: (decision: IamDecision) => void;
  };
  /** Checkout routes: allowed shop origins (default `*` locally), Dynamic Checkout configurations, cache. */
  readonly checkout?: {
    readonly origins?: readonly string[];
    readonly configurations?: Readonly<Record<string, string>>;
    readonly cacheSeconds?: number;
    readonly deadlineMs?: number;
    /** Uncached lookups one client may make per account and minute (20 as deployed). */
    readonly clientLookupsPerMinute?: number;
  };
}

export const LOCAL_NAMES = {
  table: 'sendcloud-bridge',
  idempotencyTable: 'sendcloud-bridge-idempotency',
  ordersQueue: 'sendcloud-bridge-orders',
  batchQueue: 'sendcloud-bridge-batches',
  labelBucket: 'sendcloud-bridge-labels',
  bus: 'sendcloud-bridge',
  credentialsSecret: 'sendcloud-bridge-credentials',
} as const;

/** Variables only the local stack sets, for every function that calls SendCloud or reads its keys. */
const LOCAL_SENDCLOUD_ENV = [
  'SENDCLOUD_BASE_URL',
  'SENDCLOUD_V3_BASE_URL',
  'SENDCLOUD_SERVICE_POINTS_BASE_URL',
  'SENDCLOUD_CREDENTIALS_FILE',
  'CREDENTIALS_MAX_AGE_SECONDS',
] as const;

/** Every variable a declaration can give a function: what a function must not see unless it is its own. */
const SERVICE_KEYS = new Set<string>([
  ...Object.values(RESOURCE_ENV),
  ...Object.values(SETTING_ENV).flat(),
  ...LOCAL_SENDCLOUD_ENV,
]);

/** A function's own environment: the process's, less every service variable its declaration does not name. */
export function functionEnvironment(name: FunctionName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const declaration = declarationOf(name);
  const own = new Set<string>(environmentKeys(declaration));
  if (declaration.uses.sendcloud) for (const key of LOCAL_SENDCLOUD_ENV) own.add(key);
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !SERVICE_KEYS.has(key) || own.has(key)),
  ) as NodeJS.ProcessEnv;
}

/** A function's timeout and memory as deployed (the house construct's defaults: 10 s, 256 MB). */
function limits(name: FunctionName): { timeoutSeconds: number; memoryMb: number } {
  const declaration = declarationOf(name);
  return { timeoutSeconds: declaration.timeoutSeconds ?? 10, memoryMb: declaration.memoryMb ?? 256 };
}

let loading: Promise<unknown> = Promise.resolve();

/**
 * Imports a function's module with only its own environment in place, as Lambda would start it: a function
 * that reads a variable its declaration does not give it fails here as it would in AWS. Imports run one at
 * a time because they swap `process.env`.
 */
export function loadFunction<T>(name: FunctionName): Promise<T> {
  const next = loading.then(async () => {
    const saved = process.env;
    process.env = functionEnvironment(name, saved);
    try {
      return (await import(`../functions/${name}.ts`)).handler as T;
    } finally {
      process.env = saved;
    }
  });
  loading = next.catch(() => undefined);
  return next;
}

/**
 * sendcloud-bridge's resources and functions as the CDK stack deploys them (both read infra/functions.ts),
 * for the local stack. Handlers are imported after the environment is set, exactly as Lambda would load them.
 */
export function serviceWiring(options: ServiceWiringOptions): Wiring {
  mkdirSync(options.stateDir, { recursive: true });
  const credentialsFile = join(options.stateDir, 'sendcloud-credentials.json');
  // Keys go to a file the handlers read, never into environment variables.
  writeFileSync(credentialsFile, JSON.stringify(options.sendcloud.accounts, null, 2), { mode: 0o600 });
  /** The consumer a queue trigger names, as local/stack's queue runner takes it. */
  const consumer = (kind: 'ordersQueue' | 'batchQueue', localConcurrency: number) => {
    const [found] = FUNCTION_NAMES.flatMap((name) =>
      declarationOf(name).triggers.flatMap((t) => (t.kind === kind ? [{ name, trigger: t }] : [])),
    );
    if (!found) return {};
    return {
      batchSize: found.trigger.batchSize,
      // Fewer than AWS's on a 2-core machine; each is a full worker.
      concurrency: Math.min(localConcurrency, found.trigger.maxConcurrency),
      functionName: found.name,
      ...limits(found.name),
      handler: () => loadFunction(found.name),
    };
  };
  // Both queues alike: longer than the worker's timeout, as in AWS (a long merge is not handed to a second
  // worker); the tests' options apply to both.
  const queueSettings = {
    maxReceiveCount: options.ordersQueue?.maxReceiveCount ?? 5,
    visibilityTimeoutSeconds: options.ordersQueue?.visibilityTimeoutSeconds ?? 360,
  };
  return {
    tables: [bridgeTable(LOCAL_NAMES.table), idempotencyTable(LOCAL_NAMES.idempotencyTable)],
    buckets: [LOCAL_NAMES.labelBucket],
    // Functions read their keys through Secrets Manager, as in AWS (and IAM decides which may).
    secrets: [{ name: LOCAL_NAMES.credentialsSecret, file: credentialsFile }],
    queues: [
      {
        name: LOCAL_NAMES.ordersQueue,
        ...queueSettings,
        ...consumer('ordersQueue', options.consumerConcurrency?.ordersQueue ?? 4),
      },
      {
        name: LOCAL_NAMES.batchQueue,
        ...queueSettings,
        ...consumer('batchQueue', options.consumerConcurrency?.batchQueue ?? 3),
      },
    ],
    ...(options.iam?.enabled === false
      ? {}
      : {
          enforcement: async (region: string) => {
            const synthesized = await localTemplate();
            const template = options.iam?.template ? options.iam.template(synthesized) : synthesized;
            const iam = installIamEnforcement({
              template,
              resources: localResources(template, { region, names: LOCAL_NAMES }),
              region,
              ...(options.iam?.onDecision ? { onDecision: options.iam.onDecision } : {}),
            });
            return { around: runAsFunction, stop: () => iam.uninstall() };
          },
        }),
    environment: (queueUrls) => ({
      TABLE_NAME: LOCAL_NAMES.table,
      IDEMPOTENCY_TABLE_NAME: LOCAL_NAMES.idempotencyTable,
      ORDERS_QUEUE_URL: queueUrls.get(LOCAL_NAMES.ordersQueue) ?? '',
      BATCH_QUEUE_URL: queueUrls.get(LOCAL_NAMES.batchQueue) ?? '',
      LABEL_BUCKET: LOCAL_NAMES.labelBucket,
      EVENT_BUS_NAME: LOCAL_NAMES.bus,
      SENDCLOUD_CREDENTIALS_SECRET_ARN: LocalSecretsManager.arnOf(
        LOCAL_NAMES.credentialsSecret,
        process.env.AWS_REGION ?? 'eu-west-1',
      ),
      CREDENTIALS_MAX_AGE_SECONDS: '5',
      ...(options.sendcloud.baseUrl ? { SENDCLOUD_BASE_URL: options.sendcloud.baseUrl } : {}),
      ...(options.sendcloud.v3BaseUrl ? { SENDCLOUD_V3_BASE_URL: options.sendcloud.v3BaseUrl } : {}),
      ...(options.sendcloud.servicePointsBaseUrl
        ? { SENDCLOUD_SERVICE_POINTS_BASE_URL: options.sendcloud.servicePointsBaseUrl }
        : {}),
      ACCOUNTS: Object.keys(options.sendcloud.accounts).join(','),
      ZPL_ACCOUNTS: (options.zplAccounts ?? []).join(','),
      SHIPS_FROM: Object.entries(options.shipsFrom ?? {})
        .map(([account, country]) => `${account}=${country}`)
        .join(','),
      RETRY_BASE_SECONDS: String(options.ordersQueue?.retryBaseSeconds ?? 5),
      REQUEUE_AFTER_SECONDS: String(options.requeue?.afterSeconds ?? 60),
      POLL_ACCOUNTS: (options.polling?.accounts ?? []).join(','),
      STUCK_AFTER_HOURS: '48',
      MERGE_PART_SIZE: String(options.mergePartSize ?? 1_000),
      LABEL_BULK_SIZE: String(options.labelBulkSize ?? 20),
      REPORT_INLINE_MAX_BYTES: String(options.reportInlineMaxBytes ?? 1024 * 1024),
      SENDCLOUD_RATE_LIMITS: options.rateLimits ?? '',
      CHECKOUT_ORIGINS: (options.checkout?.origins ?? ['*']).join(','),
      CHECKOUT_CONFIGURATIONS: Object.entries(options.checkout?.configurations ?? {})
        .map(([account, id]) => `${account}=${id}`)
        .join(','),
      CHECKOUT_CUTOFF: '16:00',
      CHECKOUT_CUTOFFS: '',
      CHECKOUT_TIME_ZONE: 'Europe/Amsterdam',
      CHECKOUT_CACHE_SECONDS: String(options.checkout?.cacheSeconds ?? 300),
      CHECKOUT_DEADLINE_MS: String(options.checkout?.deadlineMs ?? 2_500),
      CHECKOUT_CLIENT_LOOKUPS_PER_MINUTE: String(options.checkout?.clientLookupsPerMinute ?? 20),
      POWERTOOLS_SERVICE_NAME: 'sendcloud-bridge',
      POWERTOOLS_METRICS_NAMESPACE: 'SendcloudBridge',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    }),
    routes: async () => {
      const routes: Route[] = [];
      for (const { route, name } of httpRoutes())
        routes.push({
          routeKey: route,
          name,
          handler: await loadFunction<Route['handler']>(name),
          ...limits(name),
        });
      return routes;
    },
    jobs: async () => {
      const jobs: Job[] = [];
      for (const name of FUNCTION_NAMES)
        for (const trigger of declarationOf(name).triggers) {
          if (trigger.kind === 'schedule') {
            const everyMs =
              name === 'requeue-stuck-orders'
                ? (options.requeue?.everyMs ?? trigger.local.everyMs)
                : name === 'poll-parcel-statuses'
                  ? (options.polling?.everyMs ?? trigger.local.everyMs)
                  : name === 'refresh-catalogs'
                    ? (options.catalogRefresh?.everyMs ?? trigger.local.everyMs)
                    : trigger.local.everyMs;
            const runAtStart =
              name === 'refresh-catalogs'
                ? (options.catalogRefresh?.runAtStart ?? trigger.local.runAtStart)
                : trigger.local.runAtStart;
            jobs.push({
              name,
              everyMs,
              ...(runAtStart ? { runAtStart: true } : {}),
              handler: await loadFunction<Job['handler']>(name),
              ...limits(name),
            });
          }
          // Scheduled per account in AWS; locally on `POST /_local/jobs/end-of-day`.
          if (trigger.kind === 'endOfDay')
            jobs.push({
              name,
              everyMs: 0,
              handler: await loadFunction<Job['handler']>(name),
              ...limits(name),
            });
        }
      return jobs;
    },
  };
}
