import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig } from './config';
import { BridgeStack } from './stacks/BridgeStack';

const app = new App();
const config = loadStageConfig({
  stage: app.node.tryGetContext('stage'),
  logRetentionDays: app.node.tryGetContext('logRetentionDays'),
  logLevel: app.node.tryGetContext('logLevel'),
  eventArchiveDays: app.node.tryGetContext('eventArchiveDays'),
  endOfDay: app.node.tryGetContext('endOfDay'),
});
new BridgeStack(app, `SendcloudBridge-${config.stage}`, {
  config,
  description: 'sendcloud-bridge: order systems to SendCloud labels and tracking',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
