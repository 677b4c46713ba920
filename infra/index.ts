export { loadStageConfig, StageConfig } from './config';
export { BridgeFunction } from './constructs/BridgeFunction';
export { BridgeStack } from './stacks/BridgeStack';
