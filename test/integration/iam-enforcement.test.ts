import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  installIamEnforcement,
  localResources,
  localTemplate,
  runAsFunction,
  withoutGrant,
} from '../../local/iam';
import { type Emulators, startEmulators } from '../../local/stack/emulators';
import { LocalEventBus } from '../../local/stack/eventBus';
import { bridgeTable } from '../../shared/store';

const REGION = 'eu-west-1';
// The local stack's names (local/wiring.ts LOCAL_NAMES).
const NAMES = {
  table: 'sendcloud-bridge',
  idempotencyTable: 'sendcloud-bridge-idempotency',
  ordersQueue: 'sendcloud-bridge-orders',
  batchQueue: 'sendcloud-bridge-batches',
  labelBucket: 'sendcloud-bridge-labels',
  bus: 'sendcloud-bridge',
} as const;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let emulators: Emulators;
let bus: LocalEventBus;
let stateDir: string;
let db: DynamoDBDocumentClient;
let s3: S3Client;
let sqs: SQSClient;
let events: EventBridgeClient;
let queueUrl: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'iam-enforcement-'));
  emulators = await startEmulators({ region: REGION });
  bus = await LocalEventBus.start(join(stateDir, 'events.jsonl'));
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: REGION, credentials, endpoint: emulators.endpoints.dynamodb }),
  );
  s3 = new S3Client({ region: REGION, credentials, endpoint: emulators.endpoints.s3, forcePathStyle: true });
  sqs = new SQSClient({ region: REGION, credentials, endpoint: emulators.endpoints.sqs });
  events = new EventBridgeClient({ region: REGION, credentials, endpoint: bus.endpoint });
  // Setup runs outside any function's context, as the local stack's own does: unchecked.
  await db.send(new CreateTableCommand(bridgeTable(NAMES.table)));
  await s3.send(new CreateBucketCommand({ Bucket: NAMES.labelBucket }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: NAMES.ordersQueue }))).QueueUrl ?? '';
});

afterAll(async () => {
  await bus.stop();
  await emulators.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The service's resources under CDK's logical ids, and two roles in CDK's shapes: a writer and a reader. */
function smallTemplate(): CfnTemplate {
  const tableArn = { 'Fn::GetAtt': ['TableCD117FA1', 'Arn'] };
  const bucketArn = { 'Fn::GetAtt': ['Labels4508206B', 'Arn'] };
  const labels = { 'Fn::Join': ['', [bucketArn, '/labels/*']] };
  const role = (name: string, statements: object[]) => ({
    [`${name}Role`]: {
      Type: 'AWS::IAM::Role',
      Properties: { Tags: [{ Key: 'sendcloud-bridge:function', Value: name }] },
    },
    [`${name}Policy`]: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: `${name}Role` }],
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
      },
    },
  });
  return {
    Resources: {
      TableCD117FA1: {
        Type: 'AWS::DynamoDB::GlobalTable',
        Properties: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
      },
      Labels4508206B: { Type: 'AWS::S3::Bucket', Properties: {} },
      OrdersQueueC538DD4C: { Type: 'AWS::SQS::Queue', Properties: {} },
      BusEA82B648: { Type: 'AWS::Events::EventBus', Properties: {} },
      ...role('writer', [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
          Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
        },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: labels },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['OrdersQueueC538DD4C', 'Arn'] },
        },
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': ['BusEA82B648', 'Arn'] } },
      ]),
      ...role('reader', [
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: tableArn },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: labels },
      ]),
    },
  };
}

async function refusal(
  run: () => Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected AWS to refuse the call');
}

describe('local IAM enforcement against the emulators', () => {
  let uninstall: () => void;
  beforeAll(() => {
    const template = smallTemplate();
    const resources = localResources(template, { region: REGION, names: NAMES });
    uninstall = installIamEnforcement({ template, resources, region: REGION }).uninstall;
  });
  afterAll(() => uninstall());

  const order = (id: string) => ({
    pk: `ORDER#web#${id}`,
    sk: 'ORDER',
    gsi1pk: `ORDERID#${id}`,
    gsi1sk: 'web',
  });
  const stored = async (id: string) =>
    (await db.send(new GetCommand({ TableName: NAMES.table, Key: { pk: `ORDER#web#${id}`, sk: 'ORDER' } })))
      .Item;

  it('lets a granted PutItem write the item', async () => {
    await runAsFunction('writer', () =>
      db.send(new PutCommand({ TableName: NAMES.table, Item: order('1') })),
    );

    expect(await stored('1')).toEqual(order('1'));
  });

  it('refuses a PutItem to a read-only role as DynamoDB does, and nothing is written', async () => {
    const error = await refusal(() =>
      runAsFunction('reader', () => db.send(new PutCommand({ TableName: NAMES.table, Item: order('2') }))),
    );

    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(
      /^User: arn:aws:sts::000000000000:assumed-role\/readerRole\/reader is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:000000000000:table\/sendcloud-bridge because no identity-based policy allows the dynamodb:PutItem action$/,
    );
    expect(await stored('2')).toBeUndefined();
  });

  it('refuses a query on an index the role was not granted', async () => {
    await db.send(new PutCommand({ TableName: NAMES.table, Item: order('3') }));
    const byOrderId = new QueryCommand({
      TableName: NAMES.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :id',
      ExpressionAttributeValues: { ':id': 'ORDERID#3' },
    });

    const found = await runAsFunction('writer', () => db.send(byOrderId));
    const error = await refusal(() => runAsFunction('reader', () => db.send(byOrderId)));

    expect(found.Items).toEqual([order('3')]);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain('table/sendcloud-bridge/index/gsi1');
  });

  it('answers 403 for a missing label without s3:ListBucket, NoSuchKey with it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: NAMES.labelBucket, Key: 'labels/a.pdf', Body: 'pdf' }));
    const get = (Key: string) => () => s3.send(new GetObjectCommand({ Bucket: NAMES.labelBucket, Key }));

    const present = await runAsFunction('reader', get('labels/a.pdf'));
    const hidden = await refusal(() => runAsFunction('reader', get('labels/missing.pdf')));
    const missing = await refusal(() => runAsFunction('writer', get('labels/missing.pdf')));

    expect(await present.Body?.transformToString()).toBe('pdf');
    expect(hidden.name).toBe('AccessDenied');
    expect(hidden.$metadata?.httpStatusCode).toBe(403);
    expect(missing.name).toBe('NoSuchKey');
  });

  it('refuses SendMessage without the grant, and the queue stays empty', async () => {
    const send = () =>
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"kind":"order"}' }));

    const error = await refusal(() => runAsFunction('reader', send));
    const waiting = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    await runAsFunction('writer', send);

    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect(error.message).toContain(
      'sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:000000000000:sendcloud-bridge-orders',
    );
    expect(waiting.Messages ?? []).toEqual([]);
  });

  it('refuses PutEvents without the grant, and the bus receives nothing', async () => {
    const publish = () =>
      events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: NAMES.bus,
              Source: 'sendcloud-bridge',
              DetailType: 'Order Accepted',
              Detail: '{}',
            },
          ],
        }),
      );

    const error = await refusal(() => runAsFunction('reader', publish));
    const before = bus.events.length;
    await runAsFunction('writer', publish);

    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(
      'events:PutEvents on resource: arn:aws:events:eu-west-1:000000000000:event-bus/sendcloud-bridge',
    );
    expect(before).toBe(0);
    expect(bus.events.map((e) => e['detail-type'])).toEqual(['Order Accepted']);
  });
});

describe('local IAM enforcement with the synthesized BridgeStack', () => {
  it('lets get-order read the table but not write it, and a removed grant is enforced', async () => {
    // Prepare: the real template (synthesized once, then cached on disk).
    const template = await localTemplate();
    const resources = localResources(template, { region: REGION, names: NAMES });
    const key = { pk: 'ORDER#web#real', sk: 'ORDER' };
    const getItem = () => db.send(new GetCommand({ TableName: NAMES.table, Key: key }));

    // Act
    const enforcement = installIamEnforcement({ template, resources, region: REGION });
    let read: unknown;
    let write: Error;
    try {
      read = await runAsFunction('get-order', getItem);
      write = await refusal(() =>
        runAsFunction('get-order', () => db.send(new PutCommand({ TableName: NAMES.table, Item: key }))),
      );
    } finally {
      enforcement.uninstall();
    }
    const canary = installIamEnforcement({
      template: withoutGrant(template, 'get-order', 'dynamodb:GetItem'),
      resources,
      region: REGION,
    });
    let revoked: Error;
    try {
      revoked = await refusal(() => runAsFunction('get-order', getItem));
    } finally {
      canary.uninstall();
    }

    // Assess
    expect(read).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(write.name).toBe('AccessDeniedException');
    expect(write.message).toContain(
      'dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:000000000000:table/sendcloud-bridge',
    );
    expect(revoked.name).toBe('AccessDeniedException');
  }, 120_000);
});
