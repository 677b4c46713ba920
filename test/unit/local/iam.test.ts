import { Readable } from 'node:stream';
import {
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  functionPolicies,
  type IamEnforcement,
  IamEnforcementError,
  IamMappingError,
  iamRequests,
  installIamEnforcement,
  localResources,
  type PolicyStatement,
  type ResourceMap,
  resolveIntrinsics,
  runAsFunction,
  TemplateResolutionError,
  withoutGrant,
} from '../../../local/iam';

const REGION = 'eu-west-1';
const ACCOUNT = '000000000000';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/bridge`;
const RESOURCES: ResourceMap = {
  Table: { ref: 'bridge', arn: TABLE_ARN, partitionKeys: { table: 'pk', indexes: { gsi1: 'gsi1pk' } } },
  Labels: { ref: 'labels', arn: 'arn:aws:s3:::labels' },
  Queue: {
    ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`,
  },
  Bus: { ref: 'bus', arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/bus` },
};
const tableArn = { 'Fn::GetAtt': ['Table', 'Arn'] };
const labelsUnder = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['Labels', 'Arn'] }, `/${prefix}/*`]],
});

/** A template with one tagged role and one attached policy per function, in CDK's own shapes. */
function templateWith(functions: Record<string, readonly object[]>): CfnTemplate {
  const resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = {};
  for (const [name, statements] of Object.entries(functions)) {
    const id = name.replaceAll('-', '');
    resources[`${id}Role`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        Tags: [{ Key: 'sendcloud-bridge:function', Value: name }],
        ManagedPolicyArns: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
              ],
            ],
          },
        ],
      },
    };
    resources[`${id}Policy`] = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: `${id}Role` }],
        PolicyDocument: { Version: '2012-10-17', Statement: statements },
      },
    };
  }
  return { Resources: resources };
}

const readTable = {
  Effect: 'Allow',
  Action: ['dynamodb:GetItem', 'dynamodb:Query'],
  Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
};

/** A stand-in for the network: records what reached it and answers with a canned AWS response. */
function transport(answer: { statusCode: number; body?: string; contentType?: string }) {
  const reached: string[] = [];
  const requestHandler = {
    async handle(request: { method: string; path: string; headers: Record<string, string> }) {
      reached.push(request.headers['x-amz-target'] ?? `${request.method} ${request.path}`);
      return {
        response: {
          statusCode: answer.statusCode,
          headers: { 'content-type': answer.contentType ?? 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(answer.body ?? '')]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return {
    reached,
    config: { region: REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, requestHandler },
  };
}
const ok = () => transport({ statusCode: 200, body: '{}' });
const NO_SUCH_KEY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';

let enforcement: IamEnforcement | undefined;
afterEach(() => {
  enforcement?.uninstall();
  enforcement = undefined;
});
const enforce = (template: CfnTemplate) => {
  enforcement = installIamEnforcement({ template, resources: RESOURCES, region: REGION });
  return enforcement;
};

async function failure(run: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await run();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to be refused');
}

describe('resolveIntrinsics', () => {
  const scope = { region: REGION, resources: RESOURCES };

  it('resolves Ref, GetAtt (both forms), Join, Select, Split and the pseudo parameters', () => {
    // Prepare
    const value = {
      table: { Ref: 'Table' },
      arn: { 'Fn::GetAtt': ['Table', 'Arn'] },
      dotted: { 'Fn::GetAtt': 'Queue.Arn' },
      objects: labelsUnder('labels'),
      region: { 'Fn::Select': [1, { 'Fn::Split': [':', 'a:eu-west-1:b'] }] },
      partition: { Ref: 'AWS::Partition' },
      gone: { Ref: 'AWS::NoValue' },
    };

    // Act
    const resolved = resolveIntrinsics(value, scope);

    // Assess
    expect(resolved).toEqual({
      table: 'bridge',
      arn: TABLE_ARN,
      dotted: RESOURCES.Queue?.arn,
      objects: 'arn:aws:s3:::labels/labels/*',
      region: 'eu-west-1',
      partition: 'aws',
    });
  });

  it('substitutes Fn::Sub variables, pseudo parameters and Id.Arn, and leaves its escapes literal', () => {
    const resolved = resolveIntrinsics(
      {
        'Fn::Sub': [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own placeholders, not JavaScript's
          'arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}:${Table}/${Table.Arn}/${Extra}/${!Literal}',
          { Extra: { Ref: 'Bus' } },
        ],
      },
      scope,
    );

    expect(resolved).toBe(`arn:aws:x:eu-west-1:000000000000:bridge/${TABLE_ARN}/bus/\${Literal}`);
  });

  it('refuses what it cannot resolve instead of guessing', () => {
    expect(() => resolveIntrinsics({ Ref: 'Unknown123' }, scope)).toThrow(TemplateResolutionError);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Labels', 'WebsiteURL'] }, scope)).toThrow(/WebsiteURL/);
    expect(() => resolveIntrinsics({ 'Fn::If': ['IsProd', 'a', 'b'] }, scope)).toThrow(/not supported/);
  });
});

describe('functionPolicies and localResources', () => {
  it("collects a function's attached, inline and AWS managed policies with local ARNs", () => {
    // Prepare
    const template = templateWith({ 'get-order': [readTable] });
    const role = template.Resources.getorderRole as { Properties: Record<string, unknown> };
    role.Properties.Policies = [
      {
        PolicyName: 'inline',
        PolicyDocument: {
          Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: labelsUnder('labels') },
        },
      },
    ];

    // Act
    const policies = functionPolicies(template, { region: REGION, resources: RESOURCES }).get('get-order');

    // Assess
    expect(policies?.principalArn).toBe('arn:aws:sts::000000000000:assumed-role/getorderRole/get-order');
    const statements = policies?.policies.flatMap((p) => p.document.Statement) ?? [];
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`],
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::labels/labels/*',
    });
    expect(statements.some((s) => [s.Action].flat().includes('logs:PutLogEvents'))).toBe(true);
  });

  it('refuses a managed policy whose document it does not know', () => {
    const template = templateWith({ 'get-order': [readTable] });
    const role = template.Resources.getorderRole as { Properties: Record<string, unknown> };
    role.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];

    expect(() => functionPolicies(template, { region: REGION, resources: RESOURCES })).toThrow(
      /AdministratorAccess/,
    );
  });

  it('finds an untagged role through its function, as CDK names it', () => {
    const template: CfnTemplate = {
      Resources: {
        orderworkerFunctionServiceRoleC6FF1D40: { Type: 'AWS::IAM::Role', Properties: {} },
        orderworkerFunctionCB41859E: {
          Type: 'AWS::Lambda::Function',
          Properties: { Role: { 'Fn::GetAtt': ['orderworkerFunctionServiceRoleC6FF1D40', 'Arn'] } },
        },
      },
    };

    expect([...functionPolicies(template, { region: REGION, resources: {} }).keys()]).toEqual([
      'order-worker',
    ]);
  });

  it("binds the template's resources to their local names, the DLQ included", () => {
    // Prepare: the resources are found through the environment variables the code reads them from.
    const template: CfnTemplate = {
      Resources: {
        Store1234ABCD: {
          Type: 'AWS::DynamoDB::GlobalTable',
          Properties: {
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            GlobalSecondaryIndexes: [
              { IndexName: 'gsi1', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }] },
            ],
          },
        },
        WorkQueue1234ABCD: {
          Type: 'AWS::SQS::Queue',
          Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dead1234ABCD', 'Arn'] } } },
        },
        Dead1234ABCD: { Type: 'AWS::SQS::Queue', Properties: {} },
        Labels4508206B: { Type: 'AWS::S3::Bucket', Properties: {} },
        SendcloudCredentials5B2B13A7: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: {
              Variables: {
                TABLE_NAME: { Ref: 'Store1234ABCD' },
                ORDERS_QUEUE_URL: { Ref: 'WorkQueue1234ABCD' },
              },
            },
          },
        },
      },
    };

    // Act
    const map = localResources(template, {
      region: REGION,
      names: {
        table: 't',
        idempotencyTable: 'i',
        ordersQueue: 'q',
        batchQueue: 'bq',
        labelBucket: 'b',
        bus: 'e',
      },
    });
    const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:keys-Xy12Zw`;
    const withSecret = localResources(template, {
      region: REGION,
      names: {
        table: 't',
        idempotencyTable: 'i',
        ordersQueue: 'q',
        batchQueue: 'bq',
        labelBucket: 'b',
        bus: 'e',
        credentialsSecret: secretArn,
      },
    });

    // Assess
    expect(map.Store1234ABCD).toMatchObject({
      ref: 't',
      arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/t`,
      partitionKeys: { table: 'pk', indexes: { gsi1: 'gsi1pk' } },
    });
    expect(map.WorkQueue1234ABCD?.arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:q`);
    expect(map.Dead1234ABCD?.arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:q-dlq`);
    expect(map.Labels4508206B).toEqual({ ref: 'b', arn: 'arn:aws:s3:::b' });
    // Secrets Manager's Ref is the ARN; by default the local stand-in's, or the one given.
    expect(map.SendcloudCredentials5B2B13A7?.ref).toBe(
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:sendcloud-bridge-credentials-LOCAL0`,
    );
    expect(withSecret.SendcloudCredentials5B2B13A7?.arn).toBe(secretArn);
  });
});

describe('iamRequests', () => {
  const scope = { region: REGION, accountId: ACCOUNT };
  const keyed = { ...scope, partitionKey: (_table: string, index?: string) => (index ? `${index}pk` : 'pk') };

  it('authorizes a query on an index against the index ARN', () => {
    const requests = iamRequests(
      {
        service: 'DynamoDB',
        command: 'QueryCommand',
        document: true,
        input: {
          TableName: 'bridge',
          IndexName: 'gsi1',
          KeyConditionExpression: '#pk = :id',
          ExpressionAttributeNames: { '#pk': 'gsi1pk' },
          ExpressionAttributeValues: { ':id': 'ORDERID#1' },
        },
      },
      keyed,
    );

    expect(requests).toEqual([
      {
        action: 'dynamodb:Query',
        resource: `${TABLE_ARN}/index/gsi1`,
        context: { 'dynamodb:LeadingKeys': ['ORDERID#1'] },
      },
    ]);
  });

  it('gives the partition keys touched as dynamodb:LeadingKeys, from plain or AttributeValue items', () => {
    const raw = iamRequests(
      {
        service: 'DynamoDB',
        command: 'PutItemCommand',
        input: { TableName: 'bridge', Item: { pk: { S: 'GOVERNOR#a' } } },
      },
      keyed,
    );
    const batch = iamRequests(
      {
        service: 'DynamoDB',
        command: 'BatchWriteCommand',
        document: true,
        input: {
          RequestItems: {
            bridge: [{ PutRequest: { Item: { pk: 'A' } } }, { DeleteRequest: { Key: { pk: 'B' } } }],
            other: [{ PutRequest: { Item: { pk: 'C' } } }],
          },
        },
      },
      keyed,
    );

    expect(raw[0]?.context).toEqual({ 'dynamodb:LeadingKeys': ['GOVERNOR#a'] });
    expect(batch).toEqual([
      {
        action: 'dynamodb:BatchWriteItem',
        resource: TABLE_ARN,
        context: { 'dynamodb:LeadingKeys': ['A', 'B'] },
      },
      {
        action: 'dynamodb:BatchWriteItem',
        resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other`,
        context: { 'dynamodb:LeadingKeys': ['C'] },
      },
    ]);
  });

  it('authorizes each transaction item with its own action (there is no TransactWriteItems action)', () => {
    const requests = iamRequests(
      {
        service: 'DynamoDB',
        command: 'TransactWriteCommand',
        document: true,
        input: {
          TransactItems: [
            { Put: { TableName: 'bridge', Item: { pk: 'A' } } },
            { ConditionCheck: { TableName: 'bridge', Key: { pk: 'B' }, ConditionExpression: 'x' } },
          ],
        },
      },
      scope,
    );

    expect(requests.map((r) => r.action)).toEqual(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']);
  });

  it('names S3 objects by their key as given, and maps HEAD, list and copy to the actions S3 checks', () => {
    const s3 = (command: string, input: object) => iamRequests({ service: 'S3', command, input }, scope);
    const key = 'labels/shop/web/order%2F1/7-a6.pdf';

    expect(s3('HeadObjectCommand', { Bucket: 'labels', Key: key })).toEqual([
      { action: 's3:GetObject', resource: `arn:aws:s3:::labels/${key}`, context: {} },
    ]);
    expect(s3('ListObjectsV2Command', { Bucket: 'labels', Prefix: 'batches/' })).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::labels', context: { 's3:prefix': 'batches/' } },
    ]);
    expect(
      s3('CopyObjectCommand', { Bucket: 'labels', Key: 'b/x', CopySource: 'labels/a%20b?versionId=3' }),
    ).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::labels/b/x', context: {} },
      { action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::labels/a b', context: {} },
    ]);
    expect(
      s3('UploadPartCommand', { Bucket: 'labels', Key: 'k', UploadId: 'u', PartNumber: 1 })[0]?.action,
    ).toBe('s3:PutObject');
  });

  it('turns queue URLs, bus names and secret names into the ARNs IAM sees', () => {
    const secrets = {
      ...scope,
      secretArns: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:creds-AbCdEf`],
    };

    expect(
      iamRequests(
        {
          service: 'SQS',
          command: 'SendMessageBatchCommand',
          input: { QueueUrl: 'http://sqs.eu-west-1.localhost:4566/000000000000/orders' },
        },
        scope,
      ),
    ).toEqual([
      { action: 'sqs:SendMessage', resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`, context: {} },
    ]);
    expect(
      iamRequests(
        {
          service: 'EventBridge',
          command: 'PutEventsCommand',
          input: {
            Entries: [
              { EventBusName: 'bus', Source: 's' },
              { Source: 's' },
              { EventBusName: 'bus', Source: 's' },
            ],
          },
        },
        scope,
      ).map((r) => r.resource),
    ).toEqual([
      `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/bus`,
      `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
    ]);
    for (const SecretId of ['creds', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:creds`])
      expect(
        iamRequests(
          { service: 'Secrets Manager', command: 'GetSecretValueCommand', input: { SecretId } },
          secrets,
        )[0]?.resource,
      ).toBe(secrets.secretArns[0]);
  });

  it('refuses a command it has no mapping for, naming the file to extend', () => {
    expect(() =>
      iamRequests(
        { service: 'DynamoDB', command: 'ExecuteStatementCommand', input: { Statement: 'SELECT 1' } },
        scope,
      ),
    ).toThrow(IamMappingError);
    expect(() => iamRequests({ service: 'Lambda', command: 'InvokeCommand', input: {} }, scope)).toThrow(
      /local\/iam\/actions\.ts/,
    );
  });
});

describe('installIamEnforcement', () => {
  it('lets an allowed call through and refuses a write to a read-only role as DynamoDB does', async () => {
    // Prepare
    enforce(templateWith({ 'get-order': [readTable] }));
    const net = ok();
    const dynamodb = new DynamoDBClient(net.config);

    // Act
    await runAsFunction('get-order', () =>
      dynamodb.send(
        new GetItemCommand({ TableName: 'bridge', Key: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } }),
      ),
    );
    const error = await failure(() =>
      runAsFunction('get-order', () =>
        dynamodb.send(new PutItemCommand({ TableName: 'bridge', Item: { pk: { S: 'ORDER#1' } } })),
      ),
    );

    // Assess
    expect(net.reached).toEqual(['DynamoDB_20120810.GetItem']);
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(error.message).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/getorderRole/get-order is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it('refuses a query on an index the role does not cover', async () => {
    enforce(
      templateWith({ 'get-order': [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: tableArn }] }),
    );
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(ok().config));
    const query = (IndexName?: string) =>
      runAsFunction('get-order', () =>
        db.send(
          new QueryCommand({
            TableName: 'bridge',
            ...(IndexName ? { IndexName } : {}),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'x' },
          }),
        ),
      );

    await query();
    const error = await failure(() => query('gsi1'));

    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(`on resource: ${TABLE_ARN}/index/gsi1 because`);
  });

  it('holds narrow writes to their partition-key prefix (dynamodb:LeadingKeys)', async () => {
    enforce(
      templateWith({
        'service-points': [
          readTable,
          {
            Effect: 'Allow',
            Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            Resource: tableArn,
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CACHE#*', 'GOVERNOR#*'] } },
          },
        ],
      }),
    );
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(ok().config));
    const put = (pk: string) =>
      runAsFunction('service-points', () =>
        db.send(new PutCommand({ TableName: 'bridge', Item: { pk, sk: 'x' } })),
      );

    await put('CACHE#nl-1000');
    await put('GOVERNOR#shop#write');
    const error = await failure(() => put('ORDER#web#1'));

    expect(error.name).toBe('AccessDeniedException');
  });

  it('says so when an explicit deny refuses the call', async () => {
    enforce(
      templateWith({
        'get-order': [readTable, { Effect: 'Deny', Action: 'dynamodb:GetItem', Resource: tableArn }],
      }),
    );
    const dynamodb = new DynamoDBClient(ok().config);

    const error = await failure(() =>
      runAsFunction('get-order', () =>
        dynamodb.send(new GetItemCommand({ TableName: 'bridge', Key: { pk: { S: 'x' } } })),
      ),
    );

    expect(error.message).toMatch(
      /dynamodb:GetItem on resource: .* with an explicit deny in an identity-based policy$/,
    );
  });

  it('answers 403 for a missing S3 key without s3:ListBucket, and NoSuchKey with it', async () => {
    // Prepare
    const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: labelsUnder('labels') };
    const list = { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['Labels', 'Arn'] } };
    enforce(templateWith({ 'get-order-label': [read], 'get-returns': [read, list] }));
    const s3 = new S3Client({
      ...transport({ statusCode: 404, body: NO_SUCH_KEY, contentType: 'application/xml' }).config,
    });
    const head = new S3Client(transport({ statusCode: 404 }).config);
    const get = (fn: string) =>
      failure(() =>
        runAsFunction(fn, () => s3.send(new GetObjectCommand({ Bucket: 'labels', Key: 'labels/x.pdf' }))),
      );
    const headAs = (fn: string) =>
      failure(() =>
        runAsFunction(fn, () => head.send(new HeadObjectCommand({ Bucket: 'labels', Key: 'labels/x.pdf' }))),
      );

    // Act
    const hidden = await get('get-order-label');
    const missing = await get('get-returns');
    const hiddenHead = await headAs('get-order-label');
    const missingHead = await headAs('get-returns');

    // Assess
    expect(hidden).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(hidden.message).toContain('s3:ListBucket on resource: arn:aws:s3:::labels because');
    expect(missing).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(hiddenHead.$metadata).toMatchObject({ httpStatusCode: 403 });
    expect(String(hiddenHead.cause)).toContain('s3:ListBucket');
    expect(missingHead).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });

  it('simulates S3 objects once per class of the patterns they match, and still refuses the ones outside', async () => {
    // Prepare: objects under labels/ but not under labels/secret/ (a Deny), and a variable-free policy
    const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: labelsUnder('labels') };
    const deny = { Effect: 'Deny', Action: 's3:GetObject', Resource: labelsUnder('labels/secret') };
    const iam = enforce(templateWith({ 'get-order-label': [read, deny] }));
    const net = transport({ statusCode: 200, body: 'pdf', contentType: 'application/pdf' });
    const s3 = new S3Client(net.config);
    const get = (key: string) =>
      runAsFunction('get-order-label', () => s3.send(new GetObjectCommand({ Bucket: 'labels', Key: key })));

    // Act
    for (let i = 0; i < 20; i++) await get(`labels/default/webshop/ORDER-${i}/a6.pdf`);
    const secret = await failure(() => get('labels/secret/ORDER-1/a6.pdf'));
    const outside = await failure(() => get('batches/ORDER-1/a6.pdf'));
    const colon = await failure(() => get('other:labels/x.pdf'));

    // Assess: one simulation for the twenty labels, one for the denied prefix, one for keys no pattern matches
    expect(net.reached).toHaveLength(20);
    expect(iam.stats).toMatchObject({ checkedCalls: 23, simulations: 3, cacheHits: 20, denials: 3 });
    expect(secret.message).toContain('with an explicit deny');
    expect(outside.message).toContain('because no identity-based policy allows the s3:GetObject action');
    expect(colon.name).toBe('AccessDenied');
  });

  it('refuses an SDK command it cannot map, before it reaches AWS', async () => {
    enforce(templateWith({ 'get-order': [readTable] }));
    const net = ok();

    const error = await failure(() =>
      runAsFunction('get-order', () =>
        new DynamoDBClient(net.config).send(new DescribeTimeToLiveCommand({ TableName: 'bridge' })),
      ),
    );

    expect(error).toBeInstanceOf(IamMappingError);
    expect(net.reached).toEqual([]);
  });

  it('refuses calls as a function the template has no role for', async () => {
    enforce(templateWith({ 'get-order': [readTable] }));

    const error = await failure(() =>
      runAsFunction('get-ordr', () =>
        new DynamoDBClient(ok().config).send(
          new GetItemCommand({ TableName: 'bridge', Key: { pk: { S: 'x' } } }),
        ),
      ),
    );

    expect(error).toBeInstanceOf(IamEnforcementError);
    expect(error.message).toMatch(/get-ordr has no execution role/);
  });

  it("leaves calls outside any function's context alone, and every call once uninstalled", async () => {
    const installed = enforce(templateWith({ 'get-order': [readTable] }));
    const net = ok();
    const sqs = new SQSClient(net.config);
    const send = () =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`,
          Entries: [],
        }),
      );

    await send();
    installed.uninstall();
    await runAsFunction('get-order', send);

    expect(net.reached).toEqual(['AmazonSQS.SendMessageBatch', 'AmazonSQS.SendMessageBatch']);
  });

  it('refuses at install a policy testing a condition key it cannot supply', () => {
    const template = templateWith({
      'get-order': [{ ...readTable, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
    });

    expect(() => enforce(template)).toThrow(/aws:sourceip/);
  });
});

describe('withoutGrant', () => {
  it("takes one action away from one function's role, and refuses when there is none to take", () => {
    const template = templateWith({
      'order-worker': [
        {
          Effect: 'Allow',
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        },
      ],
      'create-order': [
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
      ],
    });

    const without = withoutGrant(template, 'order-worker', 'sqs:SendMessage');
    const actions = (fn: string) =>
      functionPolicies(without, { region: REGION, resources: RESOURCES })
        .get(fn)
        ?.policies.flatMap((p) => p.document.Statement.flatMap((s: PolicyStatement) => [s.Action].flat()));

    expect(actions('order-worker')).not.toContain('sqs:SendMessage');
    expect(actions('order-worker')).toContain('sqs:GetQueueAttributes');
    expect(actions('create-order')).toContain('sqs:SendMessage');
    expect(() => withoutGrant(without, 'order-worker', 'sqs:SendMessage')).toThrow(
      /no grant of sqs:SendMessage/,
    );
  });
});
