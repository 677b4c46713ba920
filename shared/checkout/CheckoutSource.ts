import type {
  DeliveryOptionsQuery,
  DeliveryOptionsResponse,
  SenderAddress,
  ServicePoint,
  ServicePointSearchQuery,
  ShippingMethod,
} from '../sendcloud';

/**
 * What checkout asks SendCloud, and nothing else: an account's `SendcloudClient` is one; `NOTHING_TO_OFFER`
 * is the one an account this stage does not serve gets, so its answers have the same shape.
 */
export interface CheckoutSource {
  readonly servicePoints: {
    search(query: ServicePointSearchQuery): Promise<ServicePoint[]>;
    get(id: number): Promise<ServicePoint>;
  };
  readonly catalog: {
    shippingMethods(): Promise<ShippingMethod[]>;
    senderAddresses(): Promise<SenderAddress[]>;
  };
  readonly checkout: {
    deliveryOptions(configurationId: string, query: DeliveryOptionsQuery): Promise<DeliveryOptionsResponse>;
  };
}
