export { type CheckRules, checkAgainst, type ReadRuleSet, readRuleSet } from './readRuleSet';
export { type RestoreOutcome, restoreRuleSet } from './restoreRuleSet';
export { putChecked, type StoreOutcome, type StoreRuleSetDeps, storeRuleSet } from './storeRuleSet';
