export { labelOnA4 } from './a4';
export { OAuth2Authorization, type OAuth2AuthorizationOptions, type V3AuthMode } from './auth';
export { CATALOG_TTL_MS, CatalogApi, type CatalogApiOptions } from './CatalogApi';
export type { A4Position, ComposeA4 } from './DocumentsApi';
export { DocumentsApi } from './DocumentsApi';
export { describeErrors, errorDetails, V3AnnounceManyError, v3ErrorFromResponse } from './errors';
export { type OrderLabelResult, OrdersApi } from './OrdersApi';
export { type OrderBody, type OrderOptions, toOrderBody } from './orderWire';
export { ReturnsApi, type ReturnsApiOptions } from './ReturnsApi';
export { type SenderAddress, SenderAddressesApi } from './SenderAddressesApi';
export { type CancelOutcome, ShipmentsApi } from './ShipmentsApi';
export { shipmentState, statusFromLabel, statusFromV2, statusFromV3, UNKNOWN_STATUS_ID } from './statuses';
export { nextLink, V3Http } from './V3Http';
export {
  SENDCLOUD_V3_BASE_URL,
  SENDCLOUD_V3_SERVICE_POINTS_BASE_URL,
  V3Port,
  type V3PortOptions,
} from './V3Port';
export {
  type ReturnBody,
  type ShipmentBody,
  toReturnBody,
  toShipmentBody,
  toV3Address,
  type V3Address,
} from './wire';
