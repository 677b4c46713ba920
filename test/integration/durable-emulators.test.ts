import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type Child, startChild } from '../../local/childProcess';
import { until } from '../helpers/until';

/**
 * The emulators in their own process, killed with SIGKILL and restarted on the same folder: what SQS and S3
 * acknowledged is there after the crash, what was deleted is not, in-flight messages come back when their
 * visibility timeout ends.
 */
const Ready = z.object({
  ready: z.literal(true),
  endpoints: z.object({ dynamodb: z.string(), sqs: z.string(), s3: z.string() }),
});
type Ready = z.infer<typeof Ready>;
const script = join(import.meta.dirname, '../../local/emulatorsProcess.ts');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let running: Child<Ready> | undefined;
// Queue URLs name sqs.<region>.localhost, as the stack's own clients resolve them.
beforeAll(() => interceptLocalhostDns());

async function start(dir: string) {
  running = await startChild(script, { args: [dir], schema: Ready });
  const { endpoints } = running.ready;
  const sqs = new SQSClient({
    endpoint: endpoints.sqs,
    region: 'eu-west-1',
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  const s3 = new S3Client({ endpoint: endpoints.s3, region: 'eu-west-1', credentials, forcePathStyle: true });
  const queueUrl =
    (await sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '30' } })))
      .QueueUrl ?? '';
  return { child: running, sqs, s3, queueUrl };
}

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await running?.kill();
  running = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const receive = (sqs: SQSClient, queueUrl: string, visibility?: number) =>
  sqs
    .send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        ...(visibility === undefined ? {} : { VisibilityTimeout: visibility }),
      }),
    )
    .then((r) => r.Messages ?? []);

describe('durable SQS and S3 across a SIGKILL', () => {
  it('keeps an acknowledged send and forgets a deleted message', async () => {
    // Prepare
    const dir = newDir();
    const first = await start(dir);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'done' }));
    const [done] = await receive(first.sqs, first.queueUrl);
    await first.sqs.send(
      new DeleteMessageCommand({ QueueUrl: first.queueUrl, ReceiptHandle: done?.ReceiptHandle ?? '' }),
    );
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'kept' }));

    // Act
    await first.child.kill();
    const second = await start(dir);

    // Assess
    const messages = await receive(second.sqs, second.queueUrl);
    expect(messages.map((m) => m.Body)).toEqual(['kept']);
  });

  it('gives back an in-flight message when its visibility timeout would have ended, receive count kept', async () => {
    // Prepare
    const dir = newDir();
    const first = await start(dir);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: 'in flight' }));
    await receive(first.sqs, first.queueUrl, 8);

    // Act
    await first.child.kill();
    const second = await start(dir);

    // Assess: still leased right after the restart, visible once the lease ends
    expect(await receive(second.sqs, second.queueUrl)).toEqual([]);
    const back = await until(
      () => receive(second.sqs, second.queueUrl),
      (m) => m.length > 0,
      20_000,
    );
    expect(back.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['in flight', '2']]);
  });

  it('keeps an acknowledged S3 PUT, bytes and content type, and not a deleted object', async () => {
    // Prepare
    const dir = newDir();
    const first = await start(dir);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'labels' }));
    await first.s3.send(
      new PutObjectCommand({
        Bucket: 'labels',
        Key: 'labels/a/1-a6.pdf',
        Body: Buffer.from('%PDF-1.7 kept'),
        ContentType: 'application/pdf',
      }),
    );
    await first.s3.send(
      new PutObjectCommand({ Bucket: 'labels', Key: 'gone.zpl', Body: Buffer.from('^XA^XZ') }),
    );
    await first.s3.send(new DeleteObjectCommand({ Bucket: 'labels', Key: 'gone.zpl' }));

    // Act
    await first.child.kill();
    const second = await start(dir);

    // Assess
    const kept = await second.s3.send(new GetObjectCommand({ Bucket: 'labels', Key: 'labels/a/1-a6.pdf' }));
    expect([await kept.Body?.transformToString(), kept.ContentType]).toEqual([
      '%PDF-1.7 kept',
      'application/pdf',
    ]);
    await expect(second.s3.send(new GetObjectCommand({ Bucket: 'labels', Key: 'gone.zpl' }))).rejects.toThrow(
      /NoSuchKey|does not exist/,
    );
  });
});
