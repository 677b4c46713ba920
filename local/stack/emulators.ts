import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { buildApp, interceptLocalhostDns } from 'fauxqs';
import * as z from 'zod';
import { closeDynaliteIterators } from './closeDynaliteIterators';
import { DynaliteUpkeep } from './DynaliteUpkeep';
import { asBuildAppStores, fauxqsStores } from './fauxqsStores';
import { LIMITS, sqsMessageSize } from './limits';
import { memoizeDynaliteParsers } from './memoizeDynaliteParsers';
import { S3Files } from './S3Files';
import { SqsJournal } from './SqsJournal';

export interface Emulators {
  /** Values for AWS_ENDPOINT_URL_DYNAMODB / _SQS / _S3. */
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly s3: string };
  /** Compacts DynamoDB's folder now, for measurements (the upkeep does it on its own); in memory, nothing. */
  compactDynamoDb(): Promise<void>;
  stop(): Promise<void>;
}

/** Called for every request an emulator serves: `('dynamodb', 'PutItem')`, `('sqs', 'SendMessageBatch')`, `('s3', 'PUT')`. */
export type RequestObserver = (service: 'dynamodb' | 'sqs' | 's3', operation: string) => void;

/**
 * DynamoDB (dynalite) and SQS + S3 (fauxqs), in-process on 127.0.0.1. The real AWS SDK clients reach them
 * through the standard AWS_ENDPOINT_URL_* variables. With `dataDir` they keep their state there and survive a
 * SIGKILL as the services would: DynamoDB in `dynamodb/` (LevelDB, each write in the kernel before it is
 * answered; compacted so it stays near its live size, `DynaliteUpkeep`, which works only because queries close
 * their iterators, `closeDynaliteIterators`), SQS in `sqs-journal.jsonl` and S3 in `s3/`, both fsync'd before
 * the reply (`SqsJournal`, `S3Files`). Without it everything is in memory.
 */
export async function startEmulators(options: {
  readonly dataDir?: string;
  readonly region: string;
  readonly onRequest?: RequestObserver;
}): Promise<Emulators> {
  const dir = options.dataDir;
  if (dir) mkdirSync(dir, { recursive: true });
  const upkeep = dir ? new DynaliteUpkeep(join(dir, 'dynamodb')) : undefined;
  // Else every Query and Scan leaves its iterator, and its snapshot, open for good.
  closeDynaliteIterators();
  // The service sends a few dozen expressions over and over: parse each once (the same trees, fresh values).
  memoizeDynaliteParsers();
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dir ? { path: join(dir, 'dynamodb') } : {}),
  });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const observe = options.onRequest;
  if (observe)
    dynamo.on('request', (req: { headers: Record<string, string | string[] | undefined> }) =>
      observe(
        'dynamodb',
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? 'unknown',
      ),
    );
  const stores = await fauxqsStores();
  const journal = dir ? new SqsJournal(join(dir, 'sqs-journal.jsonl')) : undefined;
  journal?.attach(stores.sqsStore);
  if (dir) new S3Files(join(dir, 's3')).attach(stores.s3Store);
  const fauxqs = buildApp({ logger: false, defaultRegion: options.region, stores: asBuildAppStores(stores) });
  if (journal)
    // Before any reply is written: what it acknowledges is on disk.
    fauxqs.addHook('onSend', (_req: unknown, _reply: unknown, payload: unknown, done: OnSendDone) => {
      try {
        journal.flush();
      } catch (error) {
        done(error instanceof Error ? error : new Error('journal write failed'), payload);
        return;
      }
      done(null, payload);
    });
  if (observe) {
    fauxqs.addHook(
      'onRequest',
      async (req: { headers: Record<string, string | string[] | undefined>; method: string }) => {
        const target = req.headers['x-amz-target'];
        if (typeof target === 'string') observe('sqs', target.split('.').pop() ?? 'unknown');
        else observe('s3', req.method);
      },
    );
  }
  // fauxqs allows today's 1 MiB per message and per batch; refuse past 256 KiB first, as SQS long did.
  fauxqs.addHook(
    'preHandler',
    async (req: { headers: Record<string, unknown>; body: unknown }, reply: Reply) => {
      const refusal = sqsSizeRefusal(req.headers['x-amz-target'], req.body);
      if (!refusal) return;
      return reply
        .code(400)
        .header('content-type', 'application/x-amz-json-1.0')
        .header('x-amzn-query-error', `${refusal.queryCode};Sender`)
        .send({ __type: `com.amazonaws.sqs#${refusal.code}`, message: refusal.message });
    },
  );
  await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  // fauxqs names queues http://sqs.<region>.localhost:<port>/…; resolve *.localhost to 127.0.0.1 in-process.
  interceptLocalhostDns();
  const fauxqsPort = (fauxqs.server.address() as AddressInfo).port;
  return {
    endpoints: {
      dynamodb: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
      // The same host as the queue URLs, so the SDK has nothing to reconcile.
      sqs: `http://sqs.${options.region}.localhost:${fauxqsPort}`,
      s3: `http://127.0.0.1:${fauxqsPort}`,
    },
    compactDynamoDb: () => upkeep?.compact() ?? Promise.resolve(),
    async stop() {
      await fauxqs.close();
      journal?.close();
      upkeep?.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

type OnSendDone = (error: Error | null, payload: unknown) => void;

/** The part of Fastify's reply the size check uses. */
interface Reply {
  code(status: number): Reply;
  header(name: string, value: string): Reply;
  send(payload: unknown): Reply;
}

const SqsMessage = z.object({
  MessageBody: z.string().optional(),
  MessageAttributes: z
    .record(
      z.string(),
      z.object({
        DataType: z.string().optional(),
        StringValue: z.string().optional(),
        BinaryValue: z.string().optional(),
      }),
    )
    .optional(),
});
const SqsBatch = z.object({ Entries: z.array(SqsMessage) });

/**
 * SQS's answer to a SendMessage or SendMessageBatch over the size limit, or undefined to let fauxqs answer.
 * Error codes as SQS's JSON protocol sends them (the SDK names them `InvalidParameterValue` and
 * `BatchRequestTooLong`).
 */
function sqsSizeRefusal(
  target: unknown,
  body: unknown,
): { code: string; queryCode: string; message: string } | undefined {
  const limit = LIMITS.sqsMessageBytes;
  if (target === 'AmazonSQS.SendMessage') {
    const message = SqsMessage.safeParse(body);
    if (message.success && sqsMessageSize(message.data.MessageBody, message.data.MessageAttributes) > limit)
      return {
        code: 'InvalidParameterValue',
        queryCode: 'InvalidParameterValue',
        message: `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      };
  }
  if (target === 'AmazonSQS.SendMessageBatch') {
    const batch = SqsBatch.safeParse(body);
    const total = batch.success
      ? batch.data.Entries.reduce((sum, e) => sum + sqsMessageSize(e.MessageBody, e.MessageAttributes), 0)
      : 0;
    if (total > limit)
      return {
        code: 'BatchRequestTooLong',
        queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
        message: `Batch requests cannot be longer than ${limit} bytes.`,
      };
  }
  return undefined;
}
