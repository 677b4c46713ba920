export * from './EventPublisher';
export * from './schemas';
