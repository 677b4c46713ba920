import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { loadStageConfig, StageConfig } from '../../infra/config';
import { BridgeFunction } from '../../infra/constructs/BridgeFunction';
import { BridgeStack } from '../../infra/stacks/BridgeStack';
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
