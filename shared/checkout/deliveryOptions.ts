import { SERVICE_LEVELS, type ServiceLevel } from '../orders/OrderRequest';
import { type Candidate, defaultRules, type RoutingOrder, type RuleSet, route } from '../routing';
import * as z from '../validation/zod';
import type { CheckoutSource } from './CheckoutSource';
import { carrierName, catalogOf } from './catalog';
import { fromCheckout } from './checkoutOptions';
import { deliveryDates, type Schedule } from './deliveryDates';
import type { Lookups } from './LookupCache';
import { AccountParam, CountryParam, PostalCodeParam } from './params';

/** `GET /delivery-options` query. */
export const DeliveryOptionsParams = z.object({
  account: AccountParam,
  country: CountryParam,
  postalCode: z.optional(PostalCodeParam),
  weightGrams: z.coerce.number().check(z.int(), z.positive(), z.lte(1_000_000)),
  orderValue: z._default(
    z.string().check(z.regex(/^\d{1,7}(\.\d{1,2})?$/, 'a decimal amount, e.g. 49.95')),
    '0',
  ),
  channel: z._default(z.string(), 'webshop'),
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
  /** `id`: the v2 method id (null on v3); `ref`: the version-neutral reference. */
  readonly shippingMethod: {
    readonly id: number | null;
    readonly ref: string;
    readonly name: string;
  } | null;
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
    readonly shippingMethod?: string;
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

export interface DeliveryOptionsDeps {
  readonly client: CheckoutSource;
  readonly cache: Lookups;
  readonly rules: (account: string) => Promise<RuleSet | undefined>;
  readonly unavailable?: (account: string, methods: string[]) => Promise<ReadonlyMap<string, string>>;
  /** The account's SendCloud Dynamic Checkout configuration, when it has one. */
  readonly checkoutConfiguration?: (account: string) => string | undefined;
  readonly schedule: Schedule;
  readonly clock: () => Date;
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
  const catalog = await catalogOf(query.account, deps, {
    toCountry: query.country,
    weightGrams: query.weightGrams,
  });
  const rules = (await deps.rules(query.account)) ?? defaultRules();
  const { methods, fromCountry } = catalog.value;
  const unavailable = deps.unavailable
    ? await deps.unavailable(
        query.account,
        methods.map((m) => m.ref),
      )
    : new Map<string, string>();
  const base: Omit<RoutingOrder, 'serviceLevel' | 'deliveryType'> = {
    toCountry: query.country,
    fromCountry,
    weightGrams: query.weightGrams,
    orderValue: Number(query.orderValue),
    channel: query.channel,
  };
  const choices: DeliveryChoice[] = [];
  const seen = new Set<string>();
  // Most specific level first, so "standard" is not listed again as "economy" when routing picks one method.
  for (const level of ['standard', 'express', 'evening', 'economy'] as const satisfies ServiceLevel[]) {
    const decision = route(
      { ...base, serviceLevel: level, deliveryType: 'home' },
      { methods, rules, unavailable },
    );
    if (!decision.choice || seen.has(decision.choice.method)) continue;
    // Express, evening and economy are offered only where a rule is made for them: a level that merely falls
    // through to a general rule would be shipped as something else (evening to BE as a daytime parcel).
    const deciding = rules.rules.find((r) => r.name === decision.rule);
    if (level !== 'standard' && !deciding?.when.serviceLevels?.includes(level)) continue;
    seen.add(decision.choice.method);
    choices.push(choice('home', level, decision.choice, query.country, fromCountry, deps));
  }
  const pointCarriers = [
    ...new Set(
      methods
        .filter((m) => m.servicePoint && m.countries.some((c) => c.country === query.country))
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
    id: `${type}:${level}:${candidate.method}`,
    type,
    serviceLevel: level,
    title: type === 'service_point' ? `Pick up at a ${carrierName(candidate.carrier)} point` : TITLES[level],
    carrier: candidate.carrier,
    carrierName: carrierName(candidate.carrier),
    shippingMethod: { id: candidate.methodId, ref: candidate.method, name: candidate.name },
    price: candidate.price === null ? null : { amount: candidate.price.toFixed(2), currency: 'EUR' },
    cutOff: deps.schedule.cutOff,
    timeZone: deps.schedule.timeZone,
    ...dates,
    // what POST /orders takes: a v2 method id, or a v3 shipping option reference
    order: {
      serviceLevel: level,
      delivery: { type },
      ...(candidate.methodId === null
        ? { shippingMethod: candidate.method }
        : { shippingMethodId: candidate.methodId }),
    },
  };
}
