import type {
  DeliveryOptionsQuery,
  DeliveryOptionsResponse,
  SenderAddress,
  ServicePoint,
  ServicePointSearchQuery,
  ShippingMethod,
} from '../sendcloud';
import type { Catalog, CatalogQuery } from '../sendcloud/port';

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
  /**
   * API v3 accounts: the catalogue for one shipment through the account's port (v3 shipping options), in
   * place of v2's `shippingMethods` — an account opened after 13 April 2026 may have no v2 at all.
   */
  readonly catalogFor?: (query: CatalogQuery) => Promise<Catalog>;
}

/** Where checkout finds an account's SendCloud: its v2 client, and its port (v2 or v3). */
export interface CheckoutClients {
  forAccount(account: string, priority: 'checkout' | 'realtime'): Promise<CheckoutSource>;
  port(
    account: string,
    priority: 'checkout' | 'realtime',
  ): Promise<{
    readonly version: 'v2' | 'v3';
    catalog(query: CatalogQuery): Promise<Catalog>;
    /** v3: Dynamic Checkout on the v3 path (options named by shipping option code). */
    readonly checkout?: CheckoutSource['checkout'];
  }>;
}

/**
 * The account's checkout source: its v2 client, and for an API v3 account the catalogue and Dynamic
 * Checkout through its port (service points stay on the v2 service-points host, which serves v3 accounts
 * too).
 */
export async function checkoutSourceFor(
  clients: CheckoutClients,
  account: string,
  priority: 'checkout' | 'realtime',
): Promise<CheckoutSource> {
  const [client, port] = await Promise.all([
    clients.forAccount(account, priority),
    clients.port(account, priority),
  ]);
  if (port.version === 'v2') return client;
  return {
    servicePoints: client.servicePoints,
    checkout: port.checkout ?? client.checkout,
    catalog: client.catalog,
    catalogFor: (query) => port.catalog(query),
  };
}
