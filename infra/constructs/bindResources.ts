import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { type FunctionUses, RESOURCE_ENV, type TableKeyPrefix } from '../functions';
import type { BridgeFunction } from './BridgeFunction';

export interface FunctionResources {
  readonly table: TableV2;
  readonly idempotency: TableV2;
  readonly labels: Bucket;
  readonly ordersQueue: Queue;
  readonly batchQueue: Queue;
  readonly bus: EventBus;
  readonly credentials: Secret;
}

/**
 * Grants a function what its declaration says it uses, and hands it each resource's name in the same step:
 * a grant never comes without its environment variable, nor the variable without its grant.
 */
export function bindResources(
  handler: BridgeFunction,
  uses: FunctionUses,
  resources: FunctionResources,
): void {
  const { fn } = handler;
  const env = (key: string, value: string) => fn.addEnvironment(key, value);
  if (uses.table || uses.tableWrites || uses.sendcloud === 'api')
    env(RESOURCE_ENV.table, resources.table.tableName);
  if (uses.table === 'read') resources.table.grantReadData(fn);
  if (uses.table === 'readWrite') resources.table.grantReadWriteData(fn);
  // Rate-governor tokens are items of the table: a function that calls SendCloud takes them even if it
  // otherwise only reads.
  const narrowWrites = new Set<TableKeyPrefix>(uses.tableWrites ?? []);
  if (uses.sendcloud === 'api') narrowWrites.add('GOVERNOR');
  if (uses.table !== 'readWrite' && narrowWrites.size > 0) {
    if (!uses.table) resources.table.grantReadData(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [resources.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...narrowWrites].map((p) => `${p}#*`) },
        },
      }),
    );
  }
  if (uses.idempotency) {
    env(RESOURCE_ENV.idempotency, resources.idempotency.tableName);
    resources.idempotency.grantReadWriteData(fn);
  }
  if (uses.labels) {
    env(RESOURCE_ENV.labels, resources.labels.bucketName);
    const objects = (prefixes: readonly string[] = []) =>
      prefixes.map((prefix) => resources.labels.arnForObjects(`${prefix}/*`));
    if (uses.labels.read?.length)
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:GetObject'], resources: objects(uses.labels.read) }),
      );
    if (uses.labels.write?.length)
      fn.addToRolePolicy(
        new PolicyStatement({
          // Create, UploadPart and Complete of a multipart upload are s3:PutObject too.
          actions: ['s3:PutObject', ...(uses.labels.multipart ? ['s3:AbortMultipartUpload'] : [])],
          resources: objects(uses.labels.write),
        }),
      );
    // Without ListBucket S3 answers 403 for a missing key; with it, 404 (the functions answer 404 in turn).
    if (uses.labels.list)
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [resources.labels.bucketArn] }),
      );
  }
  if (uses.ordersQueue) {
    env(RESOURCE_ENV.ordersQueue, resources.ordersQueue.queueUrl);
    resources.ordersQueue.grantSendMessages(fn);
  }
  if (uses.batchQueue) {
    env(RESOURCE_ENV.batchQueue, resources.batchQueue.queueUrl);
    resources.batchQueue.grantSendMessages(fn);
  }
  if (uses.events) {
    env(RESOURCE_ENV.events, resources.bus.eventBusName);
    resources.bus.grantPutEventsTo(fn);
  }
  if (uses.sendcloud) {
    env(RESOURCE_ENV.sendcloud, resources.credentials.secretArn);
    resources.credentials.grantRead(fn);
  }
}

/** cdk-nag's wildcard findings for the scoped grants above, each with why the wildcard is the narrowest. */
export function acknowledgeScopedGrants(
  stack: Stack,
  handlers: readonly BridgeFunction[],
  resources: { readonly table: TableV2; readonly labels: Bucket },
): void {
  const tableId = stack.getLogicalId(resources.table.node.defaultChild as CfnElement);
  const bucketId = stack.getLogicalId(resources.labels.node.defaultChild as CfnElement);
  const reasons: Record<string, string> = {
    [`Resource::<${tableId}.Arn>/index/*`]:
      "Reads by order id and day go through the table's GSIs; the grant covers its indexes only.",
    [`Resource::<${bucketId}.Arn>/labels/*`]:
      'Label keys are per account/channel/order; access is limited to the labels/ prefix.',
    [`Resource::<${bucketId}.Arn>/batches/*`]: 'Merged end-of-day files live under batches/ only.',
    [`Resource::<${bucketId}.Arn>/reports/*`]: 'Reports live under reports/<account>/<date> only.',
  };
  for (const handler of handlers)
    for (const [finding, reason] of Object.entries(reasons))
      Validations.of(handler.fn).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}
