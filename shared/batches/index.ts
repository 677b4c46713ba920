export * from './assembleBatch';
export * from './Batch';
export * from './DynamoBatchStore';
export * from './mergeBatch';
export * from './settleInBatch';
export * from './startBatch';
