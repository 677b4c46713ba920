export * from './accounts';
export type { ShippingMethodQuery, ShippingPriceQuery } from './CatalogApi';
export type { DeliveryOptionsQuery } from './CheckoutApi';
export * from './draft';
export * from './errors';
export type { NormalPrinterPosition } from './LabelsApi';
export type {
  BatchItemResult,
  CancelResult,
  CreatedParcel,
  CreateParcelOptions,
  ParcelFilter,
} from './ParcelsApi';
export { pythonJsonDumps } from './pythonJson';
export * from './RateLimiter';
export type { ReturnDraft } from './ReturnsApi';
export * from './retry';
export * from './SendcloudClient';
export type { SendcloudAttempt, SendcloudCredentials, SendcloudHttpOptions } from './SendcloudHttp';
export * from './schemas';
export * from './signature';
export * from './units';
