export * from './checkRuleSet';
export * from './migrateToV3';
export * from './RuleSet';
export * from './route';
export * from './ruleSetHash';
