export * from './catalog';
export * from './checkoutResponse';
export * from './deliveryDates';
export * from './deliveryOptions';
export * from './LookupCache';
export * from './servicePointCheck';
export * from './servicePoints';
