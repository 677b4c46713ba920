import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createValidatedPolicy, validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { type EvaluationResult, runSimulation } from '@cloud-copilot/iam-simulate';
import { type ActionScope, type IamRequest, iamRequests, type SdkCall } from './actions';
import {
  type FunctionPolicies,
  functionPolicies,
  globRegExp,
  LOCAL_ACCOUNT_ID,
  type PolicyDocument,
  type ResourceMap,
} from './policies';
import type { CfnTemplate } from './template';

/** One authorization, as `onDecision` sees it. */
export interface IamDecision {
  readonly functionName: string;
  readonly action: string;
  readonly resource: string;
  readonly result: EvaluationResult;
  /** Answered from the memo rather than by a simulation. */
  readonly cached: boolean;
}

export interface IamEnforcementOptions {
  readonly template: CfnTemplate;
  /** Logical id → local resource (see `localResources`). */
  readonly resources: ResourceMap;
  readonly region: string;
  readonly accountId?: string;
  readonly onDecision?: (decision: IamDecision) => void;
}

export interface IamEnforcementStats {
  /** SDK calls made inside a function's context, each checked. */
  readonly checkedCalls: number;
  /** Authorizations simulated, and those answered from the memo. */
  readonly simulations: number;
  readonly cacheHits: number;
  readonly denials: number;
  /** Time spent simulating (monotonic clock), for tuning only. */
  readonly simulationMs: number;
}

export interface IamEnforcement {
  readonly stats: IamEnforcementStats;
  uninstall(): void;
}

/**
 * Enforcement cannot decide faithfully: a function without a role, a policy key it cannot supply, a request
 * iam-simulate rejects (an unknown action, an ARN of the wrong type). Refused, never allowed by default.
 */
export class IamEnforcementError extends Error {
  override readonly name = 'IamEnforcementError' as const;
  readonly code = 'IAM_ENFORCEMENT_FAILED' as const;
  readonly retryable = false;
}

interface SmithyCommand {
  readonly input: unknown;
  readonly constructor: new (input: unknown) => SmithyCommand;
}
interface SmithyClient {
  config: { readonly serviceId?: string; readonly [key: string]: unknown };
}
type Send = (this: SmithyClient, command: SmithyCommand, optionsOrCb?: unknown, cb?: unknown) => unknown;
type ClientClass = { prototype: { send: Send } };

interface Installation {
  check(
    client: SmithyClient,
    command: SmithyCommand,
    functionName: string,
    send: () => Promise<unknown>,
  ): Promise<unknown>;
}

// Shared through globalThis: vitest may load this module more than once into one process, while the SDK
// (native CommonJS) is loaded once; one context and one patch per Client class must serve them all.
interface SharedState {
  readonly context: AsyncLocalStorage<string>;
  readonly installations: Installation[];
  readonly originals: Map<ClientClass, Send>;
}
const SHARED = '__sendcloudBridgeLocalIam';
const holder = globalThis as typeof globalThis & { [SHARED]?: SharedState };
holder[SHARED] ??= { context: new AsyncLocalStorage<string>(), installations: [], originals: new Map() };
const shared: SharedState = holder[SHARED];

/** Runs `run` as the Lambda function `functionName`: its SDK calls are held to that function's role. */
export function runAsFunction<T>(functionName: string, run: () => Promise<T>): Promise<T> {
  return shared.context.run(functionName, run);
}

/** The function whose context the caller runs in, if any. */
export function currentFunction(): string | undefined {
  return shared.context.getStore();
}

/**
 * Holds every AWS SDK call made inside `runAsFunction` to the identity policies the template gives that
 * function's role, refusing as AWS would (the SDK's own error, from AWS's own response). Calls outside any
 * function context (the local stack's setup, the event source mapping's polling) pass unchecked.
 */
export function installIamEnforcement(options: IamEnforcementOptions): IamEnforcement {
  const installation = createInstallation(options);
  try {
    patchClients();
  } catch (error) {
    if (shared.installations.length === 0) unpatchClients();
    throw error;
  }
  shared.installations.push(installation.installation);
  return {
    stats: installation.stats,
    uninstall() {
      const index = shared.installations.indexOf(installation.installation);
      if (index >= 0) shared.installations.splice(index, 1);
      if (shared.installations.length === 0) unpatchClients();
    },
  };
}

// ---- Evaluation

interface CompiledFunction {
  readonly principal: string;
  readonly identityPolicies: Array<{ name: string; policy: unknown }>;
  /** Condition keys the policies test (lower case): only these are computed and passed. */
  readonly conditionKeys: ReadonlySet<string>;
  /** The global keys among them, with their values for this function. */
  readonly globalContext: Readonly<Record<string, string>>;
  readonly scope: ActionScope;
  /**
   * Every Resource and NotResource pattern of its statements, compiled — or undefined where one holds a policy
   * variable (`${aws:…}`), whose value the request decides: then each resource is its own memo entry.
   */
  readonly resourcePatterns: ReadonlyArray<(resource: string) => string> | undefined;
}

// Keys the enforcement can fill in. A policy testing any other key is refused at install, not guessed.
const REQUEST_KEYS = new Set(['dynamodb:leadingkeys', 's3:prefix', 'events:source', 'events:detail-type']);
const globalKeys = (principalArn: string, region: string, accountId: string): Record<string, string> => ({
  'aws:securetransport': 'true',
  'aws:requestedregion': region,
  'aws:principalaccount': accountId,
  'aws:resourceaccount': accountId,
  'aws:principaltype': 'AssumedRole',
  'aws:principalarn': principalArn.replace(
    /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/,
    'arn:aws:iam::$1:role/$2',
  ),
});

interface CompileScope {
  readonly region: string;
  readonly accountId: string;
  readonly resources: ResourceMap;
}

/** A function's policies validated once, with the condition keys they test and the scope to map calls in. */
function compile(fn: FunctionPolicies, scope: CompileScope): CompiledFunction {
  const name = fn.functionName;
  const conditionKeys = new Set(fn.policies.flatMap(({ document }) => conditionKeysOf(document)));
  const globals = globalKeys(fn.principalArn, scope.region, scope.accountId);
  for (const key of conditionKeys)
    if (!REQUEST_KEYS.has(key) && !(key in globals))
      throw new IamEnforcementError(
        `${name}'s policies test ${key}, which local IAM enforcement does not supply`,
      );
  const bindings = Object.values(scope.resources);
  const partitionKey = (table: string, index?: string) => {
    const keys = bindings.find((b) => b.arn.endsWith(`:table/${table}`))?.partitionKeys;
    const key = index ? keys?.indexes[index] : keys?.table;
    if (!key)
      throw new IamEnforcementError(`dynamodb:LeadingKeys needs the key schema of ${table} ${index ?? ''}`);
    return key;
  };
  return {
    principal: fn.principalArn,
    identityPolicies: fn.policies.map(({ name: policyName, document }) => {
      const policy = createValidatedPolicy(document, validateIdentityPolicy);
      if (policy.errors.length > 0)
        throw new IamEnforcementError(
          `${name}'s policy ${policyName} is invalid: ${JSON.stringify(policy.errors)}`,
        );
      return { name: policyName, policy };
    }),
    conditionKeys,
    resourcePatterns: compilePatterns(fn.policies.map((p) => p.document)),
    globalContext: Object.fromEntries(Object.entries(globals).filter(([key]) => conditionKeys.has(key))),
    scope: {
      region: scope.region,
      accountId: scope.accountId,
      secretArns: bindings.map((b) => b.arn).filter((arn) => arn.includes(':secretsmanager:')),
      ...(conditionKeys.has('dynamodb:leadingkeys') ? { partitionKey } : {}),
    },
  };
}

// Distinct S3 keys and leading keys each make an entry; a long local run starts afresh past this many.
const MEMO_LIMIT = 100_000;

function createInstallation(options: IamEnforcementOptions) {
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const scope = { region: options.region, accountId, resources: options.resources };
  const compiled = new Map<string, CompiledFunction>();
  for (const [name, fn] of functionPolicies(options.template, scope)) compiled.set(name, compile(fn, scope));
  const stats = { checkedCalls: 0, simulations: 0, cacheHits: 0, denials: 0, simulationMs: 0 };
  const memo = new Map<string, Promise<EvaluationResult>>();

  async function decide(name: string, fn: CompiledFunction, request: IamRequest): Promise<EvaluationResult> {
    const context: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(request.context))
      if (fn.conditionKeys.has(key.toLowerCase())) context[key] = [value].flat();
    Object.assign(context, fn.globalContext);
    const key = JSON.stringify([name, request.action, resourceClass(fn, request.resource), context]);
    let decision = memo.get(key);
    const cached = decision !== undefined;
    if (decision) stats.cacheHits++;
    else {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      decision = simulate(fn, request, context);
      memo.set(key, decision);
    }
    const result = await decision;
    options.onDecision?.({
      functionName: name,
      action: request.action,
      resource: request.resource,
      result,
      cached,
    });
    return result;
  }

  async function simulate(
    fn: CompiledFunction,
    request: IamRequest,
    contextVariables: Record<string, string | string[]>,
  ): Promise<EvaluationResult> {
    const started = performance.now();
    stats.simulations++;
    const response = await runSimulation(
      {
        request: {
          principal: fn.principal,
          action: request.action,
          resource: { resource: request.resource, accountId },
          contextVariables,
        },
        identityPolicies: fn.identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    stats.simulationMs += performance.now() - started;
    if (response.resultType === 'error')
      throw new IamEnforcementError(
        `iam-simulate refused ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`,
      );
    return response.overallResult;
  }

  const installation: Installation = {
    async check(client, command, name, send) {
      const fn = compiled.get(name);
      if (!fn)
        throw new IamEnforcementError(
          `${name} has no execution role in the template (a role tagged sendcloud-bridge:function=${name})`,
        );
      stats.checkedCalls++;
      const call: SdkCall = {
        service: client.config.serviceId ?? '',
        command: command.constructor.name,
        input: command.input,
        document: 'clientCommand' in command,
      };
      for (const request of iamRequests(call, fn.scope)) {
        const result = await decide(name, fn, request);
        if (result !== 'Allowed') {
          stats.denials++;
          return refuse(client, command, denialMessage(fn.principal, request, result));
        }
      }
      if (!hidesMissingKeys(call)) return send();
      try {
        return await send();
      } catch (error) {
        // S3 answers 403, not 404, for a missing key when the caller may not list the bucket.
        const input = command.input as { Bucket?: string };
        const list = { action: 's3:ListBucket', resource: `arn:aws:s3:::${input.Bucket}`, context: {} };
        if (!isMissingKey(error) || (await decide(name, fn, list)) === 'Allowed') throw error;
        stats.denials++;
        return refuse(client, command, denialMessage(fn.principal, list, 'ImplicitlyDenied'));
      }
    },
  };
  return { installation, stats };
}

/** An ARN's six parts: the resource part keeps any colons after the fifth. */
function arnParts(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Each pattern as a test answering two characters: whether it matches the whole ARN as one string, and part
 * by part (IAM's own way, which keeps a wildcard inside its part). Both, so the class is never coarser than
 * either reading.
 */
function compilePatterns(
  documents: readonly PolicyDocument[],
): Array<(resource: string) => string> | undefined {
  const patterns = documents.flatMap((document) =>
    document.Statement.flatMap((statement) => [statement.Resource ?? [], statement.NotResource ?? []].flat()),
  );
  if (patterns.some((pattern) => pattern.includes('${'))) return undefined;
  return [...new Set(patterns)].map((pattern) => {
    const whole = globRegExp(pattern, 's');
    const parts = arnParts(pattern).map((part) => globRegExp(part, 's'));
    return (resource: string) => {
      const resourceParts = arnParts(resource);
      const byParts =
        resourceParts.length === parts.length && parts.every((part, i) => part.test(resourceParts[i] ?? ''));
      return `${whole.test(resource) ? 1 : 0}${byParts ? 1 : 0}`;
    };
  });
}

const S3_OBJECT = /^(arn:[^:]+:s3:::[^/]+)\/./s;

/**
 * What a decision about `resource` depends on, as the memo's key. An S3 object's decision depends on its ARN
 * only through the patterns of the function's statements (its type is always `object`; its conditions are in
 * the context, keyed apart): objects that every pattern matches alike share one simulation — a label key per
 * parcel would otherwise be one simulation each. Any other resource is its own class.
 */
function resourceClass(fn: CompiledFunction, resource: string): string {
  const bucket = S3_OBJECT.exec(resource)?.[1];
  if (!bucket || !fn.resourcePatterns) return resource;
  return `${bucket}/… ${fn.resourcePatterns.map((matches) => matches(resource)).join('')}`;
}

function conditionKeysOf(document: PolicyDocument): string[] {
  return document.Statement.flatMap((statement) =>
    Object.values(statement.Condition ?? {}).flatMap((test) => Object.keys(test).map((k) => k.toLowerCase())),
  );
}

const hidesMissingKeys = (call: SdkCall) =>
  call.service === 'S3' && (call.command === 'GetObjectCommand' || call.command === 'HeadObjectCommand');

// GetObject says NoSuchKey; HeadObject, having no body, NotFound. A missing bucket (NoSuchBucket) is not hidden.
const isMissingKey = (error: unknown) =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

function denialMessage(principal: string, request: IamRequest, result: EvaluationResult) {
  const why =
    result === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`;
}

// ---- Refusal: AWS's own error response, deserialized by the client itself, so the error is exactly the
// one the SDK throws in AWS (class, name, $fault, $metadata, Code).

interface FakeResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function accessDeniedResponse(service: string, command: string, message: string): FakeResponse {
  const requestId = randomUUID();
  const json = (version: string, statusCode: number, body: object, extra: Record<string, string> = {}) => ({
    statusCode,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId, ...extra },
    body: JSON.stringify(body),
  });
  switch (service) {
    case 'DynamoDB':
      return json('1.0', 400, { __type: 'com.amazon.coral.service#AccessDeniedException', Message: message });
    case 'SQS':
      // SQS speaks JSON but keeps its query-protocol error code in a header; its messages lower-case actions.
      return json(
        '1.0',
        403,
        {
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: message.replace(/(sqs:\w+)/g, (action) => action.toLowerCase()),
        },
        { 'x-amzn-query-error': 'AccessDenied;Sender' },
      );
    case 'S3':
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        // HEAD responses have no body: the SDK can only see the status.
        body:
          command === 'HeadObjectCommand'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    default:
      return json('1.1', 400, { __type: 'AccessDeniedException', Message: message });
  }
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function refuse(client: SmithyClient, command: SmithyCommand, message: string): Promise<never> {
  const response = accessDeniedResponse(client.config.serviceId ?? '', command.constructor.name, message);
  const requestHandler = {
    handle: async () => ({ response: { ...response, body: Readable.from([Buffer.from(response.body)]) } }),
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  // The same client and middleware, answered by the response above instead of the network.
  const stand = Object.create(client) as SmithyClient & { handlers?: unknown };
  stand.config = { ...client.config, requestHandler };
  stand.handlers = undefined;
  const send = originalSend(client);
  try {
    await shared.context.exit(() => send.call(stand, new command.constructor(command.input)));
  } catch (error) {
    // A HEAD answer has no body, so the SDK says only "UnknownError"; the cause tells the developer why.
    if (response.body === '' && error instanceof Error && error.cause === undefined)
      Object.defineProperty(error, 'cause', {
        value: new Error(message),
        configurable: true,
        writable: true,
      });
    throw error;
  }
  throw new IamEnforcementError(
    `${client.config.serviceId} accepted a refusal it should have thrown: ${message}`,
  );
}

// ---- Interception: every AWS SDK v3 client (DynamoDBDocumentClient too) inherits `send` from smithy's
// Client. There may be several copies of that class in node_modules; each is patched once.

const SDK_PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-secrets-manager',
];
const SMITHY_CLIENTS = ['@smithy/smithy-client', '@smithy/core/client'];
// Packages that may carry their own copies of the SDK (Powertools idempotency and parameters).
const SDK_USERS = [
  '.',
  'node_modules/@aws-lambda-powertools/idempotency',
  'node_modules/@aws-lambda-powertools/parameters',
];
const ROOT = join(import.meta.dirname, '..', '..');

function clientClasses(): Set<ClientClass> {
  const classes = new Set<ClientClass>();
  for (const user of SDK_USERS) {
    const fromUser = createRequire(join(ROOT, user, 'package.json'));
    for (const sdk of SDK_PACKAGES) {
      let sdkDir: string;
      try {
        sdkDir = dirname(fromUser.resolve(`${sdk}/package.json`));
      } catch {
        continue;
      }
      const fromSdk = createRequire(join(sdkDir, 'package.json'));
      for (const id of SMITHY_CLIENTS) {
        try {
          const { Client } = fromSdk(id) as { Client?: ClientClass };
          if (typeof Client === 'function') classes.add(Client);
        } catch {
          // this SDK version does not use that package
        }
      }
    }
  }
  return classes;
}

function patchClients(): void {
  for (const Client of clientClasses()) {
    if (shared.originals.has(Client)) continue;
    const original = Client.prototype.send;
    shared.originals.set(Client, original);
    Client.prototype.send = function send(this: SmithyClient, command, optionsOrCb, cb) {
      const name = shared.context.getStore();
      const installation = shared.installations.at(-1);
      if (name === undefined || !installation) return original.call(this, command, optionsOrCb, cb);
      const callback = typeof optionsOrCb === 'function' ? optionsOrCb : cb;
      const options = typeof optionsOrCb === 'function' ? undefined : optionsOrCb;
      // Once authorized, the call runs outside the function's context: the SDK's own inner calls pass.
      const result = installation.check(this, command, name, () =>
        shared.context.exit(() => original.call(this, command, options) as Promise<unknown>),
      );
      if (typeof callback !== 'function') return result;
      result.then(
        (output) => callback(null, output),
        (error: unknown) => callback(error),
      );
      return undefined;
    };
  }
  // The clients this module sees must be the patched ones; otherwise calls would pass unchecked.
  for (const Client of [
    DynamoDBClient,
    DynamoDBDocumentClient,
    S3Client,
    SQSClient,
    EventBridgeClient,
    SecretsManagerClient,
  ])
    if (!shared.originals.has(Object.getPrototypeOf(Client) as ClientClass))
      throw new IamEnforcementError(
        `${Client.name} extends a smithy Client copy that local IAM enforcement did not find`,
      );
}

function unpatchClients(): void {
  for (const [Client, original] of shared.originals) Client.prototype.send = original;
  shared.originals.clear();
}

function originalSend(client: SmithyClient): Send {
  for (let proto = Object.getPrototypeOf(client); proto; proto = Object.getPrototypeOf(proto)) {
    const original = shared.originals.get(proto.constructor as ClientClass);
    if (original) return original;
  }
  throw new IamEnforcementError(
    `${client.config.serviceId} is not an SDK client local IAM enforcement patched`,
  );
}
