export * from './dynamodb/DynamoCatalogStore';
export * from './dynamodb/DynamoMethodHealth';
export * from './dynamodb/DynamoOrderStore';
export * from './dynamodb/DynamoRulesStore';
export * from './dynamodb/DynamoTrackingStore';
export * from './dynamodb/tables';
export * from './OrderStore';
export * from './TrackingStore';
