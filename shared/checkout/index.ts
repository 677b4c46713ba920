export * from './checkoutResponse';
export * from './deliveryOptions';
export * from './LookupCache';
export * from './servicePointCheck';
export * from './servicePoints';
