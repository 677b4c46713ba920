import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import { type Emulators, startEmulators } from './emulators';
import { LocalEventBus } from './eventBus';
import { LocalGateway, type Route } from './gateway';
import type { InvocationHook, InvocationOptions } from './invoke';
import { QueueRunner, type QueueSubscription, type SqsHandler } from './queueRunner';
import { type Job, LocalScheduler } from './scheduler';
import { type LocalSecret, LocalSecretsManager } from './secretsManager';

export type { Route } from './gateway';
export type { InvocationHook, InvocationOptions } from './invoke';
export type { Job } from './scheduler';
export { LocalSecretsManager } from './secretsManager';

export interface QueueDefinition {
  readonly name: string;
  /** Messages received this many times go to `<name>-dlq`. */
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  /** Loaded after the environment is set, so the handler module sees local endpoints at import time. */
  readonly handler?: () => Promise<SqsHandler>;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
  /** The consuming function's name, as IAM knows it. */
  readonly functionName?: string;
}

/** What the service needs locally; the same resources and handlers the CDK stack deploys. */
export interface Wiring {
  readonly tables: readonly CreateTableCommandInput[];
  readonly queues: readonly QueueDefinition[];
  readonly buckets: readonly string[];
  /** Secrets Manager secrets, each served from a file (read on every call). */
  readonly secrets?: readonly LocalSecret[];
  /** Environment for the handlers (table, queue, bucket names), given the queue URLs. */
  readonly environment: (queueUrls: ReadonlyMap<string, string>) => Record<string, string>;
  readonly routes: () => Promise<readonly Route[]>;
  readonly jobs: () => Promise<readonly Job[]>;
  /**
   * Holds every handler's AWS calls to its deployed permissions: called once the resources exist, returns
   * the hook each invocation runs in and how to undo it.
   */
  readonly enforcement?: (region: string) => Promise<{ readonly around: InvocationHook; stop(): void }>;
}

export interface LocalStackOptions {
  readonly port: number;
  readonly stateDir: string;
  readonly region?: string;
  readonly wiring: Wiring;
  /** Base64-encode every request body in the gateway (API Gateway does so for binary media types). */
  readonly base64Bodies?: boolean;
  /**
   * The queues this process consumes (default: every queue the wiring gives a handler); the others' consumers
   * run elsewhere (`startLocalConsumers`).
   */
  readonly consume?: readonly string[];
  /** For every handler invocation (gateway, queues, jobs): an `around` hook, strict memory. */
  readonly invocation?: InvocationOptions;
}

export interface LocalStack {
  readonly url: string;
  readonly bus: LocalEventBus;
  readonly queueUrls: ReadonlyMap<string, string>;
  readonly runner: QueueRunner;
  readonly scheduler: LocalScheduler;
  readonly endpoints: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * The service on one machine: DynamoDB/SQS/S3 emulators (unless AWS_ENDPOINT_URL_* already point somewhere),
 * an EventBridge stand-in writing `<stateDir>/events.jsonl`, the HTTP gateway, the queue runner and the
 * scheduler. Handlers are the Lambda handlers, unchanged.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const bus = await LocalEventBus.start(join(options.stateDir, 'events.jsonl'));
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  const { region, emulators, sqs, queueUrls, subscriptions, secrets, enforcement } = await provision(options);
  const { wiring } = options;
  const invocation = {
    ...(enforcement ? { around: enforcement.around } : {}),
    ...options.invocation,
  };
  const runner = new QueueRunner(sqs, subscriptions, { region, invocation });
  const scheduler = new LocalScheduler(await wiring.jobs(), { invocation });
  const gateway = await LocalGateway.start({
    port: options.port,
    routes: await wiring.routes(),
    invocation,
    ...(options.base64Bodies ? { base64Bodies: true } : {}),
    local: async (req, url) => {
      if (!url.pathname.startsWith('/_local/')) return undefined;
      if (req.method === 'GET' && url.pathname === '/_local/health')
        return { status: 200, json: { ok: true } };
      if (req.method === 'GET' && url.pathname === '/_local/events') {
        const type = url.searchParams.get('detail-type');
        return { status: 200, json: bus.events.filter((e) => !type || e['detail-type'] === type) };
      }
      if (req.method === 'GET' && url.pathname === '/_local/checkout')
        return {
          status: 200,
          body: checkoutDemoPage(url),
          headers: { 'content-type': 'text/html; charset=utf-8' },
        };
      const job = /^\/_local\/jobs\/([^/]+)$/.exec(url.pathname)?.[1];
      if (req.method === 'POST' && job) {
        if (!scheduler.names().includes(job))
          return { status: 404, json: { message: `no job ${job}; jobs: ${scheduler.names().join(', ')}` } };
        return { status: 200, json: { job, result: (await scheduler.run(job)) ?? null } };
      }
      return { status: 404, json: { message: 'Not Found' } };
    },
  });
  runner.start();
  scheduler.start();
  // Queued messages survive a restart (the SQS journal); the sweep is for what no message carries on. The
  // catalogue refresh takes each account's snapshot before a change should be told.
  scheduler.runAtStart();

  return {
    url: gateway.url,
    bus,
    queueUrls,
    runner,
    scheduler,
    endpoints: {
      dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
      sqs: process.env.AWS_ENDPOINT_URL_SQS ?? '',
      s3: process.env.AWS_ENDPOINT_URL_S3 ?? '',
      eventbridge: bus.endpoint,
    },
    async stop() {
      scheduler.stop();
      await runner.stop();
      await gateway.stop();
      await bus.stop();
      await secrets.stop();
      enforcement?.stop();
      await emulators?.stop();
    },
  };
}

/**
 * Only the consumers of some queues, beside a local stack in another process that serves everything else:
 * AWS_ENDPOINT_URL_DYNAMODB, _SQS, _S3 and _EVENTBRIDGE must point at its emulators and its EventBridge
 * stand-in. The benchmark gives the batch queue's worker a process of its own this way: Lambda runs every
 * invocation in a sandbox of its own, so one account's end of day never shares an event loop with another
 * account's real-time orders. Under IAM as deployed, as the stack is.
 */
export async function startLocalConsumers(
  options: Omit<LocalStackOptions, 'port' | 'base64Bodies' | 'consume'> & {
    readonly queues: readonly string[];
  },
): Promise<{ readonly runner: QueueRunner; stop(): Promise<void> }> {
  const missing = ['DYNAMODB', 'SQS', 'S3', 'EVENTBRIDGE'].filter(
    (service) => !process.env[`AWS_ENDPOINT_URL_${service}`],
  );
  if (missing.length > 0)
    throw new Error(`startLocalConsumers needs ${missing.map((s) => `AWS_ENDPOINT_URL_${s}`).join(', ')}`);
  const { region, sqs, subscriptions, secrets, enforcement } = await provision({
    ...options,
    consume: options.queues,
  });
  const runner = new QueueRunner(sqs, subscriptions, {
    region,
    invocation: { ...(enforcement ? { around: enforcement.around } : {}), ...options.invocation },
  });
  runner.start();
  return {
    runner,
    async stop() {
      await runner.stop();
      await secrets.stop();
      enforcement?.stop();
    },
  };
}

/**
 * What every local process of the service does first: AWS settings, the emulators (unless they run
 * elsewhere), Secrets Manager, the tables, buckets and queues (created where missing), the handlers'
 * environment, the subscriptions of the queues this process consumes, and IAM as deployed.
 */
async function provision(options: Omit<LocalStackOptions, 'port' | 'base64Bodies'>) {
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-west-1';
  process.env.AWS_REGION = region;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const external = Boolean(
    process.env.AWS_ENDPOINT_URL_DYNAMODB &&
      process.env.AWS_ENDPOINT_URL_SQS &&
      process.env.AWS_ENDPOINT_URL_S3,
  );
  let emulators: Emulators | undefined;
  // Emulators elsewhere (local/emulatorsProcess.ts) name their queues sqs.<region>.localhost too.
  if (external) interceptLocalhostDns();
  else {
    emulators = await startEmulators({ dataDir: options.stateDir, region });
    process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.endpoints.dynamodb;
    process.env.AWS_ENDPOINT_URL_SQS = emulators.endpoints.sqs;
    process.env.AWS_ENDPOINT_URL_S3 = emulators.endpoints.s3;
  }
  const secrets = await LocalSecretsManager.start(options.wiring.secrets ?? [], region);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;

  const { wiring } = options;
  const dynamodb = new DynamoDBClient({});
  for (const table of wiring.tables) {
    try {
      await dynamodb.send(new CreateTableCommand(table));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  const s3 = new S3Client({});
  for (const bucket of wiring.buckets) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (!(error instanceof Error && /BucketAlready/.test(error.name))) throw error;
    });
  }
  const sqs = new SQSClient({});
  const queueUrls = new Map<string, string>();
  const queueArns = new Map<string, string>();
  for (const queue of wiring.queues) {
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${queue.name}-dlq`,
        Attributes: { MessageRetentionPeriod: '1209600' },
      }),
    );
    const dlqArn = await arnOf(sqs, dlq.QueueUrl ?? '');
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: queue.name,
        Attributes: {
          VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: queue.maxReceiveCount,
          }),
        },
      }),
    );
    queueUrls.set(queue.name, created.QueueUrl ?? '');
    queueUrls.set(`${queue.name}-dlq`, dlq.QueueUrl ?? '');
    queueArns.set(queue.name, await arnOf(sqs, created.QueueUrl ?? ''));
  }
  Object.assign(process.env, wiring.environment(queueUrls));

  const subscriptions: QueueSubscription[] = [];
  for (const queue of wiring.queues) {
    if (!queue.handler || (options.consume && !options.consume.includes(queue.name))) continue;
    subscriptions.push({
      name: queue.name,
      queueUrl: queueUrls.get(queue.name) ?? '',
      queueArn: queueArns.get(queue.name) ?? '',
      handler: await queue.handler(),
      ...(queue.batchSize ? { batchSize: queue.batchSize } : {}),
      ...(queue.concurrency ? { concurrency: queue.concurrency } : {}),
      ...(queue.timeoutSeconds ? { timeoutSeconds: queue.timeoutSeconds } : {}),
      ...(queue.memoryMb ? { memoryMb: queue.memoryMb } : {}),
      ...(queue.functionName ? { functionName: queue.functionName } : {}),
    });
  }
  const enforcement = await wiring.enforcement?.(region);
  return { region, emulators, sqs, queueUrls, subscriptions, secrets, enforcement };
}

async function arnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return attributes.Attributes?.QueueArn ?? '';
}

/** A shop checkout page with the component, for trying it by hand: `/_local/checkout?country=BE&postalCode=1000`. */
function checkoutDemoPage(url: URL): string {
  const attr = (name: string, fallback: string) =>
    (url.searchParams.get(name) ?? fallback).replace(/[^A-Za-z0-9 .-]/g, '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout demo</title>
<script src="/checkout/component.js"></script></head>
<body style="font:14px system-ui;max-width:520px;margin:24px auto">
<h1 style="font-size:18px">Checkout demo</h1>
<sendcloud-bridge-checkout api="" country="${attr('country', 'NL')}" postal-code="${attr('postalCode', '1012AB')}"
  weight-grams="${attr('weightGrams', '1200')}" order-value="${attr('orderValue', '49.95')}"></sendcloud-bridge-checkout>
<h2 style="font-size:14px">Fields for POST /orders</h2><pre id="choice">—</pre>
<script>document.addEventListener('sendcloud-bridge-choice', (e) => {
  document.getElementById('choice').textContent = JSON.stringify(e.detail.order, null, 2);
});</script></body></html>`;
}
