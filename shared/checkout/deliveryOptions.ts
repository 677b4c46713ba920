import * as z from 'zod';
import { EU, SERVICE_LEVELS, type ServiceLevel } from '../orders/OrderRequest';
import { type Candidate, DEFAULT_RULES, type RoutingOrder, type RuleSet, route } from '../routing';
import type { DeliveryOption, SendcloudClient, ShippingMethod } from '../sendcloud';
import { type Looked, LookupCache } from './LookupCache';
import { CountryParam, PostalCodeParam } from './params';

/** `GET /delivery-options` query. */
export const DeliveryOptionsParams = z.object({
  account: z.string().default('default'),
  country: CountryParam,
  postalCode: PostalCodeParam.optional(),
  weightGrams: z.coerce.number().int().positive().max(1_000_000),
  orderValue: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, 'a decimal amount, e.g. 49.95')
    .default('0'),
  channel: z.string().default('webshop'),
});
export type DeliveryOptionsParams = z.infer<typeof DeliveryOptionsParams>;

/** One choice the customer can make, and what to put on the order to get exactly it. */
export interface DeliveryChoice {
  readonly id: string;
  readonly type: 'home' | 'service_point';
  readonly serviceLevel: ServiceLevel;
  readonly title: string;
  readonly carrier: string;
  readonly carrierName: string;
  readonly shippingMethod: { readonly id: number; readonly name: string } | null;
  readonly price: { readonly amount: string; readonly currency: 'EUR' } | null;
  /** Order before this local time (HH:MM, `timeZone`) to be handed over on `handoverDate`. */
  readonly cutOff: string;
  readonly timeZone: string;
  readonly handoverDate: string;
  readonly expectedDeliveryDate: string;
  /** Fields for `POST /orders`; service-point choices add `delivery.servicePointId` from `/service-points`. */
  readonly order: {
    readonly serviceLevel: ServiceLevel;
    readonly delivery: { readonly type: 'home' | 'service_point' };
    readonly shippingMethodId?: number;
  };
}

export interface DeliveryOptionsAnswer {
  readonly country: string;
  readonly source: 'routing' | 'sendcloud_checkout';
  readonly options: readonly DeliveryChoice[];
  readonly stale: boolean;
  readonly fetchedAt: string;
  readonly degradedReason?: string;
}

export interface Schedule {
  /** `HH:MM` in `timeZone`: orders after it are handed over the next working day. */
  readonly cutOff: string;
  readonly timeZone: string;
}

export interface DeliveryOptionsDeps {
  readonly client: SendcloudClient;
  readonly cache: LookupCache;
  readonly rules: (account: string) => Promise<RuleSet | undefined>;
  readonly unavailable?: (account: string, methodIds: number[]) => Promise<ReadonlyMap<number, string>>;
  /** The account's SendCloud Dynamic Checkout configuration, when it has one. */
  readonly checkoutConfiguration?: (account: string) => string | undefined;
  readonly schedule: Schedule;
  readonly clock: () => Date;
}

interface Catalog {
  readonly methods: ShippingMethod[];
  readonly fromCountry: string;
}

/** The account's outgoing methods and sender country, cached like every checkout lookup. */
export function catalogOf(account: string, deps: Pick<DeliveryOptionsDeps, 'client' | 'cache'>) {
  return deps.cache.get<Catalog>(LookupCache.keyOf('catalog', [account]), async () => {
    const [methods, senders] = await Promise.all([
      deps.client.catalog.shippingMethods(),
      deps.client.catalog.senderAddresses(),
    ]);
    return { methods, fromCountry: senders[0]?.country ?? 'NL' };
  });
}

/**
 * What checkout can offer: from SendCloud's Dynamic Checkout where the account has a configuration, otherwise
 * by asking routing for every service level and service-point carrier — so checkout offers what routing ships.
 */
export async function deliveryOptions(
  query: DeliveryOptionsParams,
  deps: DeliveryOptionsDeps,
): Promise<DeliveryOptionsAnswer> {
  const configuration = deps.checkoutConfiguration?.(query.account);
  if (configuration) return fromCheckout(configuration, query, deps);
  const catalog = await catalogOf(query.account, deps);
  const rules = (await deps.rules(query.account)) ?? DEFAULT_RULES;
  const { methods, fromCountry } = catalog.value;
  const unavailable = deps.unavailable
    ? await deps.unavailable(
        query.account,
        methods.map((m) => m.id),
      )
    : new Map<number, string>();
  const base: Omit<RoutingOrder, 'serviceLevel' | 'deliveryType'> = {
    toCountry: query.country,
    fromCountry,
    weightGrams: query.weightGrams,
    orderValue: Number(query.orderValue),
    channel: query.channel,
  };
  const choices: DeliveryChoice[] = [];
  const seen = new Set<number>();
  // Most specific level first, so "standard" is not listed again as "economy" when routing picks one method.
  for (const level of ['standard', 'express', 'evening', 'economy'] as const satisfies ServiceLevel[]) {
    const decision = route(
      { ...base, serviceLevel: level, deliveryType: 'home' },
      { methods, rules, unavailable },
    );
    if (!decision.choice || seen.has(decision.choice.methodId)) continue;
    // Express, evening and economy are offered only where a rule is made for them: a level that merely falls
    // through to a general rule would be shipped as something else (evening to BE as a daytime parcel).
    const deciding = rules.rules.find((r) => r.name === decision.rule);
    if (level !== 'standard' && !deciding?.when.serviceLevels?.includes(level)) continue;
    seen.add(decision.choice.methodId);
    choices.push(choice('home', level, decision.choice, query.country, fromCountry, deps));
  }
  const pointCarriers = [
    ...new Set(
      methods
        .filter(
          (m) => m.service_point_input === 'required' && m.countries.some((c) => c.iso_2 === query.country),
        )
        .map((m) => m.carrier),
    ),
  ].sort();
  for (const carrier of pointCarriers) {
    const decision = route(
      { ...base, serviceLevel: 'standard', deliveryType: 'service_point', servicePointCarrier: carrier },
      { methods, rules, unavailable },
    );
    if (decision.choice)
      choices.push(choice('service_point', 'standard', decision.choice, query.country, fromCountry, deps));
  }
  choices.sort(
    (a, b) =>
      Number(a.type === 'service_point') - Number(b.type === 'service_point') ||
      levelOrder(a) - levelOrder(b),
  );
  return {
    country: query.country,
    source: 'routing',
    options: choices,
    stale: catalog.stale,
    fetchedAt: catalog.fetchedAt,
    ...(catalog.degradedReason ? { degradedReason: catalog.degradedReason } : {}),
  };
}

/** How customers know the carriers (SendCloud's codes otherwise). */
const CARRIER_NAMES: Readonly<Record<string, string>> = {
  postnl: 'PostNL',
  bpost: 'bpost',
  dhl: 'DHL',
  dhl_express: 'DHL Express',
  dpd: 'DPD',
  gls_nl: 'GLS',
  ups: 'UPS',
  colissimo: 'Colissimo',
  mondial_relay: 'Mondial Relay',
};
export const carrierName = (code: string): string => CARRIER_NAMES[code] ?? code.toUpperCase();

const levelOrder = (c: DeliveryChoice) => SERVICE_LEVELS.indexOf(c.serviceLevel);

const TITLES: Record<ServiceLevel, string> = {
  economy: 'Economy delivery',
  standard: 'Home delivery',
  express: 'Express delivery',
  evening: 'Evening delivery',
};

function choice(
  type: 'home' | 'service_point',
  level: ServiceLevel,
  candidate: Candidate,
  toCountry: string,
  fromCountry: string,
  deps: Pick<DeliveryOptionsDeps, 'schedule' | 'clock'>,
): DeliveryChoice {
  const dates = deliveryDates(level, toCountry, fromCountry, deps.schedule, deps.clock());
  return {
    id: `${type}:${level}:${candidate.methodId}`,
    type,
    serviceLevel: level,
    title: type === 'service_point' ? `Pick up at a ${carrierName(candidate.carrier)} point` : TITLES[level],
    carrier: candidate.carrier,
    carrierName: carrierName(candidate.carrier),
    shippingMethod: { id: candidate.methodId, name: candidate.name },
    price: candidate.price === null ? null : { amount: candidate.price.toFixed(2), currency: 'EUR' },
    cutOff: deps.schedule.cutOff,
    timeZone: deps.schedule.timeZone,
    ...dates,
    order: { serviceLevel: level, delivery: { type }, shippingMethodId: candidate.methodId },
  };
}

/** Working days in transit: the carriers' usual promise by service level and distance. */
export function transitDays(level: ServiceLevel, toCountry: string, fromCountry: string): number {
  if (level === 'express' || level === 'evening') return 1;
  const days = toCountry === fromCountry ? 1 : EU.has(toCountry) ? 2 : 4;
  return level === 'economy' ? days + 1 : days;
}

/** Hand-over today before the cut-off on a working day, else the next working day; delivery Monday–Saturday. */
export function deliveryDates(
  level: ServiceLevel,
  toCountry: string,
  fromCountry: string,
  schedule: Schedule,
  now: Date,
): { handoverDate: string; expectedDeliveryDate: string } {
  const local = localParts(now, schedule.timeZone);
  let handover = Date.UTC(local.year, local.month - 1, local.day);
  const day = 86_400_000;
  const weekday = (t: number) => new Date(t).getUTCDay();
  const isWorkday = (t: number) => weekday(t) >= 1 && weekday(t) <= 5;
  if (!isWorkday(handover) || local.time >= schedule.cutOff) {
    handover += day;
    while (!isWorkday(handover)) handover += day;
  }
  let delivery = handover;
  for (let left = transitDays(level, toCountry, fromCountry); left > 0; ) {
    delivery += day;
    if (weekday(delivery) !== 0) left--;
  }
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { handoverDate: iso(handover), expectedDeliveryDate: iso(delivery) };
}

function localParts(now: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    time: `${parts.hour}:${parts.minute}`,
  };
}

const CHECKOUT_TYPES: Record<string, { type: 'home' | 'service_point'; level: ServiceLevel }> = {
  standard_delivery: { type: 'home', level: 'standard' },
  nominated_day_delivery: { type: 'home', level: 'evening' },
  express_delivery: { type: 'home', level: 'express' },
  same_day_delivery: { type: 'home', level: 'express' },
  service_point_delivery: { type: 'service_point', level: 'standard' },
};

async function fromCheckout(
  configuration: string,
  query: DeliveryOptionsParams,
  deps: DeliveryOptionsDeps,
): Promise<DeliveryOptionsAnswer> {
  const catalog = await catalogOf(query.account, deps);
  const ask = {
    fromCountry: catalog.value.fromCountry,
    toCountry: query.country,
    ...(query.postalCode ? { toPostalCode: query.postalCode } : {}),
    weightGrams: query.weightGrams,
    totalOrderValue: query.orderValue,
  };
  const looked: Looked<{ delivery_options: DeliveryOption[] }> = await deps.cache.get(
    LookupCache.keyOf('checkout', [query.account, configuration, ask]),
    () => deps.client.checkout.deliveryOptions(configuration, ask),
  );
  const options = looked.value.delivery_options.flatMap((option): DeliveryChoice[] => {
    const kind = CHECKOUT_TYPES[option.delivery_method_type];
    if (!kind) return [];
    const methodId =
      typeof option.id === 'number' ? option.id : Number(option.checkout_identifier?.value.split(':').pop());
    const method = catalog.value.methods.find((m) => m.id === methodId);
    const dates = option.delivery_dates?.[0];
    const fallback = deliveryDates(
      kind.level,
      query.country,
      catalog.value.fromCountry,
      deps.schedule,
      deps.clock(),
    );
    return [
      {
        id: `${kind.type}:${kind.level}:${String(option.id)}`,
        type: kind.type,
        serviceLevel: kind.level,
        title: option.title,
        carrier: option.carrier.code,
        carrierName: option.carrier.name ?? carrierName(option.carrier.code),
        shippingMethod: method ? { id: method.id, name: method.name } : null,
        price: option.shipping_rate ? { amount: option.shipping_rate.value, currency: 'EUR' } : null,
        cutOff: option.cut_off_time ?? deps.schedule.cutOff,
        timeZone: deps.schedule.timeZone,
        handoverDate: dates?.parcel_handover_date ?? fallback.handoverDate,
        expectedDeliveryDate: dates?.delivery_date ?? fallback.expectedDeliveryDate,
        order: {
          serviceLevel: kind.level,
          delivery: { type: kind.type },
          ...(method ? { shippingMethodId: method.id } : {}),
        },
      },
    ];
  });
  return {
    country: query.country,
    source: 'sendcloud_checkout',
    options,
    stale: looked.stale || catalog.stale,
    fetchedAt: looked.fetchedAt,
    ...(looked.degradedReason || catalog.degradedReason
      ? { degradedReason: looked.degradedReason ?? catalog.degradedReason }
      : {}),
  };
}
