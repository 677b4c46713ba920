import { endpoint } from '../endpoints';
import type { AccountMethod, Catalog, CatalogMethod, CatalogQuery, MethodRef } from '../port';
import { v3MethodRef } from '../port';
import type { SenderAddressesApi } from './SenderAddressesApi';
import { CompatShippingOptions, type ShippingOption, ShippingOptions, type Weight } from './schemas';
import type { V3Http } from './V3Http';

/** Method ids are volatile at SendCloud, and every quote is a POST against the write budget. */
export const CATALOG_TTL_MS = 10 * 60_000;
const COMPAT_BATCH = 100;

export interface CatalogApiOptions {
  readonly baseUrl: string;
  readonly clock: () => number;
  /** Where quotes are from unless the query says. */
  readonly senders: SenderAddressesApi;
  readonly ttlMs?: number;
}

/**
 * Shipping options (`POST /shipping-options` with quotes), the v2 → v3 method map
 * (`POST /compat/shipping-options`); quotes are cached per distinct query for at most 10 minutes.
 */
export class CatalogApi {
  readonly #http: V3Http;
  readonly #base: string;
  readonly #clock: () => number;
  readonly #senders: SenderAddressesApi;
  readonly #ttlMs: number;
  readonly #catalogs = new Map<string, { readonly at: number; readonly catalog: Promise<Catalog> }>();

  constructor(http: V3Http, options: CatalogApiOptions) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#clock = options.clock;
    this.#senders = options.senders;
    this.#ttlMs = Math.min(options.ttlMs ?? CATALOG_TTL_MS, CATALOG_TTL_MS);
  }

  /** The shipping options for this shipment, cached per distinct query. A failed quote is not cached. */
  async catalog(query: CatalogQuery): Promise<Catalog> {
    const fromCountry = query.fromCountry ?? (await this.#senders.require()).country;
    const key = JSON.stringify([
      fromCountry,
      query.toCountry,
      query.weightGrams,
      query.dimensionsCm
        ? [query.dimensionsCm.length, query.dimensionsCm.width, query.dimensionsCm.height]
        : null,
      query.servicePointId ?? null,
      query.returns === true,
    ]);
    const now = this.#clock();
    const cached = this.#catalogs.get(key);
    if (cached && now - cached.at < this.#ttlMs) return cached.catalog;
    this.#evictExpired(now);
    const catalog = this.#quote(query, fromCountry);
    this.#catalogs.set(key, { at: now, catalog });
    catalog.catch(() => this.#catalogs.delete(key));
    return catalog;
  }

  async #quote(query: CatalogQuery, fromCountry: string): Promise<Catalog> {
    const parcel: Record<string, unknown> = { weight: { value: String(query.weightGrams), unit: 'g' } };
    if (query.dimensionsCm) {
      const { length, width, height } = query.dimensionsCm;
      parcel.dimensions = {
        length: String(length),
        width: String(width),
        height: String(height),
        unit: 'cm',
      };
    }
    const body: Record<string, unknown> = {
      from_country_code: fromCountry,
      to_country_code: query.toCountry,
      parcels: [parcel],
      calculate_quotes: true,
    };
    if (query.servicePointId !== undefined) body.to_service_point_id = query.servicePointId;
    if (query.returns) body.functionalities = { returns: true };
    // Side-effect free: SendCloud's retry on 429/5xx is safe here.
    const { data } = await this.#http.json(
      { method: 'POST', url: endpoint(this.#base, '/shipping-options'), json: body, retry: true },
      ShippingOptions,
    );
    const wanted = data.filter(
      (option) => (option.functionalities?.returns === true) === (query.returns === true),
    );
    return { fromCountry, methods: wanted.map((option) => toCatalogMethod(option, query)) };
  }

  /** Drops every cached quote: the next `catalog` asks SendCloud. */
  forget(): void {
    this.#catalogs.clear();
  }

  /**
   * Every shipping option of the account from its sender's country, outgoing and returns, without quotes
   * (every filter field is optional in the `shipping-option-filter` document; two POSTs, never cached).
   */
  async accountOptions(): Promise<AccountMethod[]> {
    const fromCountry = (await this.#senders.require()).country;
    const list = async (returns: boolean): Promise<AccountMethod[]> => {
      const { data } = await this.#http.json(
        {
          method: 'POST',
          url: endpoint(this.#base, '/shipping-options'),
          json: {
            from_country_code: fromCountry,
            calculate_quotes: false,
            ...(returns ? { functionalities: { returns: true } } : {}),
          },
          retry: true,
        },
        ShippingOptions,
      );
      return data
        .filter((option) => (option.functionalities?.returns === true) === returns)
        .map((option) => ({
          ref: v3MethodRef(option.code, option.contract?.id),
          name: option.name,
          carrier: option.carrier.code,
          returns,
        }));
    };
    return [...(await list(false)), ...(await list(true))];
  }

  /** v2 method ids → v3 option references (≤100 per call); ids without an option map to null. */
  async mapLegacyMethods(ids: readonly number[]): Promise<Map<number, MethodRef | null>> {
    const unique = [...new Set(ids)];
    const mapped = new Map<number, MethodRef | null>(unique.map((id) => [id, null]));
    for (let i = 0; i < unique.length; i += COMPAT_BATCH) {
      const { data } = await this.#http.json(
        {
          method: 'POST',
          url: endpoint(this.#base, '/compat/shipping-options'),
          json: { shipping_method_ids: unique.slice(i, i + COMPAT_BATCH) },
          retry: true,
        },
        CompatShippingOptions,
      );
      for (const [id, code] of Object.entries(data)) {
        if (mapped.has(Number(id)) && code && code !== 'null') mapped.set(Number(id), v3MethodRef(code));
      }
    }
    return mapped;
  }

  #evictExpired(now: number): void {
    for (const [key, entry] of this.#catalogs) if (now - entry.at >= this.#ttlMs) this.#catalogs.delete(key);
  }
}

function toCatalogMethod(option: ShippingOption, query: CatalogQuery): CatalogMethod {
  const quotes = option.quotes ?? [];
  const range = option.weight ?? quotes[0]?.weight;
  const fits = quotes.find((quote) => inRange(query.weightGrams, quote.weight)) ?? quotes[0];
  const total = fits?.price?.total;
  const priceEur =
    total?.currency === 'EUR' && total.value !== null && total.value !== undefined
      ? Number(total.value)
      : null;
  return {
    ref: v3MethodRef(option.code, option.contract?.id),
    name: option.name,
    carrier: option.carrier.code,
    minWeightGrams: range?.min ? grams(range.min) : 0,
    maxWeightGrams: range?.max ? grams(range.max) : Number.MAX_SAFE_INTEGER,
    servicePoint:
      option.functionalities?.last_mile === 'service_point' ||
      option.requirements?.is_service_point_required === true,
    multicollo: option.functionalities?.multicollo === true,
    signature: option.functionalities?.signature === true,
    ...(typeof option.functionalities?.age_check === 'number'
      ? { ageCheck: option.functionalities.age_check }
      : {}),
    ...(typeof option.functionalities?.insurance === 'number'
      ? { insuranceEur: option.functionalities.insurance }
      : {}),
    ...(typeof option.functionalities?.neighbor_delivery === 'boolean'
      ? { neighbourDelivery: option.functionalities.neighbor_delivery }
      : {}),
    countries: [{ country: query.toCountry, priceEur }],
  };
}

function inRange(
  weightGrams: number,
  range:
    | { readonly min?: Weight | null | undefined; readonly max?: Weight | null | undefined }
    | null
    | undefined,
): boolean {
  if (!range) return false;
  return (!range.min || grams(range.min) <= weightGrams) && (!range.max || weightGrams <= grams(range.max));
}

const GRAMS_PER_UNIT = { g: 1, kg: 1000, lbs: 453.59237, oz: 28.349523125 } as const;

/** `{value: "23.001", unit: "kg"}` → 23001. */
export function grams(weight: Weight): number {
  return Math.round(Number(weight.value) * GRAMS_PER_UNIT[weight.unit]);
}
