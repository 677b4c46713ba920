import { METHODS, type SimMethod } from '../catalogue';

/**
 * v3 shipping options: the v2 catalogue (`catalogue.ts`) under v3 names, so both versions describe the same
 * carriers, limits and prices. Codes follow SendCloud's `carrier:product[/variant]` form (`postnl:standard`,
 * `postnl:standard/return`, `dpd:home` in the v3 documents' examples); the ones not in any example are ours.
 */
export interface SimShippingOption {
  readonly code: string;
  readonly method: SimMethod;
  /** The product: the code before any `/variant`. */
  readonly productCode: string;
  readonly name: string;
  /** The catalogue method's flag (`SimMethod.multicollo`), shown as `functionalities.multicollo`. */
  readonly multicollo: boolean;
  readonly lastMile: 'home_delivery' | 'service_point' | 'mailbox';
  readonly formFactor: 'letter' | 'parcel' | 'mailbox';
}

type Shape = Pick<SimShippingOption, 'lastMile' | 'formFactor'>;
const HOME: Shape = { lastMile: 'home_delivery', formFactor: 'parcel' };
const POINT: Shape = { lastMile: 'service_point', formFactor: 'parcel' };

const BY_METHOD: Readonly<Record<number, readonly [code: string, shape: Shape]>> = {
  8: ['sendcloud:letter', { lastMile: 'mailbox', formFactor: 'letter' }],
  1010: ['postnl:standard', HOME],
  1011: ['postnl:mailbox', { lastMile: 'mailbox', formFactor: 'mailbox' }],
  1012: ['postnl:service_point', POINT],
  1013: ['postnl:standard/evening', HOME],
  1014: ['postnl:standard/signature', HOME],
  1015: ['postnl:standard/age_check=18,home_address_only,signature', HOME],
  1016: ['postnl:standard/home_address_only', HOME],
  1020: ['bpost:home', HOME],
  1021: ['bpost:service_point', POINT],
  1030: ['dhl:parcel_connect', HOME],
  1031: ['dhl_express:worldwide', HOME],
  1032: ['dhl:service_point', POINT],
  1040: ['dpd:home', HOME],
  1041: ['dpd:pickup', POINT],
  1050: ['gls_nl:business_parcel', HOME],
  1060: ['ups:standard', HOME],
  1061: ['ups:express_saver', HOME],
  1062: ['ups:access_point', POINT],
  1070: ['colissimo:home', HOME],
  1071: ['colissimo:relais', POINT],
  1080: ['mondial_relay:point_relais', POINT],
  2010: ['postnl:standard/return', HOME],
  2020: ['bpost:return', HOME],
  2030: ['dhl:return', HOME],
  2060: ['ups:return', HOME],
};

export const SHIPPING_OPTIONS: readonly SimShippingOption[] = METHODS.map((method) => {
  const entry = BY_METHOD[method.id];
  // A method added to the v2 catalogue must get its v3 code here too, or the versions drift apart.
  if (!entry) throw new Error(`catalogue method ${method.id} has no v3 shipping option code`);
  const [code, shape] = entry;
  return {
    code,
    method,
    productCode: code.split('/')[0] ?? code,
    name: method.name.replace(/ \d[\d.]*-[\d.]+kg$/, ''),
    multicollo: method.multicollo,
    ...shape,
  };
});

export const optionByCode = (code: string): SimShippingOption | undefined =>
  SHIPPING_OPTIONS.find((o) => o.code === code);

export const optionForMethod = (methodId: number | null): SimShippingOption | undefined =>
  SHIPPING_OPTIONS.find((o) => o.method.id === methodId);

/** Carrier names and the one contract each carrier has in a simulated account (ids from the documents' examples where they give one). */
const CARRIERS: Readonly<Record<string, { readonly name: string; readonly contractId: number }>> = {
  sendcloud: { name: 'Sendcloud', contractId: 1207 },
  postnl: { name: 'PostNL', contractId: 517 },
  bpost: { name: 'bpost', contractId: 611 },
  dhl: { name: 'DHL', contractId: 702 },
  dhl_express: { name: 'DHL Express', contractId: 4195 },
  dpd: { name: 'DPD', contractId: 52024 },
  gls_nl: { name: 'GLS', contractId: 803 },
  ups: { name: 'UPS', contractId: 904 },
  colissimo: { name: 'Colissimo', contractId: 1005 },
  mondial_relay: { name: 'Mondial Relay', contractId: 1106 },
};

export const carrierJson = (code: string) => ({ code, name: CARRIERS[code]?.name ?? code });

export const contractOf = (carrier: string) => ({
  id: CARRIERS[carrier]?.contractId ?? 1,
  client_id: '',
  carrier_code: carrier,
  name: `${CARRIERS[carrier]?.name ?? carrier} (Sendcloud contract)`,
});

/** Outer limits per form factor, in cm, longest side first. */
export const MAX_DIMENSIONS_CM: Readonly<Record<SimShippingOption['formFactor'], readonly number[]>> = {
  parcel: [175, 78, 58],
  mailbox: [38, 26.5, 3.2],
  letter: [38, 26.5, 3.2],
};

/** The documented functionality flags (only those with a value: the merged document's enums refuse null). */
export function functionalitiesOf(option: SimShippingOption): Record<string, boolean | string | number> {
  const extras = option.method.extras ?? {};
  const home = option.lastMile === 'home_delivery' && !option.method.isReturn;
  return {
    ...(extras.ageCheck ? { age_check: extras.ageCheck } : {}),
    ...(home ? { neighbor_delivery: extras.neighbourDelivery ?? true } : {}),
    b2b: true,
    b2c: true,
    returns: option.method.isReturn,
    multicollo: option.multicollo,
    tracked: option.method.carrier !== 'sendcloud',
    signature: extras.signature === true,
    last_mile: option.lastMile,
    form_factor: option.formFactor,
    first_mile: 'pickup_dropoff',
    delivery_deadline: 'best_effort',
  };
}
