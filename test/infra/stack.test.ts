import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { loadStageConfig, StageConfig, stageContext } from '../../infra/config';
import { BridgeFunction } from '../../infra/constructs/BridgeFunction';
import {
  environmentKeys,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionDeclaration,
  type FunctionName,
} from '../../infra/functions';
import { BridgeStack } from '../../infra/stacks/BridgeStack';
import { loadEnv, parseCredentials } from '../../shared/config';
import { bridgeTable } from '../../shared/store/dynamodb/tables';
import { nagFindings, testApp } from '../helpers/cdk';

const config = StageConfig.parse({});

describe('BridgeStack', () => {
  it('has a custom event bus whose sendcloud-bridge events are archived for replay', () => {
    const app = testApp();
    const template = Template.fromStack(new BridgeStack(app, 'Test', { config }));
    template.hasResourceProperties('AWS::Events::EventBus', { Name: Match.anyValue() });
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['sendcloud-bridge'] },
      RetentionDays: 30,
    });
  });

  it('keeps SendCloud credentials in a retained secret, not in the template or environment', () => {
    const template = Template.fromStack(new BridgeStack(testApp(), 'Test', { config }));
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretKey"\s*:\s*"[^"]/);
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement explained', () => {
    const app = testApp();
    new BridgeStack(app, 'Test', { config });
    expect(nagFindings(app)).toEqual([]);
  });

  it('cdk-nag is really checking (a bare bucket is flagged)', () => {
    const app = testApp();
    new Bucket(new Stack(app, 'Canary'), 'Open');
    expect(nagFindings(app).map((f) => f.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });

  it('rejects a bad stage configuration with a message that says what to fix', () => {
    expect(() => loadStageConfig({ stage: 'Prod!' })).toThrow(/stage: lowercase/);
    expect(loadStageConfig({ stage: undefined })).toMatchObject({ stage: 'dev', logRetentionDays: 30 });
  });
});

describe('BridgeStack: orders', () => {
  const template = Template.fromStack(new BridgeStack(testApp(), 'Orders', { config }));
  const resources = (type: string) => Object.entries(template.findResources(type));
  // A function's role carries the tag naming its declaration in infra/functions.ts.
  const roleOf = (name: FunctionName) =>
    resources('AWS::IAM::Role').find(([, r]) =>
      (r.Properties.Tags ?? []).some(
        (t: { Key: string; Value: string }) => t.Key === 'sendcloud-bridge:function' && t.Value === name,
      ),
    )?.[0];
  const policyOf = (name: FunctionName) => {
    const role = roleOf(name);
    expect(role, `role of ${name}`).toBeDefined();
    return JSON.stringify(
      resources('AWS::IAM::Policy').filter(([, p]) =>
        (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role),
      ),
    );
  };
  const envOf = (name: FunctionName): Record<string, unknown> => {
    const role = roleOf(name);
    const fn = resources('AWS::Lambda::Function').find(
      ([, f]) => f.Properties.Role['Fn::GetAtt'][0] === role,
    );
    return fn?.[1].Properties.Environment?.Variables ?? {};
  };

  it('serves every order route through API Gateway with IAM authorisation and throttling', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, r]) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType,
    ]);
    expect(routes.sort()).toEqual(
      [
        ['GET /orders', 'AWS_IAM'],
        ['GET /orders/{orderId}', 'AWS_IAM'],
        ['GET /orders/{orderId}/documents/{document}', 'AWS_IAM'],
        ['GET /orders/{orderId}/label', 'AWS_IAM'],
        ['POST /orders', 'AWS_IAM'],
        ['POST /orders/batch', 'AWS_IAM'],
        ['POST /orders/{orderId}/cancel', 'AWS_IAM'],
        ['POST /orders/{orderId}/retry', 'AWS_IAM'],
        ['POST /routing/explain', 'AWS_IAM'],
        ['GET /routing/rules/{account}', 'AWS_IAM'],
        ['PUT /routing/rules/{account}', 'AWS_IAM'],
        ['GET /routing/rules/{account}/versions', 'AWS_IAM'],
        ['GET /routing/rules/{account}/versions/{version}', 'AWS_IAM'],
        ['POST /routing/rules/{account}/versions/{version}/restore', 'AWS_IAM'],
        ['POST /routing/rules/{account}/v3-migration', 'AWS_IAM'],
        ['GET /parcels/status', 'AWS_IAM'],
        ['POST /batches', 'AWS_IAM'],
        ['GET /reports/{date}', 'AWS_IAM'],
        ['GET /batches/{batchId}', 'AWS_IAM'],
        ['GET /batches/{batchId}/files/{index}', 'AWS_IAM'],
        ['POST /returns', 'AWS_IAM'],
        ['GET /returns', 'AWS_IAM'],
        ['GET /returns/{returnId}', 'AWS_IAM'],
        ['GET /returns/{returnId}/label', 'AWS_IAM'],
        ['POST /returns/{returnId}/cancel', 'AWS_IAM'],
        ['POST /webhooks/sendcloud', 'NONE'],
        ['POST /webhooks/sendcloud/{account}', 'NONE'],
        ['POST /webhooks/sendcloud/{account}/events', 'NONE'],
        ['GET /service-points', 'NONE'],
        ['GET /service-points/{id}', 'NONE'],
        ['GET /delivery-options', 'NONE'],
        ['GET /checkout/component.js', 'NONE'],
      ].sort(),
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('opens only the read-only checkout routes to browsers, throttled each, without access to labels or the queue', () => {
    for (const route of ['GET /service-points', 'GET /service-points/{id}', 'GET /delivery-options'])
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: Match.objectLike({ [route]: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 } }),
      });
    for (const name of ['service-points', 'delivery-options'] as const) {
      const policy = policyOf(name);
      // the lookup cache and the rate governor, and nothing else of the table
      expect(policy).toContain('"dynamodb:LeadingKeys":["CACHE#*","GOVERNOR#*"]');
      expect(policy).toContain('secretsmanager:GetSecretValue');
      expect(policy).not.toMatch(/s3:|sqs:|events:PutEvents|dynamodb:DeleteItem|dynamodb:BatchWriteItem/);
    }
    expect(policyOf('checkout-component')).not.toMatch(/dynamodb:|s3:|sqs:|secretsmanager:/);
    const returns = policyOf('create-return');
    expect(returns).toContain('s3:PutObject');
    expect(returns).toContain('events:PutEvents');
    expect(returns).not.toMatch(/sqs:SendMessage|s3:GetObject/);
  });

  it('throttles the open webhook routes for 1M parcels a day, and their handler can only touch the table, bus, secret and queue', () => {
    for (const route of ['POST /webhooks/sendcloud', 'POST /webhooks/sendcloud/{account}'])
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        RouteSettings: Match.objectLike({
          [route]: { ThrottlingBurstLimit: 1_200, ThrottlingRateLimit: 600 },
        }),
      });
    const webhook = policyOf('sendcloud-webhook');
    expect(webhook).toContain('dynamodb:PutItem');
    expect(webhook).toContain('events:PutEvents');
    expect(webhook).toContain('secretsmanager:GetSecretValue');
    // integration_* deliveries queue a catalogue refresh; the worker reads SendCloud
    expect(webhook).toContain('sqs:SendMessage');
    expect(webhook).not.toMatch(/s3:|sqs:ReceiveMessage/);
    const rules = resources('AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression);
    expect(rules).toEqual(expect.arrayContaining(['rate(5 minutes)', 'rate(1 hour)']));
  });

  it('refreshes every account’s catalogue hourly by default, from a function that can only queue', () => {
    const rule = resources('AWS::Events::Rule').find(([, r]) =>
      String(r.Properties.Description).includes('catalogue'),
    );
    expect(rule?.[1].Properties.ScheduleExpression).toBe('rate(1 hour)');
    const refresh = policyOf('refresh-catalogs');
    expect(refresh).toContain('sqs:SendMessage');
    expect(refresh).not.toMatch(/dynamodb:|s3:|events:PutEvents|secretsmanager:/);
    expect(envOf('refresh-catalogs')).toMatchObject({
      ACCOUNTS: 'default',
      ORDERS_QUEUE_URL: expect.anything(),
    });
    expect(envOf('refresh-catalogs')).not.toHaveProperty('SENDCLOUD_CREDENTIALS_SECRET_ARN');
  });

  it("schedules each account's end-of-day run at its cut-off in its time zone", () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 16 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Amsterdam',
      Target: Match.objectLike({ Input: JSON.stringify({ account: 'default', splitBy: 'none' }) }),
    });
  });

  it('feeds the worker from a queue with a DLQ, partial batch failures and alarms', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const queues = resources('AWS::SQS::Queue');
    const main = queues.find(([, q]) => q.Properties.RedrivePolicy);
    expect(main?.[1].Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(main?.[1].Properties.VisibilityTimeout).toBe(1800);
    const dlqId = main?.[1].Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    expect(alarms.some((a) => a.includes(dlqId) && a.includes('ApproximateNumberOfMessagesVisible'))).toBe(
      true,
    );
    expect(alarms.some((a) => a.includes('ApproximateAgeOfOldestMessage'))).toBe(true);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('gives end-of-day work a queue of its own, so real-time orders keep their worker slots', () => {
    // Prepare: the two queues with a redrive policy, by logical id
    const queueIds = resources('AWS::SQS::Queue')
      .filter(([, q]) => q.Properties.RedrivePolicy)
      .map(([id]) => id);
    const ordersId = queueIds.find((id) => id.startsWith('OrdersQueue'));
    const batchesId = queueIds.find((id) => id.startsWith('BatchesQueue'));
    expect(ordersId && batchesId).toBeTruthy();

    // Assess: one mapping per queue, each with its own concurrency
    const mappings = resources('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const concurrencyOf = (id?: string) =>
      mappings.find((m) => JSON.stringify(m.EventSourceArn).includes(`"${id}"`))?.ScalingConfig
        ?.MaximumConcurrency;
    expect(concurrencyOf(ordersId)).toBe(10);
    expect(concurrencyOf(batchesId)).toBe(5);
    // real-time orders up to 10 an invocation (a backlog is created together), no batching window
    const mappingOf = (id?: string) =>
      mappings.find((m) => JSON.stringify(m.EventSourceArn).includes(`"${id}"`));
    expect(mappingOf(ordersId)).toMatchObject({ BatchSize: 10 });
    expect(mappingOf(ordersId)?.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(mappingOf(batchesId)).toMatchObject({ BatchSize: 1 });
    // each alarmed like the orders queue
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => JSON.stringify(a.Properties));
    expect(alarms.filter((a) => a.includes('ApproximateAgeOfOldestMessage'))).toHaveLength(2);
    // work handed back for the rate budget (a new message each time) is alarmed on its age since first queued
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SendcloudBridge',
      MetricName: 'DeferredMessageAgeSeconds',
      Dimensions: Match.arrayWith([{ Name: 'function', Value: 'order-worker' }]),
      Statistic: 'Maximum',
      Period: 900,
      Threshold: 900,
    });
    // who may send where: intake real time only, the end-of-day runs the batch queue only
    const sends = (name: FunctionName, id?: string) =>
      resources('AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleOf(name)))
        .some(([, p]) =>
          (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>).some(
            (st) =>
              JSON.stringify(st.Action).includes('sqs:SendMessage') &&
              JSON.stringify(st.Resource).includes(`"${id}"`),
          ),
        );
    expect([sends('create-order', ordersId), sends('create-order', batchesId)]).toEqual([true, false]);
    expect([sends('end-of-day', ordersId), sends('end-of-day', batchesId)]).toEqual([false, true]);
    expect([sends('create-batch', ordersId), sends('create-batch', batchesId)]).toEqual([false, true]);
    expect([sends('order-worker', ordersId), sends('order-worker', batchesId)]).toEqual([true, true]);
    expect(envOf('end-of-day')).not.toHaveProperty('ORDERS_QUEUE_URL');
    expect(envOf('end-of-day')).toHaveProperty('BATCH_QUEUE_URL');
  });

  it('keeps labels in a private, encrypted, TLS-only bucket with a lifecycle', () => {
    const buckets = resources('AWS::S3::Bucket').map(([, b]) => b.Properties);
    const labels = buckets.find((b) => b.LoggingConfiguration);
    expect(labels).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(JSON.stringify(labels?.LifecycleConfiguration)).toContain('STANDARD_IA');
    const policies = resources('AWS::S3::BucketPolicy').map(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    expect(
      policies.every((p) => p.includes('"aws:SecureTransport":"false"') && p.includes('"Effect":"Deny"')),
    ).toBe(true);
  });

  it('expires personal data by TTL and keeps point-in-time recovery on the table', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      // every index the code queries (the local stack's definition) exists in AWS too
      GlobalSecondaryIndexes: Match.arrayWith(
        (bridgeTable('x').GlobalSecondaryIndexes ?? []).map((index) =>
          Match.objectLike({
            IndexName: index.IndexName,
            KeySchema: index.KeySchema,
            Projection: { ProjectionType: index.Projection?.ProjectionType },
          }),
        ),
      ),
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('grants each function only what it does', () => {
    const getOrder = policyOf('get-order');
    expect(getOrder).toContain('dynamodb:GetItem');
    expect(getOrder).not.toMatch(/dynamodb:PutItem|s3:|sqs:|events:PutEvents|secretsmanager/);
    const intake = policyOf('create-order');
    expect(intake).toContain('sqs:SendMessage');
    expect(intake).not.toContain('s3:');
    for (const [, policy] of resources('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement)
        expect([statement.Action].flat()).not.toContain('*');
    }
  });

  it('lets the worker queue merges, read and write labels and merged files, and publish', () => {
    const worker = policyOf('order-worker');
    expect(worker).toContain('sqs:SendMessage');
    expect(worker).toContain('s3:GetObject');
    expect(worker).toContain('s3:PutObject');
    expect(worker).toMatch(/labels\/\*/);
    expect(worker).toMatch(/batches\/\*/);
    expect(worker).toContain('events:PutEvents');
    expect(worker).not.toContain('s3:DeleteObject');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [roleOf('order-worker'), 'Arn'] },
      MemorySize: FUNCTIONS['order-worker'].memoryMb,
      Timeout: FUNCTIONS['order-worker'].timeoutSeconds,
    });
  });

  it('lets every function that calls SendCloud read the keys and take rate-governor tokens; no other reads the keys', () => {
    for (const name of FUNCTION_NAMES) {
      const { uses } = FUNCTIONS[name] as FunctionDeclaration;
      const policy = policyOf(name);
      if (uses.sendcloud) expect(policy, name).toContain('secretsmanager:GetSecretValue');
      else expect(policy, name).not.toContain('secretsmanager:');
      if (uses.sendcloud === 'api')
        expect(
          uses.table === 'readWrite' ? policy.includes('dynamodb:UpdateItem') : policy.includes('GOVERNOR#*'),
          name,
        ).toBe(true);
    }
  });

  it('answers 404 for a missing object: every function that reads the bucket may list it', () => {
    for (const name of FUNCTION_NAMES) {
      const { uses } = FUNCTIONS[name] as FunctionDeclaration;
      if (uses.labels?.read?.length) expect(policyOf(name), name).toContain('s3:ListBucket');
    }
  });

  it('gives each function exactly the environment its declaration names, and no SendCloud keys', () => {
    for (const name of FUNCTION_NAMES) {
      const vars = envOf(name);
      const own = Object.keys(vars).filter(
        (key) => !key.startsWith('POWERTOOLS_') && key !== 'NODE_OPTIONS' && !key.startsWith('AWS_'),
      );
      expect(own.sort(), name).toEqual(environmentKeys(FUNCTIONS[name]).sort());
      expect(JSON.stringify(vars)).not.toMatch(/secretKey|publicKey|SENDCLOUD_SECRET/i);
    }
    // the functions accept what CDK writes
    const checkoutVars = envOf('delivery-options');
    expect(checkoutVars.CHECKOUT_CUTOFFS).toBe('default=16:00@Europe/Amsterdam');
    const named = {
      TABLE_NAME: 'table',
      SENDCLOUD_CREDENTIALS_SECRET_ARN: 'arn',
    };
    expect(
      loadEnv({ ...(checkoutVars as Record<string, string>), ...named }).CHECKOUT_CUTOFFS.get('default'),
    ).toEqual({ cutOff: '16:00', timeZone: 'Europe/Amsterdam' });
  });
});

describe('BridgeStack: stage configuration reaches AWS', () => {
  const staged = loadStageConfig(
    stageContext(
      (key) =>
        ({
          stage: 'prod',
          accounts: '{"default":{"zpl":true},"shop-be":{"poll":true,"shipsFrom":"BE"}}',
          alarmEmail: 'ops@shop.example',
          checkout:
            '{"origins":["https://shop.example"],"configurations":{"shop-be":"cfg-1"},"rateLimit":20}',
          endOfDay: '[{"account":"shop-be","cutoff":"15:30"}]',
          webhooks: '{"rateLimit":300,"burstLimit":500}',
          catalogRefreshMinutes: '15',
        })[key],
    ),
  );
  const template = Template.fromStack(new BridgeStack(testApp(), 'Staged', { config: staged }));
  const resources = (type: string) => Object.entries(template.findResources(type));
  const envs = () =>
    resources('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment?.Variables ?? {});

  it('parses JSON-valued keys given with -c key=JSON, and names a key whose JSON is broken', () => {
    expect(staged.checkout.origins).toEqual(['https://shop.example']);
    expect(() => stageContext((key) => (key === 'endOfDay' ? '[{"account":' : undefined))).toThrow(
      /endOfDay: not valid JSON/,
    );
    expect(() => loadStageConfig({ endOfDay: [{ account: 'nobody', cutoff: '16:00' }] })).toThrow(
      /endOfDay.0.account: "nobody" is not in accounts/,
    );
  });

  it('hands checkout origins, configurations, ZPL, polled accounts and sender countries to the functions that read them', () => {
    const checkout = envs().filter((v) => v.CHECKOUT_ORIGINS !== undefined);
    expect(checkout.length).toBeGreaterThan(0);
    for (const vars of checkout) {
      expect(vars.CHECKOUT_ORIGINS).toBe('https://shop.example');
      expect(vars.CHECKOUT_CONFIGURATIONS).toBe('shop-be=cfg-1');
    }
    expect(envs().find((v) => v.ZPL_ACCOUNTS !== undefined)?.ZPL_ACCOUNTS).toBe('default');
    expect(envs().find((v) => v.POLL_ACCOUNTS !== undefined)?.POLL_ACCOUNTS).toBe('shop-be');
    // intake decides customs from each account's sender country
    const shipsFrom = envs().filter((v) => v.SHIPS_FROM !== undefined);
    expect(shipsFrom.length).toBe(3);
    for (const vars of shipsFrom) expect(vars.SHIPS_FROM).toBe('default=NL,shop-be=BE');
    expect(() => loadStageConfig({ accounts: { default: { shipsFrom: 'UK' } } })).toThrow(
      /accounts.default.shipsFrom: an ISO 3166-1 country code/,
    );
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectLike({
        'GET /delivery-options': { ThrottlingBurstLimit: 40, ThrottlingRateLimit: 20 },
        'POST /webhooks/sendcloud/{account}': { ThrottlingBurstLimit: 500, ThrottlingRateLimit: 300 },
      }),
    });
  });

  it('refreshes the catalogues as often as catalogRefreshMinutes says, and refuses less than 5 minutes', () => {
    const rules = resources('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules.find((r) => String(r.Description).includes('catalogue'))?.ScheduleExpression).toBe(
      'rate(15 minutes)',
    );
    expect(() => loadStageConfig({ catalogRefreshMinutes: 1 })).toThrow(/catalogRefreshMinutes/);
  });

  it('sends every alarm to the alarm topic, which e-mails the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@shop.example',
    });
    const topic = resources('AWS::SNS::Topic')[0]?.[0];
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(FUNCTION_NAMES.length);
    for (const [id, alarm] of alarms) expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topic }]);
  });

  it('creates the credentials secret from a JSON template the code accepts once the keys are filled in', () => {
    const [, secret] = resources('AWS::SecretsManager::Secret')[0] ?? [];
    const document = JSON.parse(secret?.Properties.SecretString);
    expect(Object.keys(document)).toEqual(['default', 'shop-be']);
    expect(() => parseCredentials(document, 'the secret')).toThrow(
      /default.publicKey: publicKey still holds the placeholder/,
    );
    const filled = Object.fromEntries(
      Object.entries(document).map(([account, entry]) => [
        account,
        { ...(entry as object), publicKey: 'pk', secretKey: 'sk' },
      ]),
    );
    expect(Object.keys(parseCredentials(filled, 'the secret'))).toEqual(['default', 'shop-be']);
  });

  it('outputs the API URL, the event bus and the webhook URL of every account', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'EventBusName', 'WebhookUrldefault', 'WebhookUrlshopbe']),
    );
    expect(JSON.stringify(outputs.WebhookUrlshopbe?.Value)).toContain('/webhooks/sendcloud/shop-be');
  });
});

describe('BridgeFunction (the house Lambda)', () => {
  function build() {
    const stack = new Stack(testApp(), 'Fn');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const fn = new BridgeFunction(stack, 'Echo', {
      entry: 'echo',
      functionsDir: `${import.meta.dirname}/fixtures`,
      description: 'echo',
      logRetention: RetentionDays.ONE_MONTH,
      logLevel: 'INFO',
      timeout: Duration.seconds(5),
    }).bindTable(table, { env: 'TABLE_NAME', access: 'read' });
    return { template: Template.fromStack(stack), fn };
  }

  it('runs Node.js 22 on arm64 with tracing, JSON logs, source maps and Powertools settings', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 5,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'sendcloud-bridge',
          POWERTOOLS_METRICS_NAMESPACE: 'SendcloudBridge',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('binds a table read-only when asked: no write actions granted', () => {
    const { template } = build();
    const policies = template.findResources('AWS::IAM::Policy');
    const actions = JSON.stringify(policies);
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:PutItem');
  });
});
