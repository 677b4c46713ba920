import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { bridgeTable } from '../../shared/store/dynamodb/tables';
import type { StageConfig } from '../config';
import { BridgeFunction, type BridgeFunctionProps } from '../constructs/BridgeFunction';
import { LabelBucket } from '../constructs/LabelBucket';
import { QueueWithDlq } from '../constructs/QueueWithDlq';

export interface BridgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The whole service in one stack: the HTTP API (IAM-authorised), the orders queue and its worker, the
 * table, the label bucket, the event bus and the credentials secret.
 */
export class BridgeStack extends Stack {
  readonly bus: EventBus;
  readonly credentials: Secret;
  readonly table: TableV2;
  readonly api: HttpApi;

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
    // Filled by the platform team after deploy; never in environment variables or templates.
    this.credentials = new Secret(this, 'SendcloudCredentials', {
      description: 'SendCloud API keys and webhook secrets per account (JSON)',
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

    const workerTimeout = Duration.minutes(5);
    const orders = new QueueWithDlq(this, 'Orders', {
      visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
    });

    const common = {
      TABLE_NAME: this.table.tableName,
      IDEMPOTENCY_TABLE_NAME: idempotency.tableName,
      ORDERS_QUEUE_URL: orders.queue.queueUrl,
      LABEL_BUCKET: labels.bucketName,
      EVENT_BUS_NAME: this.bus.eventBusName,
      SENDCLOUD_CREDENTIALS_SECRET_ARN: this.credentials.secretArn,
      CHECKOUT_ORIGINS: config.checkout.origins.join(','),
      CHECKOUT_CONFIGURATIONS: Object.entries(config.checkout.configurations)
        .map(([account, id]) => `${account}=${id}`)
        .join(','),
      CHECKOUT_CUTOFF: config.checkout.cutoff,
      // Checkout promises the hand-over of each account's own end-of-day run.
      CHECKOUT_CUTOFFS: config.endOfDay
        .map((run) => `${run.account}=${run.cutoff}@${run.timezone}`)
        .join(','),
      CHECKOUT_TIME_ZONE: config.checkout.timezone,
      CHECKOUT_CACHE_SECONDS: String(config.checkout.cacheSeconds),
    };
    const fn = (name: string, description: string, extra: Partial<BridgeFunctionProps> = {}) =>
      new BridgeFunction(this, name, {
        entry: name,
        description,
        logRetention: retention(config.logRetentionDays),
        logLevel: config.logLevel,
        environment: common,
        ...extra,
      });

    const createOrder = fn('create-order', 'POST /orders');
    const createBatch = fn('create-order-batch', 'POST /orders/batch', {
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    const getOrder = fn('get-order', 'GET /orders/{orderId}');
    const getLabel = fn('get-order-label', 'GET /orders/{orderId}/label', { timeout: Duration.seconds(29) });
    const explain = fn('explain-routing', 'POST /routing/explain', { timeout: Duration.seconds(29) });
    const rulesFn = fn('routing-rules', 'GET/PUT /routing/rules/{account}');
    const requeue = fn(
      'requeue-stuck-orders',
      'Every 5 min: queue orders pending for more than 10 min again',
    );
    const webhook = fn(
      'sendcloud-webhook',
      'POST /webhooks/sendcloud[/{account}] (HMAC-signed by SendCloud)',
    );
    const parcelStatus = fn('get-parcel-status', 'GET /parcels/status?ids=');
    const poller = fn('poll-parcel-statuses', 'Every 5 min: statuses of accounts without webhooks', {
      timeout: Duration.minutes(5),
    });
    const stuck = fn('check-stuck-parcels', 'Hourly: parcels announced but never scanned', {
      timeout: Duration.minutes(5),
    });
    const createBatchFn = fn('create-batch', 'POST /batches');
    const getBatch = fn('get-batch', 'GET /batches/{batchId}[/files/{index}]', {
      timeout: Duration.seconds(29),
    });
    const endOfDay = fn('end-of-day', 'Scheduled end-of-day run per account', {
      timeout: Duration.minutes(5),
    });
    const reportJob = fn('daily-report', "Daily 00:30 UTC: yesterday's shipping report per account", {
      timeout: Duration.minutes(10),
      memorySize: 1024,
    });
    const getReport = fn('get-report', 'GET /reports/{date}', {
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    const servicePoints = fn(
      'service-points',
      'GET /service-points, /service-points/{id} (public, checkout)',
      {
        timeout: Duration.seconds(10),
      },
    );
    const deliveryOptions = fn('delivery-options', 'GET /delivery-options (public, checkout)', {
      timeout: Duration.seconds(10),
    });
    const component = fn('checkout-component', 'GET /checkout/component.js (public)', { memorySize: 128 });
    const createReturn = fn('create-return', 'POST /returns', { timeout: Duration.seconds(29) });
    const getReturns = fn('get-returns', 'GET /returns, /returns/{returnId}[/label]', {
      timeout: Duration.seconds(29),
    });
    const worker = fn('order-worker', 'Orders queue: route, create the parcel, store labels, publish', {
      timeout: workerTimeout,
      memorySize: 512,
    });

    for (const intake of [createOrder, createBatch]) {
      this.table.grantReadWriteData(intake.fn);
      idempotency.grantReadWriteData(intake.fn);
      orders.queue.grantSendMessages(intake.fn);
      this.bus.grantPutEventsTo(intake.fn);
      this.credentials.grantRead(intake.fn);
    }
    this.table.grantReadData(getOrder.fn);
    this.table.grantReadData(getLabel.fn);
    // Labels are read by key and the A4 sheet is stored on first request: get and put, nothing else.
    getLabel.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [labels.arnForObjects('labels/*')],
      }),
    );
    this.credentials.grantRead(getLabel.fn);
    this.table.grantReadData(requeue.fn);
    orders.queue.grantSendMessages(requeue.fn);
    new Rule(this, 'RequeueSchedule', {
      description: 'Sweep orders stuck before their parcel',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(requeue.fn)],
    });
    for (const tracking of [webhook, poller, stuck]) {
      this.table.grantReadWriteData(tracking.fn);
      this.bus.grantPutEventsTo(tracking.fn);
    }
    this.credentials.grantRead(webhook.fn);
    this.credentials.grantRead(poller.fn);
    this.table.grantReadData(parcelStatus.fn);
    new Rule(this, 'PollSchedule', {
      description: 'Poll parcel statuses (accounts without webhooks)',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(poller.fn)],
    });
    new Rule(this, 'StuckSchedule', {
      description: 'Report parcels without a carrier scan',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(stuck.fn)],
    });
    for (const starter of [createBatchFn, endOfDay]) {
      this.table.grantReadWriteData(starter.fn);
      orders.queue.grantSendMessages(starter.fn);
    }
    this.credentials.grantRead(createBatchFn.fn);
    this.table.grantReadData(getBatch.fn);
    getBatch.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [labels.arnForObjects('batches/*')] }),
    );
    const schedulerRole = new Role(this, 'EndOfDaySchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    endOfDay.fn.grantInvoke(schedulerRole);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(endOfDay.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
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
          arn: endOfDay.fn.functionArn,
          roleArn: schedulerRole.roleArn,
          input: JSON.stringify({ account: run.account, splitBy: run.splitBy }),
        },
      });
    }
    for (const reporter of [reportJob, getReport]) {
      this.table.grantReadData(reporter.fn);
      this.credentials.grantRead(reporter.fn);
      reporter.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:GetObject'],
          resources: [labels.arnForObjects('reports/*')],
        }),
      );
      Validations.of(reporter.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(labels.node.defaultChild as CfnElement)}.Arn>/reports/*]`,
        reason: 'Reports live under reports/<account>/<date>; nothing else is touched.',
      });
    }
    new Rule(this, 'ReportSchedule', {
      description: 'Daily shipping report',
      schedule: Schedule.cron({ minute: '30', hour: '0' }),
      targets: [new LambdaFunction(reportJob.fn)],
    });
    // Checkout lookups cache their answers in the table (and read rules and method health there).
    for (const checkout of [servicePoints, deliveryOptions]) {
      this.table.grantReadWriteData(checkout.fn);
      this.credentials.grantRead(checkout.fn);
    }
    this.table.grantReadWriteData(createReturn.fn);
    idempotency.grantReadWriteData(createReturn.fn);
    this.bus.grantPutEventsTo(createReturn.fn);
    this.credentials.grantRead(createReturn.fn);
    createReturn.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [labels.arnForObjects('labels/*')] }),
    );
    this.table.grantReadData(getReturns.fn);
    this.credentials.grantRead(getReturns.fn);
    getReturns.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [labels.arnForObjects('labels/*')] }),
    );
    this.table.grantReadWriteData(rulesFn.fn);
    this.credentials.grantRead(rulesFn.fn);
    this.table.grantReadData(explain.fn);
    this.credentials.grantRead(explain.fn);
    this.table.grantReadWriteData(worker.fn);
    worker.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [labels.arnForObjects('labels/*')] }),
    );
    this.bus.grantPutEventsTo(worker.fn);
    this.credentials.grantRead(worker.fn);
    const tableId = this.getLogicalId(this.table.node.defaultChild as CfnElement);
    const bucketId = this.getLogicalId(labels.node.defaultChild as CfnElement);
    for (const handler of [
      createOrder,
      createBatch,
      getOrder,
      getLabel,
      explain,
      rulesFn,
      requeue,
      webhook,
      parcelStatus,
      poller,
      stuck,
      createBatchFn,
      getBatch,
      endOfDay,
      reportJob,
      getReport,
      servicePoints,
      deliveryOptions,
      createReturn,
      getReturns,
      worker,
    ]) {
      Validations.of(handler.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: "Reads by order id go through the table's GSI; the grant covers its indexes only.",
      });
    }
    Validations.of(getBatch.fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/batches/*]`,
      reason: 'Merged batch files live under batches/; read only.',
    });
    Validations.of(worker.fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/batches/*]`,
      reason: 'The worker writes merged batch files under batches/ only.',
    });
    for (const handler of [getLabel, worker, createReturn, getReturns]) {
      Validations.of(handler.fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/labels/*]`,
        reason:
          'Label keys are per account/channel/order; access is limited to the labels/ prefix and to get/put.',
      });
    }
    worker.fn.addEventSource(
      // One message per invocation: a batch message already holds 50 orders and SendCloud's budget sets the pace;
      // concurrency keeps real-time orders moving beside a running batch.
      new SqsEventSource(orders.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    this.api = new HttpApi(this, 'Api', {
      description: 'sendcloud-bridge HTTP API',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const routes: Array<[string, HttpMethod, BridgeFunction]> = [
      ['/orders', HttpMethod.POST, createOrder],
      ['/orders/batch', HttpMethod.POST, createBatch],
      ['/orders/{orderId}', HttpMethod.GET, getOrder],
      ['/orders/{orderId}/label', HttpMethod.GET, getLabel],
      ['/routing/explain', HttpMethod.POST, explain],
      ['/routing/rules/{account}', HttpMethod.GET, rulesFn],
      ['/routing/rules/{account}', HttpMethod.PUT, rulesFn],
      ['/parcels/status', HttpMethod.GET, parcelStatus],
      ['/reports/{date}', HttpMethod.GET, getReport],
      ['/batches', HttpMethod.POST, createBatchFn],
      ['/batches/{batchId}', HttpMethod.GET, getBatch],
      ['/batches/{batchId}/files/{index}', HttpMethod.GET, getBatch],
      ['/returns', HttpMethod.POST, createReturn],
      ['/returns', HttpMethod.GET, getReturns],
      ['/returns/{returnId}', HttpMethod.GET, getReturns],
      ['/returns/{returnId}/label', HttpMethod.GET, getReturns],
    ];
    for (const [path, method, handler] of routes) {
      this.api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${handler.node.id}Integration`, handler.fn),
      });
    }
    // SendCloud cannot sign with SigV4: these routes are open at the gateway and the function checks the
    // HMAC signature over the raw body before anything else. Throttled harder than the rest.
    for (const path of ['/webhooks/sendcloud', '/webhooks/sendcloud/{account}']) {
      const open = this.api.addRoutes({
        path,
        methods: [HttpMethod.POST],
        authorizer: new HttpNoneAuthorizer(),
        integration: new HttpLambdaIntegration(`Webhook${path.length}Integration`, webhook.fn),
      });
      for (const route of open) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'SendCloud webhooks cannot use IAM; every delivery is authenticated by its HMAC-SHA256 signature.',
        });
      }
    }
    // Checkout pages call these from shoppers' browsers: no IAM, each throttled on its own, read-only, and
    // they answer from the cache when SendCloud is slow (functions add CORS for the configured shop origins).
    const publicRoutes: Array<[string, BridgeFunction]> = [
      ['/service-points', servicePoints],
      ['/service-points/{id}', servicePoints],
      ['/delivery-options', deliveryOptions],
      ['/checkout/component.js', component],
    ];
    for (const [path, handler] of publicRoutes) {
      const open = this.api.addRoutes({
        path,
        methods: [HttpMethod.GET],
        authorizer: new HttpNoneAuthorizer(),
        integration: new HttpLambdaIntegration(
          `Public${handler.node.id}${path.length}Integration`,
          handler.fn,
        ),
      });
      for (const route of open) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Checkout pages call this from shoppers’ browsers, which cannot sign with IAM; read-only, throttled per route, no personal data.',
        });
      }
    }
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: retention(config.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
    // An untyped pass-through: CloudFormation's own property names.
    stage.routeSettings = {
      'POST /webhooks/sendcloud': { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      'POST /webhooks/sendcloud/{account}': { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      ...Object.fromEntries(
        publicRoutes.map(([path]) => [
          `GET ${path}`,
          {
            ThrottlingBurstLimit: 2 * config.checkout.rateLimit,
            ThrottlingRateLimit: config.checkout.rateLimit,
          },
        ]),
      ),
    };
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

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'CredentialsSecretArn', { value: this.credentials.secretArn });
  }
}

function retention(days: number): RetentionDays {
  const known = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number' && value > 0,
  );
  return known.find((value) => value >= days) ?? RetentionDays.ONE_MONTH;
}
