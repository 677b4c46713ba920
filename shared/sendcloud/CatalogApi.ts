import { endpoint } from './endpoints';
import type { SendcloudHttp } from './SendcloudHttp';
import {
  ParcelStatusList,
  type SenderAddress,
  SenderAddressEnvelope,
  SenderAddressesResponse,
  type ShippingMethod,
  ShippingMethodEnvelope,
  ShippingMethodsResponse,
  type ShippingPrice,
  ShippingPriceResponse,
} from './schemas';

export interface ShippingMethodQuery {
  /** A sender address id, or `all` for every sender address. */
  readonly senderAddress?: number | 'all';
  readonly toCountry?: string;
  readonly fromPostalCode?: string;
  readonly toPostalCode?: string;
  readonly isReturn?: boolean;
  readonly servicePointId?: number;
}

export interface ShippingPriceQuery {
  readonly shippingMethodId: number;
  readonly fromCountry: string;
  readonly toCountry?: string;
  readonly weightGrams?: number;
  readonly fromPostalCode?: string;
  readonly toPostalCode?: string;
  readonly contractId?: number;
}

/** Shipping methods, prices, sender addresses and the parcel status list: the account's catalogue. */
export class CatalogApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;

  constructor(http: SendcloudHttp, options: { readonly baseUrl: string }) {
    this.#http = http;
    this.#base = options.baseUrl;
  }

  async shippingMethods(query: ShippingMethodQuery = {}): Promise<ShippingMethod[]> {
    const url = endpoint(this.#base, '/shipping_methods', methodQuery(query));
    return (await this.#http.json({ method: 'GET', url, retry: true }, ShippingMethodsResponse))
      .shipping_methods;
  }

  async shippingMethod(id: number, query: ShippingMethodQuery = {}): Promise<ShippingMethod> {
    const url = endpoint(this.#base, `/shipping_methods/${id}`, methodQuery(query));
    return (await this.#http.json({ method: 'GET', url, retry: true }, ShippingMethodEnvelope))
      .shipping_method;
  }

  /** Price of one method, one element per destination (one when `toCountry` is given). */
  shippingPrice(query: ShippingPriceQuery): Promise<ShippingPrice[]> {
    const url = endpoint(this.#base, '/shipping-price', {
      shipping_method_id: query.shippingMethodId,
      from_country: query.fromCountry,
      to_country: query.toCountry,
      weight: query.weightGrams,
      weight_unit: query.weightGrams === undefined ? undefined : 'gram',
      from_postal_code: query.fromPostalCode,
      to_postal_code: query.toPostalCode,
      contract: query.contractId,
    });
    return this.#http.json({ method: 'GET', url, retry: true }, ShippingPriceResponse);
  }

  async senderAddresses(): Promise<SenderAddress[]> {
    const url = endpoint(this.#base, '/user/addresses/sender');
    return (await this.#http.json({ method: 'GET', url, retry: true }, SenderAddressesResponse))
      .sender_addresses;
  }

  async senderAddress(id: number): Promise<SenderAddress> {
    const url = endpoint(this.#base, `/user/addresses/sender/${id}`);
    return (await this.#http.json({ method: 'GET', url, retry: true }, SenderAddressEnvelope)).sender_address;
  }

  parcelStatuses(): Promise<ParcelStatusList> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, '/parcels/statuses'), retry: true },
      ParcelStatusList,
    );
  }
}

function methodQuery(query: ShippingMethodQuery) {
  return {
    sender_address: query.senderAddress,
    to_country: query.toCountry,
    from_postal_code: query.fromPostalCode,
    to_postal_code: query.toPostalCode,
    is_return: query.isReturn,
    service_point_id: query.servicePointId,
  };
}
