export * from './OrderRequest';
