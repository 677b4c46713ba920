import { EU, type ServiceLevel } from '../orders/OrderRequest';
import type { CatalogMethod, MethodRef } from '../sendcloud/port';
import type { Limits, Rule, RuleSet } from './RuleSet';

/** What routing needs to know about an order (no personal data). */
export interface RoutingOrder {
  readonly toCountry: string;
  readonly fromCountry: string;
  readonly weightGrams: number;
  readonly dimensionsCm?:
    | { readonly length: number; readonly width: number; readonly height: number }
    | undefined;
  /** An order of several boxes: each one (2–20); they travel as one multicollo shipment. */
  readonly colli?:
    | ReadonlyArray<{
        readonly weightGrams: number;
        readonly dimensionsCm?:
          | { readonly length: number; readonly width: number; readonly height: number }
          | undefined;
      }>
    | undefined;
  /**
   * Goods cross a customs border (decided at intake, by country and postal code). Absent: read from the
   * countries. An order of several boxes that needs customs papers is never split into one shipment per box:
   * the papers list what a shipment holds, and an order does not say which items travel in which box.
   */
  readonly customsRequired?: boolean | undefined;
  readonly serviceLevel: ServiceLevel;
  /** Delivery extras the order asks for: only methods that offer them carry it. */
  readonly extras?:
    | {
        readonly signature?: boolean | undefined;
        readonly ageCheck?: number | undefined;
        readonly noNeighbourDelivery?: boolean | undefined;
      }
    | undefined;
  readonly orderValue: number;
  readonly channel: string;
  readonly deliveryType: 'home' | 'service_point';
  /** Carrier of the chosen service point, for service-point orders. */
  readonly servicePointCarrier?: string | undefined;
  /** The order system's own choice (a v2 method id); routing only checks it. */
  readonly shippingMethodId?: number | null | undefined;
  /** The order system's own choice as a method reference (a v3 shipping option code); routing only checks it. */
  readonly shippingMethod?: MethodRef | null | undefined;
}

export interface RoutingContext {
  /** The account's methods for this shipment (v2 shipping methods, v3 shipping options). */
  readonly methods: readonly CatalogMethod[];
  /** Methods currently failing at the carrier, with why. */
  readonly unavailable?: ReadonlyMap<MethodRef, string>;
  /** Methods already refused for this order (announcement failed), with why. */
  readonly excluded?: ReadonlyMap<MethodRef, string>;
  readonly rules: RuleSet;
  /**
   * `per_parcel`: the order already ships one shipment per box (an earlier attempt decided so and may have
   * announced some): routing does not go back to one multicollo shipment. Default: one shipment where a
   * method carries every box as one, else one per box.
   */
  readonly shipments?: Shipments;
}

/**
 * How an order of several boxes travels: `one` shipment (multicollo; always for one box), or `per_parcel` —
 * a shipment of its own for each box, by the same method, when no method carries them as one.
 */
export type Shipments = 'one' | 'per_parcel';

export interface Candidate {
  /** The method, version-neutral: a v2 id as a string, or a v3 shipping option code (with contract). */
  readonly method: MethodRef;
  /** The v2 method id, where there is one (v2 accounts); kept for stored decisions and events. */
  readonly methodId: number | null;
  readonly name: string;
  readonly carrier: string;
  /** SendCloud's price for the destination, EUR; null when unknown. */
  readonly price: number | null;
}

export interface TraceEntry {
  readonly rule: string;
  readonly outcome: 'skipped' | 'no_eligible_method' | 'chosen';
  readonly reason: string;
  /** Methods the rule considered but could not use, and why. */
  readonly rejected?: ReadonlyArray<{
    readonly method: MethodRef;
    readonly name: string;
    readonly reasons: readonly string[];
  }>;
}

export interface RoutingDecision {
  readonly ruleSet: { readonly name: string; readonly version: number };
  readonly rule: string | null;
  readonly choice: Candidate | null;
  /** Every eligible method of the deciding rule, best first: the fallbacks. */
  readonly ranked: readonly Candidate[];
  readonly chargeableWeightGrams: number;
  readonly volumetricWeightGrams: number | null;
  /** One shipment, or one per box (absent on decisions stored before: one). */
  readonly shipments?: Shipments;
  readonly trace: readonly TraceEntry[];
}

/**
 * Picks the shipping method for an order. Pure: same input, same decision. An order of several boxes goes
 * as one multicollo shipment when any rule has a method that carries them together; only when none does
 * is each box a shipment of its own (the first rule with a method that fits every box decides) — one
 * tracking number and one delivery is what a recipient expects of an order, and a warehouse hands over one
 * shipment rather than several. The trace shows both rounds.
 */
export function route(order: RoutingOrder, context: RoutingContext): RoutingDecision {
  const count = order.colli?.length ?? 1;
  if (count < 2) return { ...routeAs(order, context, 'one'), shipments: 'one' };
  const split: TraceEntry = {
    rule: `one shipment for ${count} parcels`,
    outcome: 'no_eligible_method',
    reason:
      context.shipments === 'per_parcel'
        ? 'this order already ships one shipment per parcel: each parcel is routed as a shipment of its own'
        : `no method carries the ${count} parcels as one shipment: each parcel is routed as a shipment of its own`,
  };
  if (context.shipments === 'per_parcel') {
    const each = routeAs(order, context, 'per_parcel');
    return { ...each, shipments: 'per_parcel', trace: [split, ...each.trace] };
  }
  const one = routeAs(order, context, 'one');
  if (one.choice) return { ...one, shipments: 'one' };
  if (crossesCustoms(order))
    return {
      ...one,
      shipments: 'one',
      trace: [
        ...one.trace,
        {
          ...split,
          reason: `no method carries the ${count} parcels as one shipment, and an order with customs papers is not split into one shipment per parcel (the papers would have to say which items each box holds): send the boxes as separate orders`,
        },
      ],
    };
  const each = routeAs(order, context, 'per_parcel');
  return {
    ...each,
    shipments: each.choice ? 'per_parcel' : 'one',
    trace: [...one.trace, split, ...each.trace],
  };
}

const crossesCustoms = (order: RoutingOrder): boolean =>
  order.customsRequired ??
  (order.toCountry !== order.fromCountry && (!EU.has(order.toCountry) || !EU.has(order.fromCountry)));

/** One round of routing: every box as one shipment, or each box as a shipment of its own. */
function routeAs(
  order: RoutingOrder,
  context: RoutingContext,
  shipments: Shipments,
): Omit<RoutingDecision, 'shipments'> {
  const { rules } = context;
  const dims = order.dimensionsCm;
  const volumetricOf = (d: RoutingOrder['dimensionsCm']) =>
    d ? Math.ceil((d.length * d.width * d.height * 1000) / rules.volumetricDivisor) : null;
  // Several boxes: every one must fit the method, so the heaviest chargeable box decides.
  const boxes = order.colli && order.colli.length > 1 ? order.colli : [order];
  const chargeables = boxes.map((b) => Math.max(b.weightGrams, volumetricOf(b.dimensionsCm) ?? 0));
  const chargeable = Math.max(...chargeables);
  const volumetric = volumetricOf(boxes[chargeables.indexOf(chargeable)]?.dimensionsCm ?? dims);
  const base = {
    ruleSet: { name: rules.name, version: rules.version },
    chargeableWeightGrams: chargeable,
    volumetricWeightGrams: volumetric,
  };
  const trace: TraceEntry[] = [];

  const named = order.shippingMethod ?? (order.shippingMethodId ? String(order.shippingMethodId) : null);
  if (named) {
    const method = context.methods.find(
      (m) => m.ref === named || (order.shippingMethodId && m.legacyId === order.shippingMethodId),
    );
    const reasons = method
      ? ineligibility(method, order, chargeable, context, shipments)
      : [`method ${named} is not offered by this account`];
    const candidate = method ? toCandidate(method, order.toCountry) : null;
    trace.push({
      rule: 'shippingMethodId on the order',
      outcome: reasons.length === 0 ? 'chosen' : 'no_eligible_method',
      reason:
        reasons.length === 0
          ? `the order names its method${shipments === 'per_parcel' ? `; ${perParcelNote(order)}` : ''}`
          : reasons.join('; '),
    });
    return {
      ...base,
      rule: reasons.length === 0 ? 'shippingMethodId on the order' : null,
      choice: reasons.length === 0 ? candidate : null,
      ranked: reasons.length === 0 && candidate ? [candidate] : [],
      trace,
    };
  }

  for (const rule of rules.rules) {
    const mismatch = conditionMismatch(rule, order, chargeable);
    if (mismatch) {
      trace.push({ rule: rule.name, outcome: 'skipped', reason: mismatch });
      continue;
    }
    const considered = candidatesOf(rule, order, context.methods);
    const rejected: Array<{ method: MethodRef; name: string; reasons: string[] }> = [];
    let eligible: CatalogMethod[] = [];
    for (const method of considered) {
      const reasons = ineligibility(method, order, chargeable, context, shipments);
      if (reasons.length === 0) eligible.push(method);
      else rejected.push({ method: method.ref, name: method.name, reasons });
    }
    // A product with extras the order does not ask for (a signature costs more, "home address only" fails
    // more often) is taken only when no plain one fits.
    const plain = eligible.filter((m) => unaskedExtras(m, order).length === 0);
    if (plain.length > 0 && plain.length < eligible.length) {
      for (const method of eligible.filter((m) => !plain.includes(m)))
        rejected.push({
          method: method.ref,
          name: method.name,
          reasons: [`adds ${unaskedExtras(method, order).join(' and ')} the order does not ask for`],
        });
      eligible = plain;
    }
    if (eligible.length === 0) {
      trace.push({
        rule: rule.name,
        outcome: 'no_eligible_method',
        reason:
          considered.length === 0
            ? 'no shipping method of this account matches the rule'
            : 'every matching method is ineligible',
        rejected,
      });
      continue;
    }
    const ranked = rank(rule, eligible, order.toCountry).map((m) => toCandidate(m, order.toCountry));
    const choice = ranked[0] ?? null;
    trace.push({
      rule: rule.name,
      outcome: 'chosen',
      reason: `${choice?.name} (${rule.choose.strategy === 'cheapest' ? `cheapest at €${choice?.price?.toFixed(2)}` : 'first in preference order'}); ${shipments === 'per_parcel' ? `${perParcelNote(order)}; ` : ''}${ranked.length - 1} fallback(s)`,
      ...(rejected.length > 0 ? { rejected } : {}),
    });
    return { ...base, rule: rule.name, choice, ranked, trace };
  }
  return { ...base, rule: null, choice: null, ranked: [], trace };
}

function conditionMismatch(rule: Rule, order: RoutingOrder, chargeable: number): string | undefined {
  const w = rule.when;
  const region =
    order.toCountry === order.fromCountry ? 'domestic' : EU.has(order.toCountry) ? 'eu' : 'non_eu';
  if (w.countries && !w.countries.includes(order.toCountry))
    return `destination ${order.toCountry} not in ${w.countries.join(', ')}`;
  if (w.notCountries?.includes(order.toCountry)) return `destination ${order.toCountry} is excluded`;
  if (w.regions && !w.regions.includes(region)) return `region ${region} not in ${w.regions.join(', ')}`;
  if (w.minWeightGrams !== undefined && chargeable < w.minWeightGrams)
    return `chargeable weight ${chargeable} g below ${w.minWeightGrams} g`;
  if (w.maxWeightGrams !== undefined && chargeable > w.maxWeightGrams)
    return `chargeable weight ${chargeable} g above ${w.maxWeightGrams} g`;
  if (w.serviceLevels && !w.serviceLevels.includes(order.serviceLevel))
    return `service level ${order.serviceLevel} not in ${w.serviceLevels.join(', ')}`;
  if (w.minOrderValue !== undefined && order.orderValue < w.minOrderValue)
    return `order value ${order.orderValue} below ${w.minOrderValue}`;
  if (w.maxOrderValue !== undefined && order.orderValue > w.maxOrderValue)
    return `order value ${order.orderValue} above ${w.maxOrderValue}`;
  if (w.channels && !w.channels.includes(order.channel))
    return `channel ${order.channel} not in ${w.channels.join(', ')}`;
  if (w.deliveryTypes && !w.deliveryTypes.includes(order.deliveryType))
    return `delivery type ${order.deliveryType} not in ${w.deliveryTypes.join(', ')}`;
  return undefined;
}

function candidatesOf(rule: Rule, order: RoutingOrder, methods: readonly CatalogMethod[]): CatalogMethod[] {
  const { choose } = rule;
  const name = choose.namePattern ? new RegExp(choose.namePattern, 'i') : undefined;
  const notName = choose.excludeNamePattern ? new RegExp(choose.excludeNamePattern, 'i') : undefined;
  return methods.filter((m) => {
    if (choose.methodIds && !(m.legacyId !== undefined && choose.methodIds.includes(m.legacyId)))
      return false;
    if (choose.methods && preferenceOf(choose.methods, m) === -1) return false;
    if (choose.carriers.length > 0 && !choose.carriers.includes(m.carrier)) return false;
    if (choose.excludeCarriers.includes(m.carrier)) return false;
    if (choose.servicePointCarrier && m.carrier !== order.servicePointCarrier) return false;
    if (name && !name.test(m.name)) return false;
    if (notName?.test(m.name)) return false;
    return true;
  });
}

const perParcelNote = (order: RoutingOrder): string =>
  `one shipment per parcel (${order.colli?.length ?? 1} shipments)`;

/** Why this method cannot carry this order (as one shipment, or each box alone); empty when it can. */
function ineligibility(
  method: CatalogMethod,
  order: RoutingOrder,
  chargeable: number,
  context: RoutingContext,
  shipments: Shipments,
): string[] {
  const reasons: string[] = [];
  const country = method.countries.find((c) => c.country === order.toCountry);
  if (!country) reasons.push(`does not ship to ${order.toCountry}`);
  const min = method.minWeightGrams;
  const max = method.maxWeightGrams;
  if (chargeable < min || chargeable > max)
    reasons.push(`chargeable weight ${chargeable} g outside ${min}–${max} g`);
  const servicePointMethod = method.servicePoint;
  if (order.deliveryType === 'service_point' && !servicePointMethod)
    reasons.push('not a service-point method');
  // A carrier delivers to its own points only, whichever rule names the method.
  if (
    order.deliveryType === 'service_point' &&
    servicePointMethod &&
    order.servicePointCarrier &&
    method.carrier !== order.servicePointCarrier
  )
    reasons.push(`delivers to ${method.carrier} points; the chosen point is ${order.servicePointCarrier}'s`);
  if (order.deliveryType === 'home' && servicePointMethod) reasons.push('needs a service point');
  const limits: Array<Limits & { requireDimensions?: boolean }> = [];
  const carrierLimits = context.rules.carrierLimits[method.carrier];
  if (carrierLimits) limits.push(carrierLimits);
  for (const limit of context.rules.methodLimits)
    if (new RegExp(limit.namePattern, 'i').test(method.name)) limits.push(limit);
  const colli = order.colli && order.colli.length > 1 ? order.colli : undefined;
  if (colli && shipments === 'one' && !method.multicollo)
    reasons.push(`cannot carry ${colli.length} parcels as one shipment (no multicollo)`);
  if (colli && shipments === 'one' && colli.length > (method.maxColli ?? 20))
    reasons.push(`carries at most ${method.maxColli} parcels in one shipment`);
  for (const limit of limits)
    if (colli)
      colli.forEach((box, i) => {
        for (const problem of sizeProblems(limit, box.dimensionsCm))
          reasons.push(`parcel ${i + 1}: ${problem}`);
      });
    else reasons.push(...sizeProblems(limit, order.dimensionsCm));
  const extras = order.extras;
  if (extras?.signature && !method.signature) reasons.push('no signature on delivery');
  if (extras?.ageCheck && !(method.ageCheck && method.ageCheck >= extras.ageCheck))
    reasons.push(`no age check (${extras.ageCheck}+) on delivery`);
  if (extras?.noNeighbourDelivery && method.neighbourDelivery !== false)
    reasons.push(
      method.neighbourDelivery === undefined
        ? 'does not say it never leaves a parcel with a neighbour'
        : 'may leave the parcel with a neighbour',
    );
  const unavailable = context.unavailable?.get(method.ref);
  if (unavailable) reasons.push(`unavailable: ${unavailable}`);
  const excluded = context.excluded?.get(method.ref);
  if (excluded) reasons.push(`already refused for this order: ${excluded}`);
  return reasons;
}

/** The extras a method adds that the order does not ask for. */
function unaskedExtras(method: CatalogMethod, order: RoutingOrder): string[] {
  const asked = order.extras ?? {};
  return [
    ...(method.signature && !asked.signature && !asked.ageCheck ? ['a signature'] : []),
    ...(method.ageCheck && !asked.ageCheck ? [`an age check (${method.ageCheck}+)`] : []),
    ...(method.neighbourDelivery === false && !asked.noNeighbourDelivery && !asked.ageCheck
      ? ['"home address only"']
      : []),
  ];
}

function sizeProblems(
  limit: Limits & { requireDimensions?: boolean },
  dims: RoutingOrder['dimensionsCm'],
): string[] {
  if (!dims) return limit.requireDimensions ? ['needs parcel dimensions to check the size limits'] : [];
  const [l = 0, w = 0, h = 0] = [dims.length, dims.width, dims.height].sort((a, b) => b - a);
  const problems: string[] = [];
  if (limit.maxLengthCm !== undefined && l > limit.maxLengthCm)
    problems.push(`longest side ${l} cm over ${limit.maxLengthCm} cm`);
  if (limit.maxWidthCm !== undefined && w > limit.maxWidthCm)
    problems.push(`second side ${w} cm over ${limit.maxWidthCm} cm`);
  if (limit.maxHeightCm !== undefined && h > limit.maxHeightCm)
    problems.push(`shortest side ${h} cm over ${limit.maxHeightCm} cm`);
  if (limit.maxSumCm !== undefined && l + w + h > limit.maxSumCm)
    problems.push(`sides sum to ${l + w + h} cm, over ${limit.maxSumCm} cm`);
  if (limit.maxGirthCm !== undefined && l + 2 * (w + h) > limit.maxGirthCm)
    problems.push(`length + girth ${l + 2 * (w + h)} cm over ${limit.maxGirthCm} cm`);
  return problems;
}

/** Position of a method in a rule's `methods` list: its reference, or its option code without contract. */
function preferenceOf(methods: readonly string[], method: CatalogMethod): number {
  const exact = methods.indexOf(method.ref);
  if (exact !== -1) return exact;
  const at = method.ref.lastIndexOf('@');
  return at === -1 ? -1 : methods.indexOf(method.ref.slice(0, at));
}

/** Ties break on the reference, so the same catalogue always yields the same order. */
const byRef = (a: CatalogMethod, b: CatalogMethod) =>
  a.legacyId !== undefined && b.legacyId !== undefined
    ? a.legacyId - b.legacyId
    : a.ref < b.ref
      ? -1
      : a.ref > b.ref
        ? 1
        : 0;

function rank(rule: Rule, methods: CatalogMethod[], country: string): CatalogMethod[] {
  const price = (m: CatalogMethod) =>
    m.countries.find((c) => c.country === country)?.priceEur ?? Number.POSITIVE_INFINITY;
  const preference = (m: CatalogMethod) => {
    if (rule.choose.methodIds)
      return m.legacyId === undefined ? -1 : rule.choose.methodIds.indexOf(m.legacyId);
    if (rule.choose.methods) return preferenceOf(rule.choose.methods, m);
    const i = rule.choose.carriers.indexOf(m.carrier);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...methods].sort((a, b) =>
    rule.choose.strategy === 'cheapest'
      ? price(a) - price(b) || byRef(a, b)
      : preference(a) - preference(b) || price(a) - price(b) || byRef(a, b),
  );
}

function toCandidate(method: CatalogMethod, country: string): Candidate {
  return {
    method: method.ref,
    methodId: method.legacyId ?? null,
    name: method.name,
    carrier: method.carrier,
    price: method.countries.find((c) => c.country === country)?.priceEur ?? null,
  };
}
