import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { type CfnStage, HttpApi, type HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { credentialsTemplate } from '../../shared/config/credentials';
import { DEFERRED_AGE_METRIC } from '../../shared/orders/deferMessage';
import { bridgeTable } from '../../shared/store/dynamodb/tables';
import type { StageConfig } from '../config';
import { BridgeFunction } from '../constructs/BridgeFunction';
import { acknowledgeScopedGrants, bindResources, type FunctionResources } from '../constructs/bindResources';
import { LabelBucket } from '../constructs/LabelBucket';
import { addPublicEdge } from '../constructs/PublicEdge';
import { QueueWithDlq } from '../constructs/QueueWithDlq';
import {
  declarationOf,
  FUNCTION_NAMES,
  type FunctionName,
  httpRoutes,
  scheduleExpression,
  WORKER_TIMEOUT_SECONDS,
} from '../functions';
import { settingsEnvironment, settingValues } from '../settings';

export interface BridgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The whole service in one stack: the table, the label bucket, the orders queue, the event bus, the
 * credentials secret and the alarm topic, and every function of infra/functions.ts with exactly the grants,
 * environment and triggers its declaration names.
 */
export class BridgeStack extends Stack {
  readonly bus: EventBus;
  readonly credentials: Secret;
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly alarms: Topic;
  readonly functions: Map<FunctionName, BridgeFunction>;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new EventBus(this, 'Bus', {
      description: 'sendcloud-bridge events: orders, parcels, labels, tracking',
    });
    this.bus.archive('Archive', {
      description: 'Replay of sendcloud-bridge events',
      eventPattern: { source: ['sendcloud-bridge'] },
      retention: Duration.days(config.eventArchiveDays),
    });

    // {"<account>": {"publicKey": "...", "secretKey": "...", "webhookSecrets": ["current", "previous"]}}
    // Created with placeholders in the shape the code accepts; the platform team puts the real keys after
    // deploy (README). The keys never appear in environment variables or templates.
    this.credentials = new Secret(this, 'SendcloudCredentials', {
      description: 'SendCloud API keys and webhook secrets per account (JSON; replace every REPLACE_ME)',
      secretStringValue: SecretValue.unsafePlainText(
        JSON.stringify(credentialsTemplate(Object.keys(config.accounts))),
      ),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'SendCloud API keys are issued and rotated in the SendCloud panel; there is no API to rotate them from AWS.',
    });

    // Key design: shared/store/dynamodb/tables.ts. Personal data (sk RECIPIENT) expires through `expiresAt`.
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      // The indexes the code queries, from the one definition the local stack and the tests also use.
      globalSecondaryIndexes: (bridgeTable('x').GlobalSecondaryIndexes ?? []).map((index) => {
        const [hash, range] = index.KeySchema ?? [];
        return {
          indexName: index.IndexName ?? '',
          partitionKey: { name: hash?.AttributeName ?? '', type: AttributeType.STRING },
          ...(range?.AttributeName
            ? { sortKey: { name: range.AttributeName, type: AttributeType.STRING } }
            : {}),
          projectionType:
            index.Projection?.ProjectionType === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
        };
      }),
      timeToLiveAttribute: 'expiresAt',
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const idempotency = new TableV2(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const labels = new LabelBucket(this, 'Labels').bucket;

    const orders = new QueueWithDlq(this, 'Orders', {
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT_SECONDS * 6),
    });
    // End-of-day work on a queue of its own: its consumers' slots are not the real-time orders'.
    const batches = new QueueWithDlq(this, 'Batches', {
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT_SECONDS * 6),
    });
    this.alarms = new Topic(this, 'Alarms', { displayName: 'sendcloud-bridge alarms', enforceSSL: true });
    Validations.of(this.alarms).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key; notifications carry alarm names only, no personal data.',
    });
    if (config.alarmEmail) this.alarms.addSubscription(new EmailSubscription(config.alarmEmail));
    for (const alarm of [orders.dlqAlarm, orders.ageAlarm, batches.dlqAlarm, batches.ageAlarm])
      alarm.addAlarmAction(new SnsAction(this.alarms));

    const resources: FunctionResources = {
      table: this.table,
      idempotency,
      labels,
      ordersQueue: orders.queue,
      batchQueue: batches.queue,
      bus: this.bus,
      credentials: this.credentials,
    };
    const settings = settingValues(config);
    this.functions = new Map();
    for (const name of FUNCTION_NAMES) {
      const declaration = declarationOf(name);
      const handler = new BridgeFunction(this, name, {
        entry: name,
        description: declaration.description,
        logRetention: retention(config.logRetentionDays),
        logLevel: config.logLevel,
        ...(declaration.memoryMb ? { memorySize: declaration.memoryMb } : {}),
        ...(declaration.timeoutSeconds ? { timeout: Duration.seconds(declaration.timeoutSeconds) } : {}),
        environment: settingsEnvironment(declaration, settings),
      });
      bindResources(handler, declaration.uses, resources);
      handler.errorsAlarm.addAlarmAction(new SnsAction(this.alarms));
      this.functions.set(name, handler);
    }
    // Work handed back for the rate budget is a new SQS message each time: the queues' age alarms never see
    // it. The worker reports its age since first queued; its maximum over a quarter of an hour (SQS's longest
    // delay, so a message that keeps being handed back is seen in every period) alarms like a queue's age.
    const deferredAge = new Alarm(this, 'DeferredWorkAge', {
      alarmDescription:
        'Orders handed back for the SendCloud rate budget have waited over 15 minutes since first queued: an account is saturated or its limits are set too low.',
      metric: new Metric({
        namespace: 'SendcloudBridge',
        metricName: DEFERRED_AGE_METRIC,
        dimensionsMap: { service: 'sendcloud-bridge', function: 'order-worker' },
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(15),
      }),
      threshold: Duration.minutes(15).toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deferredAge.addAlarmAction(new SnsAction(this.alarms));
    const fn = (name: FunctionName): BridgeFunction => {
      const handler = this.functions.get(name);
      if (!handler) throw new Error(`no function ${name}`);
      return handler;
    };

    this.api = new HttpApi(this, 'Api', {
      description: 'sendcloud-bridge HTTP API',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const routeSettings: Record<string, { ThrottlingBurstLimit: number; ThrottlingRateLimit: number }> = {};
    for (const { route, auth, name } of httpRoutes()) {
      const [method = '', path = ''] = route.split(' ');
      const added = this.api.addRoutes({
        path,
        methods: [method as HttpMethod],
        ...(auth === 'iam' ? {} : { authorizer: new HttpNoneAuthorizer() }),
        integration: new HttpLambdaIntegration(
          `${route.replace(/[^A-Za-z0-9]/g, '')}Integration`,
          fn(name).fn,
        ),
      });
      if (auth === 'iam') continue;
      // SendCloud cannot sign with SigV4 and browsers cannot sign at all: these routes are open at the gateway,
      // each throttled on its own. Webhooks are authenticated by their HMAC over the raw body (v3 event subscriptions:
      // by the bearer, basic or API-key credential the account configured, compared in constant time); checkout routes
      // are read-only and answer from the cache when SendCloud is slow.
      routeSettings[route] =
        auth === 'signature'
          ? {
              ThrottlingBurstLimit: config.webhooks.burstLimit,
              ThrottlingRateLimit: config.webhooks.rateLimit,
            }
          : {
              ThrottlingBurstLimit: 2 * config.checkout.rateLimit,
              ThrottlingRateLimit: config.checkout.rateLimit,
            };
      for (const open of added)
        Validations.of(open).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            auth === 'signature'
              ? 'SendCloud webhooks cannot use IAM; every delivery is authenticated by its HMAC-SHA256 signature (v3 event subscriptions: by the credential the account configured, compared in constant time).'
              : 'Checkout pages call this from shoppers’ browsers, which cannot sign with IAM; read-only, throttled per route, no personal data.',
        });
    }

    if (config.edge.enabled)
      addPublicEdge(this, this.api, {
        rateLimitPer5Min: config.edge.rateLimitPer5Min,
        webAclArn: config.edge.webAclArn,
        checkoutFunctions: [fn('service-points').fn, fn('delivery-options').fn],
      });

    const schedulerRole = new Role(this, 'EndOfDaySchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    for (const name of FUNCTION_NAMES) {
      const handler = fn(name);
      for (const trigger of declarationOf(name).triggers) {
        if (trigger.kind === 'ordersQueue' || trigger.kind === 'batchQueue')
          handler.fn.addEventSource(
            new SqsEventSource(trigger.kind === 'ordersQueue' ? orders.queue : batches.queue, {
              batchSize: trigger.batchSize,
              reportBatchItemFailures: true,
              maxConcurrency: trigger.maxConcurrency,
            }),
          );
        if (trigger.kind === 'schedule')
          new Rule(this, `${name}-schedule`, {
            description: trigger.description,
            schedule: Schedule.expression(scheduleExpression(trigger, config)),
            targets: [new LambdaFunction(handler.fn)],
          });
        if (trigger.kind === 'endOfDay') {
          handler.fn.grantInvoke(schedulerRole);
          Validations.of(schedulerRole).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(handler.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
            reason: 'grantInvoke covers the function and its versions; the role can invoke nothing else.',
          });
          for (const run of config.endOfDay) {
            const [hour, minute] = run.cutoff.split(':');
            new CfnSchedule(this, `EndOfDay-${run.account}`, {
              description: `End-of-day batch for ${run.account} at ${run.cutoff} ${run.timezone}`,
              scheduleExpression: `cron(${Number(minute)} ${Number(hour)} ? * ${run.weekdays} *)`,
              scheduleExpressionTimezone: run.timezone,
              flexibleTimeWindow: { mode: 'OFF' },
              target: {
                arn: handler.fn.functionArn,
                roleArn: schedulerRole.roleArn,
                input: JSON.stringify({ account: run.account, splitBy: run.splitBy }),
              },
            });
          }
        }
      }
    }
    acknowledgeScopedGrants(this, [...this.functions.values()], { table: this.table, labels });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: retention(config.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
    // An untyped pass-through: CloudFormation's own property names.
    stage.routeSettings = routeSettings;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        route: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        caller: '$context.identity.caller',
      }),
    };

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      description: 'Subscribe to sendcloud-bridge events with rules on this bus',
    });
    new CfnOutput(this, 'CredentialsSecretArn', {
      value: this.credentials.secretArn,
      description: 'Fill with each account’s SendCloud keys (see README, deploy guide)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topicArn, description: 'Alarms publish here' });
    for (const account of Object.keys(config.accounts))
      new CfnOutput(this, `WebhookUrl${account.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: `${this.api.apiEndpoint}/webhooks/sendcloud/${account}`,
        description: `Paste into SendCloud (Settings → Integrations → your API integration → Webhook URL) for account ${account}`,
      });
  }
}

function retention(days: number): RetentionDays {
  const known = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number' && value > 0,
  );
  return known.find((value) => value >= days) ?? RetentionDays.ONE_MONTH;
}
