export * from './credentials';
export * from './env';
