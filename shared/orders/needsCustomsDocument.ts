import type { OrderRecord } from './Order';
import { EU } from './OrderRequest';

/**
 * A parcel leaving the EU customs territory carries a customs document in its box. The same destinations
 * for which intake asks customs lines (`items` with HS code and origin, by country and postal code: see
 * `customsTerritory`) — so every such order has the data.
 */
export const needsCustomsDocument = (order: Pick<OrderRecord, 'spec'>): boolean =>
  order.spec.customsRequired ?? !EU.has(order.spec.toCountry);
