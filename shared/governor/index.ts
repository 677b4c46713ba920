export * from './DynamoRateGovernor';
