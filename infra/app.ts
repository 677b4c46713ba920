import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig, stageContext } from './config';
import { addDeployAccess } from './deployAccess';
import { BridgeStack } from './stacks/BridgeStack';

const app = new App();
const config = loadStageConfig(stageContext((key) => app.node.tryGetContext(key)));
new BridgeStack(app, `SendcloudBridge-${config.stage}`, {
  config,
  description: 'sendcloud-bridge: order systems to SendCloud labels and tracking',
});
// The GitHub deploy role, only when `-c githubRepo=owner/repo` is given (docs/ci-cd.md).
addDeployAccess(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
