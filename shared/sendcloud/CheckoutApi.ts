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
  readonly dimensionsCm?: { readonly length: number; readonly width: number; readonly height: number };
}

/**
 * Dynamic Checkout: the delivery options a published checkout configuration offers for an address. v2 and
 * v3 share the path below their base; v3 names each option by its shipping option code
 * (`checkout_identifier_type=shipping_option_code`), which goes into `ship_with` as it is.
 */
export class CheckoutApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;
  readonly #identifier: 'shipping_option_code' | undefined;

  constructor(
    http: SendcloudHttp,
    options: { readonly baseUrl: string; readonly identifierType?: 'shipping_option_code' },
  ) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#identifier = options.identifierType;
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
        parcel_length: query.dimensionsCm?.length,
        parcel_width: query.dimensionsCm?.width,
        parcel_height: query.dimensionsCm?.height,
        checkout_identifier_type: this.#identifier,
      },
    );
    return this.#http.json({ method: 'GET', url, retry: true }, DeliveryOptionsResponse);
  }
}
