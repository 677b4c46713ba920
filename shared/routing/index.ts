export * from './RuleSet';
export * from './route';
