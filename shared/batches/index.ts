export * from './assembleBatch';
export * from './Batch';
export * from './DynamoBatchStore';
export * from './errors';
export * from './mergeBatch';
export * from './resumeStuckBatches';
export * from './settleInBatch';
export * from './startBatch';
