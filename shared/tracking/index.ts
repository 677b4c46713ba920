export * from './applyStatus';
export * from './checkStuckParcels';
export * from './normalizedStatus';
export * from './pollStatuses';
export * from './receiveWebhook';
