export * from './errorLog';
export * from './errors';
export * from './idempotencyKey';
export * from './request';
