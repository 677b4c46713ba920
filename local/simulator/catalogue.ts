import { COUNTRIES, type Country } from './countries';

/**
 * A realistic shipping-method catalogue for a Dutch/Belgian shop: what `GET /shipping_methods` answers.
 * Ids are the simulator's own (real ids are account-specific and volatile); limits and prices are typical
 * 2024–2026 list values.
 */
export interface SimMethod {
  readonly id: number;
  readonly name: string;
  readonly carrier: string;
  readonly minGrams: number;
  readonly maxGrams: number;
  readonly servicePoint: boolean;
  readonly isReturn: boolean;
  /**
   * Whether the carrier product takes several colli in one shipment (v2 `quantity` > 1, v3 several `parcels`).
   * Internal: no recorded or documented v2 method object carries such a field, so `methodJson` leaves it out;
   * v3 shows it as `functionalities.multicollo`. Letters, mailbox, evening, service-point and return products
   * are single-collo, as with the real carriers.
   */
  readonly multicollo: boolean;
  /**
   * Delivery extras of the product, as v3 shipping options describe them (`functionalities.signature`,
   * `age_check`, `neighbor_delivery`); on v2 a product's extras are in its name ("+ Signature", "Age Check
   * 18+", "Home Address Only"), as SendCloud's own method names carry them. Absent: none.
   */
  readonly extras?: {
    readonly signature?: boolean;
    readonly ageCheck?: 16 | 18;
    /** false: never left with a neighbour. */
    readonly neighbourDelivery?: boolean;
  };
  /** iso_2 → price in EUR, lead time hours */
  readonly prices: Readonly<Record<string, readonly [price: number, leadTimeHours: number]>>;
}

const EU_CORE = ['BE', 'NL', 'DE', 'FR', 'LU', 'AT', 'ES', 'IT', 'DK', 'PL'];
const zone = (countries: readonly string[], domestic: number, step: number, lead = 48): SimMethod['prices'] =>
  Object.fromEntries(
    countries.map((iso, i) => [
      iso,
      [
        iso === 'NL' ? domestic : Math.round((domestic + step * (1 + (i % 4))) * 100) / 100,
        iso === 'NL' ? 24 : lead + 24 * (i % 3),
      ],
    ]),
  );

export const METHODS: readonly SimMethod[] = [
  {
    id: 8,
    name: 'Unstamped letter',
    carrier: 'sendcloud',
    minGrams: 1,
    maxGrams: 2001,
    servicePoint: false,
    multicollo: false,
    isReturn: false,
    prices: zone(EU_CORE, 0, 0),
  },
  {
    id: 1010,
    name: 'PostNL Standard 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: { NL: [6.95, 24], BE: [9.5, 48] },
  },
  {
    id: 1014,
    name: 'PostNL Standard + Signature 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    extras: { signature: true },
    prices: { NL: [8.15, 24], BE: [10.7, 48] },
  },
  {
    id: 1015,
    name: 'PostNL Standard + Age Check 18+ 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: false,
    isReturn: false,
    extras: { signature: true, ageCheck: 18, neighbourDelivery: false },
    prices: { NL: [9.35, 24] },
  },
  {
    id: 1016,
    name: 'PostNL Standard Home Address Only 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    extras: { neighbourDelivery: false },
    prices: { NL: [7.45, 24], BE: [10.0, 48] },
  },
  {
    id: 1011,
    name: 'PostNL Mailbox Parcel 0-2kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 2001,
    servicePoint: false,
    multicollo: false,
    isReturn: false,
    prices: { NL: [4.1, 24] },
  },
  {
    id: 1012,
    name: 'PostNL Service Point 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: { NL: [5.95, 24], BE: [8.5, 48] },
  },
  {
    id: 1013,
    name: 'PostNL Evening Delivery 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: false,
    isReturn: false,
    prices: { NL: [8.45, 24] },
  },
  {
    id: 1020,
    name: 'bpost Home 0-30kg',
    carrier: 'bpost',
    minGrams: 1,
    maxGrams: 30001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: { BE: [6.2, 24], NL: [9.95, 48], LU: [10.5, 48] },
  },
  {
    id: 1021,
    name: 'bpost Pick-up Point 0-30kg',
    carrier: 'bpost',
    minGrams: 1,
    maxGrams: 30001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: { BE: [5.4, 24] },
  },
  {
    id: 1030,
    name: 'DHL Parcel Connect 0-31.5kg',
    carrier: 'dhl',
    minGrams: 1,
    maxGrams: 31501,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone(EU_CORE, 6.75, 2.4),
  },
  {
    id: 1031,
    name: 'DHL Express Worldwide 0-70kg',
    carrier: 'dhl_express',
    minGrams: 1,
    maxGrams: 70001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone(
      COUNTRIES.map((c) => c.iso_2),
      19.5,
      9.75,
      24,
    ),
  },
  {
    id: 1032,
    name: 'DHL Service Point 0-20kg',
    carrier: 'dhl',
    minGrams: 1,
    maxGrams: 20001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: { NL: [5.7, 24], DE: [8.9, 48], BE: [8.2, 48] },
  },
  {
    id: 1040,
    name: 'DPD Classic 0-31.5kg',
    carrier: 'dpd',
    minGrams: 1,
    maxGrams: 31501,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone(EU_CORE, 7.2, 2.1),
  },
  {
    id: 1041,
    name: 'DPD Pickup 0-20kg',
    carrier: 'dpd',
    minGrams: 1,
    maxGrams: 20001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: zone(['NL', 'BE', 'DE', 'FR'], 5.9, 1.8),
  },
  {
    id: 1050,
    name: 'GLS Business Parcel 0-40kg',
    carrier: 'gls_nl',
    minGrams: 1,
    maxGrams: 40001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone(EU_CORE, 6.6, 2.2),
  },
  {
    id: 1060,
    name: 'UPS Standard 0-70kg',
    carrier: 'ups',
    minGrams: 1,
    maxGrams: 70001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone([...EU_CORE, 'GB', 'CH', 'NO'], 9.9, 3.5),
  },
  {
    id: 1061,
    name: 'UPS Express Saver 0-70kg',
    carrier: 'ups',
    minGrams: 1,
    maxGrams: 70001,
    servicePoint: false,
    multicollo: true,
    isReturn: false,
    prices: zone(
      COUNTRIES.map((c) => c.iso_2),
      16.9,
      8.5,
      24,
    ),
  },
  {
    id: 1062,
    name: 'UPS Access Point 0-20kg',
    carrier: 'ups',
    minGrams: 1,
    maxGrams: 20001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: zone(['NL', 'BE', 'DE', 'FR'], 7.5, 2),
  },
  {
    id: 1070,
    name: 'Colissimo Home 0-30kg',
    carrier: 'colissimo',
    minGrams: 1,
    maxGrams: 30001,
    servicePoint: false,
    multicollo: false,
    isReturn: false,
    prices: { FR: [8.9, 48], BE: [12.4, 72], NL: [13.1, 72] },
  },
  {
    id: 1071,
    name: 'Colissimo Relais 0-20kg',
    carrier: 'colissimo',
    minGrams: 1,
    maxGrams: 20001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: { FR: [6.95, 48] },
  },
  {
    id: 1080,
    name: 'Mondial Relay Point Relais 0-30kg',
    carrier: 'mondial_relay',
    minGrams: 1,
    maxGrams: 30001,
    servicePoint: true,
    multicollo: false,
    isReturn: false,
    prices: { FR: [4.9, 72], BE: [4.9, 72], NL: [5.4, 72], ES: [6.5, 96] },
  },
  {
    id: 2010,
    name: 'PostNL Return 0-23kg',
    carrier: 'postnl',
    minGrams: 1,
    maxGrams: 23001,
    servicePoint: false,
    multicollo: false,
    isReturn: true,
    prices: { NL: [6.25, 24], BE: [8.75, 48] },
  },
  {
    id: 2020,
    name: 'bpost Return 0-30kg',
    carrier: 'bpost',
    minGrams: 1,
    maxGrams: 30001,
    servicePoint: false,
    multicollo: false,
    isReturn: true,
    prices: { BE: [5.95, 24] },
  },
  {
    id: 2030,
    name: 'DHL Return 0-31.5kg',
    carrier: 'dhl',
    minGrams: 1,
    maxGrams: 31501,
    servicePoint: false,
    multicollo: false,
    isReturn: true,
    prices: { NL: [6.1, 24], DE: [7.9, 48], BE: [7.4, 48] },
  },
  {
    id: 2060,
    name: 'UPS Return 0-70kg',
    carrier: 'ups',
    minGrams: 1,
    maxGrams: 70001,
    servicePoint: false,
    multicollo: false,
    isReturn: true,
    prices: zone([...EU_CORE, 'GB'], 10.5, 3),
  },
];

export const methodById = (id: number): SimMethod | undefined => METHODS.find((m) => m.id === id);

const kg = (grams: number) => (grams / 1000).toFixed(3);

/** The method as `GET /shipping_methods` serialises it. */
export function methodJson(method: SimMethod, options: { readonly fromCountry?: Country } = {}) {
  return {
    id: method.id,
    name: method.name,
    carrier: method.carrier,
    min_weight: kg(method.minGrams),
    max_weight: kg(method.maxGrams),
    service_point_input: method.servicePoint ? 'required' : 'none',
    price: 0,
    countries: Object.entries(method.prices).flatMap(([iso, [price, lead]]) => {
      const country = COUNTRIES.find((c) => c.iso_2 === iso);
      if (!country) return [];
      return [
        {
          id: country.id,
          name: country.name,
          price,
          iso_2: country.iso_2,
          iso_3: country.iso_3,
          lead_time_hours: lead,
          price_breakdown: [{ type: 'price_without_insurance', label: 'Label', value: price }],
          ...(options.fromCountry
            ? {
                from_id: options.fromCountry.id,
                from_name: options.fromCountry.name,
                from_iso_2: options.fromCountry.iso_2,
                from_iso_3: options.fromCountry.iso_3,
              }
            : {}),
        },
      ];
    }),
  };
}
