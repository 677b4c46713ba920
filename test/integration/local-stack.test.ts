import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { LocalGateway } from '../../local/stack/gateway';

/**
 * The local wiring with test handlers: the same gateway, queue runner, scheduler and emulators the service
 * runs on, checked for the Lambda semantics handlers rely on.
 */
const seenEvents: APIGatewayProxyEventV2[] = [];
const deliveries: Array<{ body: string; receiveCount: string }> = [];
const slowDeliveries: Array<{ body: string; receiveCount: string }> = [];
const never = () => new Promise<never>(() => undefined);
const MiB = 1024 * 1024;
let stack: LocalStack;
const stateDir = mkdtempSync(join(tmpdir(), 'local-stack-'));

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    stateDir,
    wiring: {
      tables: [
        {
          TableName: 'bridge-test',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        },
      ],
      buckets: ['labels-test'],
      queues: [
        {
          name: 'work',
          maxReceiveCount: 2,
          visibilityTimeoutSeconds: 1,
          batchSize: 10,
          handler: async () => async (event: SQSEvent) => {
            for (const r of event.Records)
              deliveries.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
            if (event.Records.some((r) => r.body === 'crash')) throw new Error('boom');
            if (event.Records.some((r) => r.body === 'bogus'))
              return { batchItemFailures: [{ itemIdentifier: 'not-a-message-of-this-batch' }] };
            return {
              batchItemFailures: event.Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
                itemIdentifier: r.messageId,
              })),
            };
          },
        },
        {
          name: 'slow',
          maxReceiveCount: 3,
          visibilityTimeoutSeconds: 1,
          timeoutSeconds: 1,
          handler: async () => async (event: SQSEvent) => {
            for (const r of event.Records)
              slowDeliveries.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
            // The first attempt outlives the function's 1 s timeout; the retry is quick.
            if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) await never();
            return { batchItemFailures: [] };
          },
        },
        { name: 'sizes', maxReceiveCount: 1, visibilityTimeoutSeconds: 30 },
      ],
      environment: (urls) => ({ WORK_QUEUE_URL: urls.get('work') ?? '', TABLE_NAME: 'bridge-test' }),
      routes: async () => [
        {
          routeKey: 'POST /echo/{id}',
          name: 'echo',
          handler: async (event) => {
            seenEvents.push(event);
            return {
              statusCode: 201,
              headers: { 'X-Echo': event.pathParameters?.id ?? '' },
              body: JSON.stringify({ got: event.body, base64: event.isBase64Encoded }),
            };
          },
        },
        {
          routeKey: 'GET /bytes',
          name: 'bytes',
          handler: async () => ({
            statusCode: 200,
            headers: { 'content-type': 'application/pdf' },
            isBase64Encoded: true,
            body: Buffer.from('%PDF-1.7 x').toString('base64'),
          }),
        },
        {
          routeKey: 'POST /upload',
          name: 'upload',
          handler: async (event) => ({
            statusCode: 200,
            body: JSON.stringify({ length: event.body?.length ?? 0, base64: event.isBase64Encoded }),
          }),
        },
        {
          // Answers a body of {tenths}/10 MiB.
          routeKey: 'GET /large/{tenths}',
          name: 'large',
          handler: async (event) => ({
            statusCode: 200,
            body: 'x'.repeat((Number(event.pathParameters?.tenths) / 10) * MiB),
          }),
        },
        { routeKey: 'GET /hangs', name: 'hangs', timeoutSeconds: 1, handler: never },
        {
          routeKey: 'GET /invalid',
          name: 'invalid',
          // A statusCode with a non-string body: not a valid payload 2.0 response.
          handler: async () => JSON.parse('{"statusCode":200,"body":{"not":"a string"}}'),
        },
        {
          routeKey: 'GET /fails',
          name: 'fails',
          handler: async () => {
            throw new Error('secret detail');
          },
        },
      ],
      jobs: async () => [
        {
          name: 'report',
          everyMs: 0,
          handler: async () => {
            await new EventBridgeClient({}).send(
              new PutEventsCommand({
                Entries: [
                  {
                    Source: 'sendcloud-bridge',
                    DetailType: 'Report Written',
                    Detail: JSON.stringify({ rows: 3 }),
                    EventBusName: 'bus',
                  },
                ],
              }),
            );
            return { rows: 3 };
          },
        },
        { name: 'stuck', everyMs: 0, timeoutSeconds: 1, handler: never },
      ],
    },
  });
});
afterAll(() => stack.stop());

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('HTTP gateway (API Gateway HTTP API, payload 2.0)', () => {
  it('hands the handler a v2 event with path parameters, query, headers and the raw body', async () => {
    const response = await fetch(`${stack.url}/echo/42?channel=bol&x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace': 't' },
      body: '{"a": 1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('42');
    expect(await response.json()).toEqual({ got: '{"a": 1}', base64: false });
    const event = seenEvents.at(-1);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo/{id}',
      rawPath: '/echo/42',
      rawQueryString: 'channel=bol&x=1&x=2',
      pathParameters: { id: '42' },
      queryStringParameters: { channel: 'bol', x: '1,2' },
      headers: { 'x-trace': 't', 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/echo/42' }, stage: '$default' },
    });
  });

  it('base64-encodes binary bodies byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await fetch(`${stack.url}/echo/bin`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const event = seenEvents.at(-1);
    expect(event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(event?.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('returns base64 results as bytes, hides handler crashes behind a bare 500, and 404s unknown routes', async () => {
    const pdf = await fetch(`${stack.url}/bytes`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).toString()).toBe('%PDF-1.7 x');
    const crash = await fetch(`${stack.url}/fails`);
    expect(crash.status).toBe(500);
    expect(await crash.text()).not.toContain('secret');
    expect((await fetch(`${stack.url}/nope`)).status).toBe(404);
  });
});

/** A request with headers fetch will not send (Host), answered as status and body. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('HTTP gateway: closed to other sites', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${stack.url}/echo/site`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });

  it('refuses a foreign Host (DNS rebinding) before any handler runs, and answers its own names', async () => {
    const before = seenEvents.length;
    const port = new URL(stack.url).port;
    const rebound = await rawRequest(`${stack.url}/echo/rebound`, {
      method: 'POST',
      headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({
      reason: expect.stringMatching(/Host 127\.0\.0\.1 or localhost/),
    });
    expect(seenEvents.length).toBe(before);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'localhost'])
      expect((await rawRequest(`${stack.url}/_local/health`, { headers: { host } })).status).toBe(200);
  });

  it('refuses a request from another origin, and takes its own origin and requests without one', async () => {
    const before = seenEvents.length;
    const foreign = await post({ origin: 'https://shop.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ reason: expect.stringMatching(/another origin/) });
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect(
      (await fetch(`${stack.url}/_local/events`, { headers: { origin: 'https://shop.example' } })).status,
    ).toBe(403);
    expect(seenEvents.length).toBe(before);
    expect((await post({ origin: stack.url })).status).toBe(201);
    expect((await post({ origin: stack.url.replace('127.0.0.1', 'localhost') })).status).toBe(201);
    expect((await post({})).status).toBe(201);
  });

  it('lets other origins reach only the routes opened to them', async () => {
    const gateway = await LocalGateway.start({
      port: 0,
      crossOriginRoutes: ['GET /open'],
      routes: [
        { routeKey: 'GET /open', name: 'open', handler: async () => ({ statusCode: 200, body: 'open' }) },
        {
          routeKey: 'GET /closed',
          name: 'closed',
          handler: async () => ({ statusCode: 200, body: 'closed' }),
        },
      ],
    });
    try {
      const origin = { origin: 'https://shop.example' };
      expect((await fetch(`${gateway.url}/open`, { headers: origin })).status).toBe(200);
      expect((await fetch(`${gateway.url}/closed`, { headers: origin })).status).toBe(403);
      // a preflight for the open route gets through (no route answers it here), one for the closed one not
      expect((await fetch(`${gateway.url}/open`, { method: 'OPTIONS', headers: origin })).status).toBe(404);
      expect((await fetch(`${gateway.url}/closed`, { method: 'OPTIONS', headers: origin })).status).toBe(403);
    } finally {
      await gateway.stop();
    }
  });
});

describe('queue runner (Lambda SQS event source semantics)', () => {
  it('deletes successes, retries reported failures after the visibility timeout, and redrives poison to the DLQ', async () => {
    const sqs = new SQSClient({});
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queueUrls.get('work'),
        Entries: ['ok-1', 'fail-1', 'ok-2'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    await waitFor(() => deliveries.filter((d) => d.body === 'fail-1').length >= 2);
    expect(deliveries.filter((d) => d.body === 'ok-1')).toHaveLength(1);
    expect(deliveries.filter((d) => d.body === 'fail-1').map((d) => d.receiveCount)).toEqual(['1', '2']);
    // after maxReceiveCount (2) receives the queue moves it to the DLQ; nothing else is there
    let dlqBodies: string[] = [];
    await waitFor(() => {
      void sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: stack.queueUrls.get('work-dlq'),
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
          }),
        )
        .then((r) => {
          dlqBodies = (r.Messages ?? []).map((m) => m.Body ?? '');
        });
      return dlqBodies.length > 0;
    });
    expect(dlqBodies).toEqual(['fail-1']);
  });

  it('a handler that throws leaves the whole batch for another attempt', async () => {
    const sqs = new SQSClient({});
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.queueUrls.get('work'),
        Entries: [{ Id: '1', MessageBody: 'crash' }],
      }),
    );
    await waitFor(() => deliveries.filter((d) => d.body === 'crash').length >= 2);
    expect(
      deliveries
        .filter((d) => d.body === 'crash')
        .map((d) => d.receiveCount)
        .slice(0, 2),
    ).toEqual(['1', '2']);
  });
});

describe('state between runs', () => {
  it('keeps S3 objects and DynamoDB items in the state directory across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restart-'));
    const wiring = {
      tables: [
        {
          TableName: 'restart-test',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
          BillingMode: 'PAY_PER_REQUEST' as const,
        },
      ],
      buckets: ['restart-labels'],
      queues: [],
      environment: () => ({}),
      routes: async () => [],
      jobs: async () => [],
    };
    const saved = {
      dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      sqs: process.env.AWS_ENDPOINT_URL_SQS,
      s3: process.env.AWS_ENDPOINT_URL_S3,
      eventbridge: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE,
    };
    // A second, independent stack in this process: start it on its own emulators.
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    try {
      const first = await startLocalStack({ port: 0, stateDir: dir, wiring });
      await new S3Client({}).send(
        new PutObjectCommand({
          Bucket: 'restart-labels',
          Key: 'labels/a/1-a6.pdf',
          Body: Buffer.from('%PDF-1.7 kept'),
        }),
      );
      await new DynamoDBClient({}).send(
        new PutItemCommand({ TableName: 'restart-test', Item: { pk: { S: 'kept' } } }),
      );
      await first.stop();
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      const second = await startLocalStack({ port: 0, stateDir: dir, wiring });
      const object = await new S3Client({}).send(
        new GetObjectCommand({ Bucket: 'restart-labels', Key: 'labels/a/1-a6.pdf' }),
      );
      expect(await object.Body?.transformToString()).toBe('%PDF-1.7 kept');
      expect(
        (
          await new DynamoDBClient({}).send(
            new GetItemCommand({ TableName: 'restart-test', Key: { pk: { S: 'kept' } } }),
          )
        ).Item,
      ).toBeDefined();
      await second.stop();
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = saved.dynamodb;
      process.env.AWS_ENDPOINT_URL_SQS = saved.sqs;
      process.env.AWS_ENDPOINT_URL_S3 = saved.s3;
      process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved.eventbridge;
    }
  });
});

describe('emulators, events and jobs', () => {
  it('serves DynamoDB and S3 to unchanged SDK clients through AWS_ENDPOINT_URL_*', async () => {
    const ddb = new DynamoDBClient({});
    await ddb.send(
      new PutItemCommand({ TableName: 'bridge-test', Item: { pk: { S: 'order#1' }, n: { N: '1' } } }),
    );
    expect(
      (await ddb.send(new GetItemCommand({ TableName: 'bridge-test', Key: { pk: { S: 'order#1' } } }))).Item
        ?.n,
    ).toEqual({ N: '1' });
    const s3 = new S3Client({});
    await s3.send(
      new PutObjectCommand({ Bucket: 'labels-test', Key: 'x.pdf', Body: Buffer.from('%PDF-1.7') }),
    );
    expect(
      await (
        await s3.send(new GetObjectCommand({ Bucket: 'labels-test', Key: 'x.pdf' }))
      ).Body?.transformToString(),
    ).toBe('%PDF-1.7');
    expect(process.env.WORK_QUEUE_URL).toBe(stack.queueUrls.get('work'));
  });

  it('runs a job on demand; its PutEvents land in events.jsonl and on GET /_local/events', async () => {
    const run = await fetch(`${stack.url}/_local/jobs/report`, { method: 'POST' });
    expect(await run.json()).toEqual({ job: 'report', result: { rows: 3 } });
    const events = (await (
      await fetch(`${stack.url}/_local/events?detail-type=Report%20Written`)
    ).json()) as Array<{ detail: unknown; source: string }>;
    expect(events).toMatchObject([{ source: 'sendcloud-bridge', detail: { rows: 3 } }]);
    const lines = readFileSync(join(stateDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({
      'detail-type': 'Report Written',
      eventBusName: 'bus',
    });
    expect((await fetch(`${stack.url}/_local/jobs/nothing`, { method: 'POST' })).status).toBe(404);
  });
});

describe('AWS limits: Lambda and API Gateway', () => {
  it('answers a response over Lambda’s 6 MB with API Gateway’s bare 500, and passes one under it', async () => {
    const over = await fetch(`${stack.url}/large/61`);
    expect(over.status).toBe(500);
    expect(await over.json()).toEqual({ message: 'Internal Server Error' });
    const under = await fetch(`${stack.url}/large/59`);
    expect(under.status).toBe(200);
    expect((await under.text()).length).toBe(Math.floor(5.9 * MiB));
  });

  it('fails an event over 6 MB, counting a binary body at its base64 size', async () => {
    const post = (body: Buffer | string, type: string) =>
      fetch(`${stack.url}/upload`, { method: 'POST', headers: { 'content-type': type }, body });
    const text = await post('x'.repeat(6.1 * MiB), 'text/plain');
    expect(text.status).toBe(500);
    expect(await text.json()).toEqual({ message: 'Internal Server Error' });
    // 4.6 MiB of bytes is 6.1 MiB of base64; 4.4 MiB is 5.9 MiB.
    expect((await post(Buffer.alloc(4.6 * MiB, 7), 'application/octet-stream')).status).toBe(500);
    const fits = await post(Buffer.alloc(4.4 * MiB, 7), 'application/octet-stream');
    expect(fits.status).toBe(200);
    expect(await fits.json()).toMatchObject({ base64: true });
  });

  it('answers 413 past the HTTP API’s 10 MB body limit', async () => {
    const response = await fetch(`${stack.url}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * MiB + 1),
    });
    expect(response.status).toBe(413);
  });

  it('fails a route past its function timeout, and an invalid payload 2.0 response, with a bare 500', async () => {
    const hangs = await fetch(`${stack.url}/hangs`);
    expect(hangs.status).toBe(500);
    expect(await hangs.json()).toEqual({ message: 'Internal Server Error' });
    const invalid = await fetch(`${stack.url}/invalid`);
    expect(invalid.status).toBe(500);
  });

  it('answers 503 past the integration timeout while the function runs on to its end', async () => {
    let finished = false;
    const gateway = await LocalGateway.start({
      port: 0,
      integrationTimeoutMs: 200,
      routes: [
        {
          routeKey: 'GET /slow',
          name: 'slow',
          timeoutSeconds: 5,
          handler: async () => {
            await new Promise((resolve) => setTimeout(resolve, 600));
            finished = true;
            return { statusCode: 200, body: 'late' };
          },
        },
      ],
    });
    try {
      const response = await fetch(`${gateway.url}/slow`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
      expect(finished).toBe(false);
      await waitFor(() => finished);
    } finally {
      await gateway.stop();
    }
  });

  it('fails a scheduled job past its function timeout', async () => {
    const run = await fetch(`${stack.url}/_local/jobs/stuck`, { method: 'POST' });
    expect(run.status).toBe(500);
  });
});

describe('AWS limits: queues', () => {
  it('a batch that outlives its function timeout fails and comes back after the visibility timeout', async () => {
    await new SQSClient({}).send(
      new SendMessageCommand({ QueueUrl: stack.queueUrls.get('slow'), MessageBody: 'slow-1' }),
    );
    await waitFor(() => slowDeliveries.some((d) => d.receiveCount === '2'));
    expect(slowDeliveries.map((d) => d.receiveCount)).toEqual(['1', '2']);
  });

  it('an invalid partial batch response fails the whole batch, as Lambda does', async () => {
    await new SQSClient({}).send(
      new SendMessageCommand({ QueueUrl: stack.queueUrls.get('work'), MessageBody: 'bogus' }),
    );
    await waitFor(() => deliveries.filter((d) => d.body === 'bogus').length >= 2);
    expect(
      deliveries
        .filter((d) => d.body === 'bogus')
        .map((d) => d.receiveCount)
        .slice(0, 2),
    ).toEqual(['1', '2']);
  });

  it('refuses an SQS message over 256 KiB, attributes counted, and a batch over 256 KiB in total', async () => {
    const sqs = new SQSClient({});
    const QueueUrl = stack.queueUrls.get('sizes');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(300 * 1024) })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x'.repeat(255 * 1024),
          MessageAttributes: { trace: { DataType: 'String', StringValue: 'y'.repeat(2 * 1024) } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: ['a', 'b'].map((Id) => ({ Id, MessageBody: 'x'.repeat(150 * 1024) })),
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    const fits = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(250 * 1024) }));
    expect(fits.MessageId).toBeDefined();
  });
});

describe('AWS limits: EventBridge and DynamoDB', () => {
  const entry = (detailBytes: number) => ({
    Source: 'sendcloud-bridge',
    DetailType: 'Size Probe',
    Detail: JSON.stringify({ pad: 'x'.repeat(detailBytes) }),
    EventBusName: 'bus',
  });

  it('refuses a PutEvents entry over 256 KB, entries over 256 KB together, and more than 10 entries', async () => {
    const events = new EventBridgeClient({});
    const refused = { name: 'ValidationException' };
    await expect(events.send(new PutEventsCommand({ Entries: [entry(300 * 1024)] }))).rejects.toMatchObject(
      refused,
    );
    await expect(
      events.send(new PutEventsCommand({ Entries: [entry(150 * 1024), entry(150 * 1024)] })),
    ).rejects.toMatchObject(refused);
    await expect(
      events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry(10)) })),
    ).rejects.toMatchObject(refused);
    expect(bus().filter((e) => e['detail-type'] === 'Size Probe')).toEqual([]);
  });

  it('fails an entry whose Detail is not a JSON object on its own, and records the rest', async () => {
    const result = await new EventBridgeClient({}).send(
      new PutEventsCommand({ Entries: [{ ...entry(10), Detail: '"just a string"' }, entry(200 * 1024)] }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(result.Entries?.[1]?.EventId).toBeDefined();
    expect(bus().filter((e) => e['detail-type'] === 'Size Probe')).toHaveLength(1);
  });

  it('refuses a DynamoDB item over 400 KB (dynalite enforces it) and stores one under it', async () => {
    const ddb = new DynamoDBClient({});
    const item = (kb: number) => ({ pk: { S: `big#${kb}` }, blob: { S: 'x'.repeat(kb * 1024) } });
    await expect(
      ddb.send(new PutItemCommand({ TableName: 'bridge-test', Item: item(401) })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Item size/) });
    await ddb.send(new PutItemCommand({ TableName: 'bridge-test', Item: item(399) }));
    const stored = await ddb.send(
      new GetItemCommand({ TableName: 'bridge-test', Key: { pk: { S: 'big#399' } } }),
    );
    expect(stored.Item?.blob?.S?.length).toBe(399 * 1024);
  });
});

function bus() {
  return stack.bus.events;
}
