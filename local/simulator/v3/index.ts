export { type ErrorObject, jsonApiError } from './errors';
export { invalidClient, TOKEN_LIFETIME_S } from './oauth';
export { SHIPPING_OPTIONS, type SimShippingOption } from './options';
export { TOKEN_PATH } from './routes';
export { slugOf, V3_STATUSES, v3Code } from './statusCodes';
export type { ReturnRecord, ShipmentRecord, V3Snapshot } from './store';
export { V3Simulator } from './V3Simulator';
