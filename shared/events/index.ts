export * from './EventPublisher';
export * from './errors';
export * from './schemas';
