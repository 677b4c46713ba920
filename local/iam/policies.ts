import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource, CfnTemplate } from './template';

/** The account every local ARN lives in (fauxqs uses it for its queues too). */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** Tag on each function's role (and function) naming the function, as `functions/<name>.ts`. */
export const FUNCTION_TAG = 'sendcloud-bridge:function';

/** What a logical id stands for locally: `Ref` gives `ref`, `Fn::GetAtt [id, 'Arn']` gives `arn`. */
export interface ResourceBinding {
  readonly ref: string;
  readonly arn: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** DynamoDB tables: the partition key of the table and of each index, for `dynamodb:LeadingKeys`. */
  readonly partitionKeys?: { readonly table: string; readonly indexes: Readonly<Record<string, string>> };
}
/** Logical id → binding, for the resources the local stack created. */
export type ResourceMap = Readonly<Record<string, ResourceBinding>>;

export interface ResolveScope {
  readonly region: string;
  readonly accountId?: string;
  readonly resources: ResourceMap;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** The identity policies of one function's execution role, with every intrinsic resolved to a local ARN. */
export interface FunctionPolicies {
  readonly functionName: string;
  readonly roleLogicalId: string;
  /** The role session Lambda runs the function as. */
  readonly principalArn: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
}

/** A template the local stack cannot evaluate faithfully; never papered over with an allow. */
export class TemplateResolutionError extends Error {
  override readonly name = 'TemplateResolutionError' as const;
  readonly code = 'IAM_TEMPLATE_UNRESOLVABLE' as const;
  readonly retryable = false;
}

// AWS managed policies a function role may carry; an unknown one is refused rather than ignored.
const AWS_MANAGED: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

/**
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and the pseudo parameters
 * against local resources. Anything else (conditions, imports, unknown logical ids) throws.
 */
export function resolveIntrinsics(value: unknown, scope: ResolveScope): unknown {
  if (Array.isArray(value))
    return value.filter((item) => !isNoValue(item)).map((item) => resolveIntrinsics(item, scope));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::')))
    return resolveFunction(first[0], first[1], scope);
  return Object.fromEntries(
    entries.filter(([, v]) => !isNoValue(v)).map(([k, v]) => [k, resolveIntrinsics(v, scope)]),
  );
}

function resolveFunction(name: string, arg: unknown, scope: ResolveScope): unknown {
  const text = (v: unknown) => {
    const resolved = resolveIntrinsics(v, scope);
    if (typeof resolved !== 'string')
      throw new TemplateResolutionError(`${name} needs strings, got ${JSON.stringify(resolved)}`);
    return resolved;
  };
  const list = (v: unknown): unknown[] => {
    const resolved = resolveIntrinsics(v, scope);
    if (!Array.isArray(resolved))
      throw new TemplateResolutionError(`${name} needs a list: ${JSON.stringify(v)}`);
    return resolved;
  };
  switch (name) {
    case 'Ref':
      return ref(String(arg), scope);
    case 'Fn::GetAtt': {
      const [id, attribute] = typeof arg === 'string' ? arg.split(/\.(.*)/s) : list(arg).map(String);
      return getAtt(String(id), String(attribute), scope);
    }
    case 'Fn::Join': {
      const [separator, parts] = list(arg);
      return list(parts).map(text).join(text(separator));
    }
    case 'Fn::Select': {
      const [index, items] = list(arg);
      const item = list(items)[Number(text(String(index)))];
      if (item === undefined)
        throw new TemplateResolutionError(`Fn::Select out of range: ${JSON.stringify(arg)}`);
      return item;
    }
    case 'Fn::Split': {
      const [separator, source] = list(arg);
      return text(source).split(text(separator));
    }
    case 'Fn::Sub': {
      const [template, variables] = Array.isArray(arg) ? arg : [arg, {}];
      const own = resolveIntrinsics(variables, scope) as Record<string, unknown>;
      return String(template).replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, key: string) => {
        if (literal) return `\${${key}}`;
        if (key in own) return text(own[key]);
        const [id, attribute] = key.split(/\.(.*)/s);
        return attribute ? getAtt(String(id), attribute, scope) : ref(key, scope);
      });
    }
    default:
      throw new TemplateResolutionError(`${name} is not supported by local IAM enforcement`);
  }
}

function ref(id: string, scope: ResolveScope): string {
  switch (id) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return scope.region;
    case 'AWS::AccountId':
      return scope.accountId ?? LOCAL_ACCOUNT_ID;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  return binding(id, scope).ref;
}

function getAtt(id: string, attribute: string, scope: ResolveScope): string {
  const bound = binding(id, scope);
  const value = attribute === 'Arn' ? bound.arn : bound.attributes?.[attribute];
  if (value === undefined)
    throw new TemplateResolutionError(`Fn::GetAtt ${id}.${attribute}: the local binding has no ${attribute}`);
  return value;
}

function binding(id: string, scope: ResolveScope): ResourceBinding {
  const bound = scope.resources[id];
  if (!bound)
    throw new TemplateResolutionError(
      `${id} has no local counterpart; add it to the resource map given to installIamEnforcement`,
    );
  return bound;
}

const isNoValue = (value: unknown) =>
  typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === 'AWS::NoValue';

/** The function each execution role belongs to: role logical id → function name. */
export function functionRoles(template: CfnTemplate): Map<string, string> {
  const roles = new Map<string, string>();
  const resources = Object.entries(template.Resources);
  for (const [id, resource] of resources)
    if (resource.Type === 'AWS::IAM::Role') {
      const name = tagValue(resource);
      if (name) roles.set(id, name);
    }
  // Fallback for templates made before the tag: the function's own tag, else its construct id.
  let names: readonly string[] | undefined;
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const role = (resource.Properties?.Role as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt']?.[0];
    if (typeof role !== 'string' || roles.has(role)) continue;
    names ??= functionFileNames();
    const dashless = /^([a-z0-9]+)Function[0-9A-F]{8}$/.exec(id)?.[1];
    const name = tagValue(resource) ?? names.find((n) => n.replaceAll('-', '') === dashless);
    if (name) roles.set(role, name);
  }
  return roles;
}

function tagValue(resource: CfnResource): string | undefined {
  const tags = resource.Properties?.Tags;
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t: { Key?: unknown }) => t.Key === FUNCTION_TAG) as { Value?: unknown } | undefined;
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
}

function functionFileNames(): string[] {
  return readdirSync(join(import.meta.dirname, '..', '..', 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3));
}

/** Every function's identity policies: inline, attached `AWS::IAM::Policy`/`ManagedPolicy`, and AWS managed. */
export function functionPolicies(template: CfnTemplate, scope: ResolveScope): Map<string, FunctionPolicies> {
  const result = new Map<string, FunctionPolicies>();
  for (const [roleId, functionName] of functionRoles(template)) {
    const role = template.Resources[roleId];
    if (!role) throw new TemplateResolutionError(`${functionName}: role ${roleId} is not in the template`);
    if (role.Properties?.PermissionsBoundary)
      throw new TemplateResolutionError(`${roleId}: permission boundaries are not supported locally`);
    const documents = rawPolicies(template, roleId).map(({ name, document }) => {
      try {
        return { name, document: resolveIntrinsics(document, scope) as PolicyDocument };
      } catch (error) {
        throw new TemplateResolutionError(`${functionName}'s policy ${name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
    const roleName = typeof role.Properties?.RoleName === 'string' ? role.Properties.RoleName : roleId;
    result.set(functionName, {
      functionName,
      roleLogicalId: roleId,
      principalArn: `arn:aws:sts::${scope.accountId ?? LOCAL_ACCOUNT_ID}:assumed-role/${roleName}/${functionName}`,
      policies: documents.map(({ name, document }) => ({
        name,
        document: { ...document, Statement: [document.Statement].flat() },
      })),
    });
  }
  return result;
}

/** The policy documents attached to one role, intrinsics unresolved (withoutGrant edits these in place). */
function rawPolicies(template: CfnTemplate, roleId: string): Array<{ name: string; document: unknown }> {
  const role = template.Resources[roleId];
  const found: Array<{ name: string; document: unknown }> = [];
  for (const [index, policy] of asArray(role?.Properties?.Policies).entries()) {
    const { PolicyName, PolicyDocument } = policy as { PolicyName?: unknown; PolicyDocument?: unknown };
    found.push({ name: `${roleId}/${String(PolicyName ?? index)}`, document: PolicyDocument });
  }
  const attachedManaged = new Set<string>();
  for (const arn of asArray(role?.Properties?.ManagedPolicyArns)) {
    const refId = (arn as { Ref?: unknown }).Ref;
    if (typeof refId === 'string' && template.Resources[refId]?.Type === 'AWS::IAM::ManagedPolicy') {
      attachedManaged.add(refId);
      continue;
    }
    const resolved = String(resolveIntrinsics(arn, { region: '', resources: {} }));
    const awsManaged = /^arn:aws:iam::aws:policy\/(.+)$/.exec(resolved)?.[1];
    const document = awsManaged ? AWS_MANAGED[awsManaged] : undefined;
    if (!document)
      throw new TemplateResolutionError(
        `${roleId} carries managed policy ${resolved}; add its document to local/iam/policies.ts`,
      );
    found.push({ name: resolved, document });
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = asArray(resource.Properties?.Roles);
    if (attachedManaged.has(id) || roles.some((r) => (r as { Ref?: unknown }).Ref === roleId))
      found.push({ name: id, document: resource.Properties?.PolicyDocument });
  }
  return found;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * A copy of the template in which one function's role no longer has `action` (statements left empty are
 * dropped). For canary tests that prove enforcement is on; throws when there was no such grant to take away.
 */
export function withoutGrant(template: CfnTemplate, functionName: string, action: string): CfnTemplate {
  const copy = structuredClone(template) as CfnTemplate;
  const roleId = [...functionRoles(copy)].find(([, name]) => name === functionName)?.[0];
  if (!roleId) throw new TemplateResolutionError(`No role in the template belongs to ${functionName}`);
  let removed = 0;
  for (const { name, document } of rawPolicies(copy, roleId)) {
    const doc = document as { Statement?: unknown } | undefined;
    if (!doc || !Array.isArray(doc.Statement)) continue;
    doc.Statement = doc.Statement.filter((statement: { Effect?: string; Action?: unknown }) => {
      if (statement.Effect !== 'Allow' || statement.Action === undefined) return true;
      const actions = [statement.Action].flat().map(String);
      const wildcard = actions.find((a) => a.includes('*') && globMatches(a, action));
      if (wildcard)
        throw new TemplateResolutionError(
          `${name} grants ${action} through ${wildcard}; remove that by hand`,
        );
      const kept = actions.filter((a) => a.toLowerCase() !== action.toLowerCase());
      removed += actions.length - kept.length;
      statement.Action = kept;
      return kept.length > 0;
    });
  }
  if (removed === 0) throw new TemplateResolutionError(`${functionName} has no grant of ${action} to remove`);
  return copy;
}

/** IAM's wildcards as a regular expression: `*` any run of characters, `?` any one. */
export function globRegExp(pattern: string, flags = ''): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

/** Actions compare without regard to case. */
const globMatches = (pattern: string, value: string): boolean => globRegExp(pattern, 'i').test(value);

/** Names the local stack gives the service's resources (`LOCAL_NAMES` in local/wiring.ts). */
export interface LocalResourceNames {
  readonly table: string;
  readonly idempotencyTable: string;
  readonly ordersQueue: string;
  readonly batchQueue: string;
  readonly labelBucket: string;
  readonly bus: string;
  /**
   * The credentials secret's name, or its full ARN (as local/stack's `LocalSecretsManager.arnOf` gives it).
   * Default `sendcloud-bridge-credentials`, whose ARN then ends in `-LOCAL0` as LocalSecretsManager's does.
   */
  readonly credentialsSecret?: string;
}

type Kind = 'table' | 'queue' | 'bucket' | 'bus' | 'secret';
const TABLE_TYPES = ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'];
// Found by the environment variable the code reads them from, else by CDK's logical id for the construct id.
const LOCATORS: ReadonlyArray<{
  readonly name: keyof LocalResourceNames;
  readonly env: string;
  readonly kind: Kind;
  readonly types: readonly string[];
  readonly constructId: string;
}> = [
  { name: 'table', env: 'TABLE_NAME', kind: 'table', types: TABLE_TYPES, constructId: 'Table' },
  {
    name: 'idempotencyTable',
    env: 'IDEMPOTENCY_TABLE_NAME',
    kind: 'table',
    types: TABLE_TYPES,
    constructId: 'IdempotencyTable',
  },
  {
    name: 'ordersQueue',
    env: 'ORDERS_QUEUE_URL',
    kind: 'queue',
    types: ['AWS::SQS::Queue'],
    constructId: 'OrdersQueue',
  },
  {
    name: 'batchQueue',
    env: 'BATCH_QUEUE_URL',
    kind: 'queue',
    types: ['AWS::SQS::Queue'],
    constructId: 'BatchesQueue',
  },
  {
    name: 'labelBucket',
    env: 'LABEL_BUCKET',
    kind: 'bucket',
    types: ['AWS::S3::Bucket'],
    constructId: 'Labels',
  },
  { name: 'bus', env: 'EVENT_BUS_NAME', kind: 'bus', types: ['AWS::Events::EventBus'], constructId: 'Bus' },
  {
    name: 'credentialsSecret',
    env: 'SENDCLOUD_CREDENTIALS_SECRET_ARN',
    kind: 'secret',
    types: ['AWS::SecretsManager::Secret'],
    constructId: 'SendcloudCredentials',
  },
];

/**
 * The resource map for the local stack: the template's table, idempotency table, label bucket, orders
 * queue and its DLQ (`<queue>-dlq`), event bus and credentials secret, each bound to its local name.
 */
export function localResources(
  template: CfnTemplate,
  options: { readonly region: string; readonly accountId?: string; readonly names: LocalResourceNames },
): Record<string, ResourceBinding> {
  const names = { credentialsSecret: 'sendcloud-bridge-credentials', ...options.names };
  const at = { region: options.region, accountId: options.accountId ?? LOCAL_ACCOUNT_ID };
  const map: Record<string, ResourceBinding> = {};
  for (const locator of LOCATORS) {
    const id = locate(template, locator);
    const resource = id ? template.Resources[id] : undefined;
    if (!id || !resource) continue;
    map[id] = bindingFor(locator.kind, names[locator.name], resource, at);
    if (locator.kind !== 'queue') continue;
    const redrive = resource.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
    const dlq = (redrive?.deadLetterTargetArn as { 'Fn::GetAtt'?: unknown[] } | undefined)?.[
      'Fn::GetAtt'
    ]?.[0];
    const dlqResource = typeof dlq === 'string' ? template.Resources[dlq] : undefined;
    if (typeof dlq === 'string' && dlqResource)
      map[dlq] = bindingFor('queue', `${names[locator.name]}-dlq`, dlqResource, at);
  }
  return map;
}

function locate(template: CfnTemplate, locator: (typeof LOCATORS)[number]): string | undefined {
  const ofType = (id: unknown): id is string =>
    typeof id === 'string' && locator.types.includes(template.Resources[id]?.Type ?? '');
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    const value = variables?.[locator.env] as { Ref?: unknown; 'Fn::GetAtt'?: unknown[] } | undefined;
    const id = value?.Ref ?? value?.['Fn::GetAtt']?.[0];
    if (ofType(id)) return id;
  }
  const pattern = new RegExp(`^${locator.constructId}[0-9A-F]{8}$`);
  return Object.keys(template.Resources).find((id) => pattern.test(id) && ofType(id));
}

function bindingFor(
  kind: Kind,
  name: string,
  resource: CfnResource,
  at: { readonly region: string; readonly accountId: string },
): ResourceBinding {
  const { region, accountId } = at;
  switch (kind) {
    case 'table': {
      const arn = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      return {
        ref: name,
        arn,
        attributes: { StreamArn: `${arn}/stream/local` },
        partitionKeys: keysOf(resource),
      };
    }
    case 'queue': {
      const url = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
      const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
      return { ref: url, arn, attributes: { QueueName: name, QueueUrl: url, Arn: arn } };
    }
    case 'bucket':
      return { ref: name, arn: `arn:aws:s3:::${name}` };
    case 'bus':
      return {
        ref: name,
        arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}`,
        attributes: { Name: name },
      };
    case 'secret': {
      // Secrets Manager appends six random characters to every secret's ARN; the local stand-in fixes them.
      const arn = name.startsWith('arn:')
        ? name
        : `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-LOCAL0`;
      return { ref: arn, arn, attributes: { Id: arn } };
    }
  }
}

function keysOf(resource: CfnResource): NonNullable<ResourceBinding['partitionKeys']> {
  type KeySchema = Array<{ AttributeName?: string; KeyType?: string }>;
  const hash = (schema: unknown) =>
    (schema as KeySchema | undefined)?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const indexes = [
    ...asArray(resource.Properties?.GlobalSecondaryIndexes),
    ...asArray(resource.Properties?.LocalSecondaryIndexes),
  ] as Array<{ IndexName?: string; KeySchema?: unknown }>;
  return {
    table: hash(resource.Properties?.KeySchema) ?? '',
    indexes: Object.fromEntries(indexes.map((index) => [index.IndexName ?? '', hash(index.KeySchema) ?? ''])),
  };
}
