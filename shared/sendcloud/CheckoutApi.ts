import { endpoint } from './endpoints';
import type { SendcloudHttp } from './SendcloudHttp';
import { DeliveryOptionsResponse } from './schemas';

export interface DeliveryOptionsQuery {
  readonly fromCountry: string;
  readonly toCountry: string;
  readonly toPostalCode?: string;
  /** Dynamic checkout takes grams. */
  readonly weightGrams: number;
  /** Decimal string in the configuration's currency. */
  readonly totalOrderValue: string;
}

/** Dynamic Checkout: the delivery options a published checkout configuration offers for an address. */
export class CheckoutApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;

  constructor(http: SendcloudHttp, options: { readonly baseUrl: string }) {
    this.#http = http;
    this.#base = options.baseUrl;
  }

  deliveryOptions(
    configurationId: string | number,
    query: DeliveryOptionsQuery,
  ): Promise<DeliveryOptionsResponse> {
    const url = endpoint(
      this.#base,
      `/checkout/configurations/${encodeURIComponent(String(configurationId))}/delivery-options`,
      {
        from_country_code: query.fromCountry,
        to_country_code: query.toCountry,
        to_postal_code: query.toPostalCode,
        weight_value: query.weightGrams,
        total_order_value: query.totalOrderValue,
      },
    );
    return this.#http.json({ method: 'GET', url, retry: true }, DeliveryOptionsResponse);
  }
}
