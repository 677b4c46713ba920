export { type CheckoutClients, type CheckoutSource, checkoutSourceFor } from './CheckoutSource';
export { type Catalog, carrierName, catalogOf } from './catalog';
export { checkoutCacheControl, checkoutResponse } from './checkoutResponse';
export { type ClientRequest, clientAddress, EDGE_TOKEN_HEADER, VIEWER_ADDRESS_HEADER } from './clientAddress';
export { clientIdOf, clientKeyOf, clientNetwork } from './clientId';
export { createPublicCheckout, type PublicCheckoutServices } from './createPublicCheckout';
export { deliveryDates, type Schedule, transitDays } from './deliveryDates';
export {
  type DeliveryChoice,
  type DeliveryOptionsAnswer,
  type DeliveryOptionsDeps,
  DeliveryOptionsParams,
  deliveryOptions,
} from './deliveryOptions';
export {
  type CacheStore,
  DynamoCacheStore,
  type Looked,
  LookupCache,
  type LookupCacheOptions,
  type Lookups,
  UpstreamUnavailableError,
} from './LookupCache';
export { NOTHING_TO_OFFER } from './nothingToOffer';
export { type CheckoutAccess, PublicCheckout, type PublicCheckoutDeps } from './PublicCheckout';
export { loadPublicCheckoutEnv, PublicCheckoutEnv } from './PublicCheckoutEnv';
export { AccountParam, CountryParam, PostalCodeParam } from './params';
export {
  checkServicePoint,
  type FieldProblem,
  problemsError,
  type ServicePointCheckDeps,
} from './servicePointCheck';
export {
  getServicePoint,
  isNotFound,
  type OpeningDay,
  openingHours,
  ServicePointQuery,
  type ServicePointsAnswer,
  type ServicePointView,
  searchServicePoints,
  servicePointView,
} from './servicePoints';
