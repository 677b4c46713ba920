/** One SDK call as the interception sees it. */
export interface SdkCall {
  /** The client's `config.serviceId`: `DynamoDB`, `S3`, `SQS`, `EventBridge`, `Secrets Manager`. */
  readonly service: string;
  /** The command's class name: `PutItemCommand`, or lib-dynamodb's `PutCommand`. */
  readonly command: string;
  readonly input: unknown;
  /** A lib-dynamodb command: keys and values are plain JavaScript, not AttributeValue maps. */
  readonly document?: boolean;
}

/** One authorization AWS makes for a call: the action, the resource ARN and the request's context keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export interface ActionScope {
  readonly region: string;
  readonly accountId: string;
  /**
   * The partition key attribute of a table (or of one of its indexes). Given only when a policy tests
   * `dynamodb:LeadingKeys`, which is then filled with the partition key value(s) the call touches.
   */
  readonly partitionKey?: (table: string, index?: string) => string;
  /** Full ARNs of the secrets that exist, to resolve a name or partial ARN the way Secrets Manager does. */
  readonly secretArns?: readonly string[];
}

/** A call local IAM enforcement cannot map to IAM requests: refused, so no SDK call slips through unchecked. */
export class IamMappingError extends Error {
  override readonly name = 'IamMappingError' as const;
  readonly code = 'IAM_MAPPING_MISSING' as const;
  readonly retryable = false;
}

type Input = Readonly<Record<string, unknown>>;
type Mapper = (input: Input, scope: ActionScope, call: SdkCall) => IamRequest[];

/** The IAM requests AWS authorizes for `call`; throws IamMappingError for a command it does not know. */
export function iamRequests(call: SdkCall, scope: ActionScope): IamRequest[] {
  const mapper = MAPPERS[call.service]?.[call.command.replace(/Command$/, '')];
  if (!mapper)
    throw new IamMappingError(
      `No IAM mapping for ${call.service} ${call.command}: add it to local/iam/actions.ts before using it`,
    );
  const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Input;
  const requests = mapper(input, scope, call);
  // Ten SendMessageBatch entries or two PutEvents entries for one bus are one authorization each.
  return [...new Map(requests.map((r) => [JSON.stringify(r), r])).values()];
}

const request = (action: string, resource: string, context: IamRequest['context'] = {}): IamRequest => ({
  action,
  resource,
  context,
});

function text(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw new IamMappingError(`The call has no ${field}`);
  return value;
}

const list = (value: unknown): Input[] => (Array.isArray(value) ? (value as Input[]) : []);
const record = (value: unknown): Input =>
  typeof value === 'object' && value !== null ? (value as Input) : {};

// ---- DynamoDB: one request per table touched; transactions authorize each item's own action.

const tableArn = (table: string, scope: ActionScope) =>
  table.startsWith('arn:') ? table : `arn:aws:dynamodb:${scope.region}:${scope.accountId}:table/${table}`;
const tableName = (table: string) => (table.startsWith('arn:') ? table.replace(/^.*:table\//, '') : table);

/** A key attribute's value as DynamoDB's condition keys see it: the string (or number) itself. */
function scalar(value: unknown, document: boolean | undefined): string | undefined {
  if (document) return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  const av = record(value);
  const raw = av.S ?? av.N ?? av.B;
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  return typeof raw === 'string' ? raw : undefined;
}

function leadingKeys(
  values: ReadonlyArray<string | undefined>,
  scope: ActionScope,
): Readonly<Record<string, readonly string[]>> {
  if (!scope.partitionKey) return {};
  const keys = [...new Set(values.filter((v): v is string => v !== undefined))];
  return keys.length > 0 ? { 'dynamodb:LeadingKeys': keys } : {};
}

function itemKey(item: unknown, table: string, scope: ActionScope, call: SdkCall): string | undefined {
  return scope.partitionKey
    ? scalar(record(item)[scope.partitionKey(tableName(table))], call.document)
    : undefined;
}

const item =
  (action: string, field: 'Key' | 'Item'): Mapper =>
  (input, scope, call) => {
    const table = text(input, 'TableName');
    return [
      request(
        action,
        tableArn(table, scope),
        leadingKeys([itemKey(input[field], table, scope, call)], scope),
      ),
    ];
  };

function queryKey(input: Input, scope: ActionScope, call: SdkCall): string | undefined {
  if (!scope.partitionKey) return undefined;
  const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
  const key = scope.partitionKey(tableName(text(input, 'TableName')), index);
  const legacy = record(record(input.KeyConditions)[key]).AttributeValueList;
  if (Array.isArray(legacy)) return scalar(legacy[0], call.document);
  const names = record(input.ExpressionAttributeNames);
  const values = record(input.ExpressionAttributeValues);
  const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  for (const match of expression.matchAll(/([#\w.]+)\s*=\s*(:\w+)|(:\w+)\s*=\s*([#\w.]+)/g)) {
    const [operand, placeholder] = match[1] ? [match[1], match[2]] : [match[4], match[3]];
    const attribute = operand?.startsWith('#') ? names[operand] : operand;
    if (attribute === key && placeholder) return scalar(values[placeholder], call.document);
  }
  return undefined;
}

const readRange =
  (action: string): Mapper =>
  (input, scope, call) => {
    const table = tableArn(text(input, 'TableName'), scope);
    const index = typeof input.IndexName === 'string' ? `${table}/index/${input.IndexName}` : table;
    const context = action === 'dynamodb:Query' ? leadingKeys([queryKey(input, scope, call)], scope) : {};
    return [request(action, index, context)];
  };

const batchGet: Mapper = (input, scope, call) =>
  Object.entries(record(input.RequestItems)).map(([table, spec]) =>
    request(
      'dynamodb:BatchGetItem',
      tableArn(table, scope),
      leadingKeys(
        list(record(spec).Keys).map((key) => itemKey(key, table, scope, call)),
        scope,
      ),
    ),
  );

const batchWrite: Mapper = (input, scope, call) =>
  Object.entries(record(input.RequestItems)).map(([table, writes]) =>
    request(
      'dynamodb:BatchWriteItem',
      tableArn(table, scope),
      leadingKeys(
        list(writes).map((w) =>
          itemKey(record(w.PutRequest).Item ?? record(w.DeleteRequest).Key, table, scope, call),
        ),
        scope,
      ),
    ),
  );

const TRANSACT_ACTIONS = {
  Get: ['dynamodb:GetItem', 'Key'],
  Put: ['dynamodb:PutItem', 'Item'],
  Update: ['dynamodb:UpdateItem', 'Key'],
  Delete: ['dynamodb:DeleteItem', 'Key'],
  ConditionCheck: ['dynamodb:ConditionCheckItem', 'Key'],
} as const;

const transact: Mapper = (input, scope, call) =>
  list(input.TransactItems).flatMap((entry) =>
    Object.entries(entry).flatMap(([kind, spec]) => {
      const mapping = TRANSACT_ACTIONS[kind as keyof typeof TRANSACT_ACTIONS];
      if (!mapping) throw new IamMappingError(`No IAM mapping for a ${kind} transaction item`);
      return item(mapping[0], mapping[1])(record(spec), scope, call);
    }),
  );

const describeTable: Mapper = (input, scope) => [
  request('dynamodb:DescribeTable', tableArn(text(input, 'TableName'), scope)),
];

const DYNAMODB: Readonly<Record<string, Mapper>> = {
  GetItem: item('dynamodb:GetItem', 'Key'),
  Get: item('dynamodb:GetItem', 'Key'),
  PutItem: item('dynamodb:PutItem', 'Item'),
  Put: item('dynamodb:PutItem', 'Item'),
  UpdateItem: item('dynamodb:UpdateItem', 'Key'),
  Update: item('dynamodb:UpdateItem', 'Key'),
  DeleteItem: item('dynamodb:DeleteItem', 'Key'),
  Delete: item('dynamodb:DeleteItem', 'Key'),
  Query: readRange('dynamodb:Query'),
  Scan: readRange('dynamodb:Scan'),
  BatchGetItem: batchGet,
  BatchGet: batchGet,
  BatchWriteItem: batchWrite,
  BatchWrite: batchWrite,
  TransactWriteItems: transact,
  TransactWrite: transact,
  TransactGetItems: transact,
  TransactGet: transact,
  DescribeTable: describeTable,
  CreateTable: (input, scope) => [request('dynamodb:CreateTable', tableArn(text(input, 'TableName'), scope))],
};

// ---- S3: objects are `arn:aws:s3:::<bucket>/<key>` (the key as given, not URL-encoded).

const bucketArn = (input: Input) => `arn:aws:s3:::${text(input, 'Bucket')}`;
const objectArn = (input: Input) => `${bucketArn(input)}/${text(input, 'Key')}`;

const object =
  (action: string, versioned?: string): Mapper =>
  (input) => [request(versioned && input.VersionId ? versioned : action, objectArn(input))];

const putObject: Mapper = (input) => [
  request('s3:PutObject', objectArn(input)),
  ...(input.ACL || input.GrantRead || input.GrantFullControl
    ? [request('s3:PutObjectAcl', objectArn(input))]
    : []),
  ...(input.Tagging ? [request('s3:PutObjectTagging', objectArn(input))] : []),
];

/** `CopySource` is `bucket/key[?versionId=…]`, URL-encoded: the copy reads it and writes the target. */
function copySource(input: Input): IamRequest {
  const [path = '', query = ''] = text(input, 'CopySource').replace(/^\//, '').split('?');
  const version = new URLSearchParams(query).get('versionId');
  return request(
    version ? 's3:GetObjectVersion' : 's3:GetObject',
    `arn:aws:s3:::${decodeURIComponent(path)}`,
  );
}

const listBucket: Mapper = (input) => [
  request(
    's3:ListBucket',
    bucketArn(input),
    typeof input.Prefix === 'string' ? { 's3:prefix': input.Prefix } : {},
  ),
];

const S3: Readonly<Record<string, Mapper>> = {
  GetObject: object('s3:GetObject', 's3:GetObjectVersion'),
  HeadObject: object('s3:GetObject', 's3:GetObjectVersion'),
  PutObject: putObject,
  CopyObject: (input, scope, call) => [...putObject(input, scope, call), copySource(input)],
  DeleteObject: object('s3:DeleteObject', 's3:DeleteObjectVersion'),
  DeleteObjects: (input) =>
    list(record(input.Delete).Objects).map((o) =>
      request(
        o.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
        `${bucketArn(input)}/${String(o.Key)}`,
      ),
    ),
  GetObjectTagging: object('s3:GetObjectTagging', 's3:GetObjectVersionTagging'),
  PutObjectTagging: object('s3:PutObjectTagging', 's3:PutObjectVersionTagging'),
  CreateMultipartUpload: putObject,
  UploadPart: object('s3:PutObject'),
  UploadPartCopy: (input) => [request('s3:PutObject', objectArn(input)), copySource(input)],
  CompleteMultipartUpload: object('s3:PutObject'),
  AbortMultipartUpload: object('s3:AbortMultipartUpload'),
  ListParts: object('s3:ListMultipartUploadParts'),
  ListObjects: listBucket,
  ListObjectsV2: listBucket,
  ListObjectVersions: (input) => [request('s3:ListBucketVersions', bucketArn(input))],
  HeadBucket: (input) => [request('s3:ListBucket', bucketArn(input))],
  CreateBucket: (input) => [request('s3:CreateBucket', bucketArn(input))],
};

// ---- SQS: the queue URL's last two segments are the owner account and the queue name.

function queueArn(input: Input, scope: ActionScope): string {
  const url = text(input, 'QueueUrl');
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean).slice(-2);
  if (!account || !name) throw new IamMappingError(`${url} is not a queue URL`);
  return `arn:aws:sqs:${scope.region}:${account}:${name}`;
}

const queue =
  (action: string): Mapper =>
  (input, scope) => [request(action, queueArn(input, scope))];

const namedQueue =
  (action: string): Mapper =>
  (input, scope) => {
    const owner =
      typeof input.QueueOwnerAWSAccountId === 'string' ? input.QueueOwnerAWSAccountId : scope.accountId;
    return [request(action, `arn:aws:sqs:${scope.region}:${owner}:${text(input, 'QueueName')}`)];
  };

const SQS: Readonly<Record<string, Mapper>> = {
  SendMessage: queue('sqs:SendMessage'),
  SendMessageBatch: queue('sqs:SendMessage'),
  ReceiveMessage: queue('sqs:ReceiveMessage'),
  DeleteMessage: queue('sqs:DeleteMessage'),
  DeleteMessageBatch: queue('sqs:DeleteMessage'),
  ChangeMessageVisibility: queue('sqs:ChangeMessageVisibility'),
  ChangeMessageVisibilityBatch: queue('sqs:ChangeMessageVisibility'),
  GetQueueAttributes: queue('sqs:GetQueueAttributes'),
  SetQueueAttributes: queue('sqs:SetQueueAttributes'),
  PurgeQueue: queue('sqs:PurgeQueue'),
  GetQueueUrl: namedQueue('sqs:GetQueueUrl'),
  CreateQueue: namedQueue('sqs:CreateQueue'),
};

// ---- EventBridge: each entry is authorized on its own bus (`default` when the entry names none).

const busArn = (bus: unknown, scope: ActionScope) => {
  const name = typeof bus === 'string' && bus !== '' ? bus : 'default';
  return name.startsWith('arn:')
    ? name
    : `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${name}`;
};

const EVENTBRIDGE: Readonly<Record<string, Mapper>> = {
  PutEvents: (input, scope) =>
    list(input.Entries).map((entry) =>
      request('events:PutEvents', busArn(entry.EventBusName, scope), {
        ...(typeof entry.Source === 'string' ? { 'events:source': entry.Source } : {}),
        ...(typeof entry.DetailType === 'string' ? { 'events:detail-type': entry.DetailType } : {}),
      }),
    ),
};

// ---- Secrets Manager: a name or partial ARN (without the six-character suffix) finds the secret's full ARN.

function secretArn(input: Input, scope: ActionScope): string {
  const id = text(input, 'SecretId');
  const known = scope.secretArns ?? [];
  const withoutSuffix = (arn: string) => arn.replace(/-[A-Za-z0-9]{6}$/, '');
  if (id.startsWith('arn:')) return known.find((arn) => arn === id || withoutSuffix(arn) === id) ?? id;
  return (
    known.find((arn) => withoutSuffix(arn).endsWith(`:secret:${id}`)) ??
    `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:${id}`
  );
}

const secret =
  (action: string): Mapper =>
  (input, scope) => [request(action, secretArn(input, scope))];

const SECRETS_MANAGER: Readonly<Record<string, Mapper>> = {
  GetSecretValue: secret('secretsmanager:GetSecretValue'),
  DescribeSecret: secret('secretsmanager:DescribeSecret'),
};

const MAPPERS: Readonly<Record<string, Readonly<Record<string, Mapper>>>> = {
  DynamoDB: DYNAMODB,
  S3,
  SQS,
  EventBridge: EVENTBRIDGE,
  'Secrets Manager': SECRETS_MANAGER,
};
