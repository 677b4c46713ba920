import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../local/simulator';
import { methodJson } from '../../../local/simulator/catalogue';
import { defaultRules, type RoutingOrder, RuleSet, route } from '../../../shared/routing';
import { ShippingMethod } from '../../../shared/sendcloud';
import type { CatalogMethod } from '../../../shared/sendcloud/port';
import { catalogMethodFromV2 } from '../../../shared/sendcloud/V2Port';

// The simulator's Dutch/Belgian catalogue, parsed with the client's schema like a real answer would be, as the
// v2 adapter hands it to routing.
const methods = METHODS.filter((m) => !m.isReturn).map((m) =>
  catalogMethodFromV2(ShippingMethod.parse(methodJson(m))),
);
const context = { methods, rules: defaultRules() };

const order = (overrides: Partial<RoutingOrder> = {}): RoutingOrder => ({
  toCountry: 'NL',
  fromCountry: 'NL',
  weightGrams: 1200,
  dimensionsCm: { length: 30, width: 20, height: 10 },
  serviceLevel: 'standard',
  orderValue: 25,
  channel: 'webshop',
  deliveryType: 'home',
  ...overrides,
});

describe('default routing rules', () => {
  it('sends the example order (NL, 1.2 kg) with PostNL, with DHL and DPD as fallbacks', () => {
    const decision = route(order(), context);
    expect(decision.rule).toBe('domestic NL');
    expect(decision.choice).toMatchObject({ carrier: 'postnl', name: 'PostNL Standard 0-23kg' });
    expect(decision.ranked.map((c) => c.carrier)).toEqual(['postnl', 'dhl', 'dpd']);
    expect(decision.trace.map((t) => [t.rule, t.outcome])).toEqual([
      ['service-point delivery', 'skipped'],
      ['domestic NL, evening', 'skipped'],
      ['domestic NL', 'chosen'],
    ]);
  });

  it('uses the mailbox parcel only when the dimensions prove it fits', () => {
    expect(
      route(order({ weightGrams: 400, dimensionsCm: { length: 30, width: 20, height: 3 } }), context).choice
        ?.name,
    ).toBe('PostNL Mailbox Parcel 0-2kg');
    const noDims = route(order({ weightGrams: 400, dimensionsCm: undefined }), context);
    expect(noDims.choice?.name).toBe('PostNL Standard 0-23kg');
    expect(noDims.trace.at(-1)?.rejected).toContainEqual(
      expect.objectContaining({
        name: 'PostNL Mailbox Parcel 0-2kg',
        reasons: ['needs parcel dimensions to check the size limits'],
      }),
    );
  });

  it('sends Belgium with bpost and evening orders with PostNL Evening', () => {
    expect(route(order({ toCountry: 'BE' }), context).choice?.carrier).toBe('bpost');
    expect(route(order({ serviceLevel: 'evening' }), context).choice?.name).toBe(
      'PostNL Evening Delivery 0-23kg',
    );
  });

  it('sends heavy and international parcels with the cheaper of DHL and UPS', () => {
    const heavy = route(order({ weightGrams: 25_000, dimensionsCm: undefined }), context);
    expect(heavy.rule).toBe('heavy or international');
    expect(heavy.choice).toMatchObject({ carrier: 'dhl', name: 'DHL Parcel Connect 0-31.5kg' });
    expect(heavy.ranked.map((c) => c.price)).toEqual(
      [...heavy.ranked.map((c) => c.price)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    const germany = route(order({ toCountry: 'DE' }), context);
    expect(germany.choice?.carrier).toBe('dhl');
    const us = route(order({ toCountry: 'US', serviceLevel: 'express' }), context);
    expect(us.rule).toBe('express');
    expect(['dhl_express', 'ups']).toContain(us.choice?.carrier);
  });

  it('counts volumetric weight: a big light box is charged as heavy', () => {
    const decision = route(
      order({ weightGrams: 2_000, dimensionsCm: { length: 80, width: 50, height: 40 } }),
      context,
    );
    expect(decision.volumetricWeightGrams).toBe(32_000);
    expect(decision.chargeableWeightGrams).toBe(32_000);
    expect(decision.rule).not.toBe('domestic NL');
  });

  it('falls back when the first choice is unavailable, and says why', () => {
    const postnl = methods
      .filter((m) => m.carrier === 'postnl')
      .map((m) => [m.ref, '3 announcement failures in 15 min'] as const);
    const decision = route(order(), { ...context, unavailable: new Map(postnl) });
    expect(decision.choice?.carrier).toBe('dhl');
    expect(
      decision.trace.at(-1)?.rejected?.find((r) => r.name === 'PostNL Standard 0-23kg')?.reasons,
    ).toEqual(['unavailable: 3 announcement failures in 15 min']);
  });

  it('takes the next choice after a refusal at announcement', () => {
    const first = route(order(), context);
    const second = route(order(), {
      ...context,
      excluded: new Map([[first.choice?.method ?? '', 'carrier refused: address unknown']]),
    });
    expect(second.choice?.method).toBe(first.ranked[1]?.method);
  });

  it('skips carriers whose size limits the parcel exceeds', () => {
    const decision = route(
      order({ weightGrams: 9_000, dimensionsCm: { length: 150, width: 30, height: 20 } }),
      context,
    );
    expect(decision.choice?.carrier).toBe('dpd');
    const rejected = decision.trace.at(-1)?.rejected ?? [];
    expect(rejected.find((r) => r.name === 'PostNL Standard 0-23kg')?.reasons).toContain(
      'longest side 150 cm over 100 cm',
    );
  });

  it('routes service-point orders to a service-point method of the carrier serving the point', () => {
    const decision = route(order({ deliveryType: 'service_point', servicePointCarrier: 'dhl' }), context);
    expect(decision.choice).toMatchObject({ name: 'DHL Service Point 0-20kg' });
    expect(
      route(order({ deliveryType: 'service_point', servicePointCarrier: 'postnl' }), context).choice?.name,
    ).toBe('PostNL Service Point 0-23kg');
  });

  it('never falls back to another carrier’s service-point method, whichever rule would name it', () => {
    // Prepare: PostNL's service-point method refused; a later rule takes any carrier
    const postnl = context.methods.find((m) => m.name === 'PostNL Service Point 0-23kg');
    const decision = route(order({ deliveryType: 'service_point', servicePointCarrier: 'postnl' }), {
      ...context,
      excluded: new Map([[postnl?.ref ?? '', 'refused by the carrier']]),
    });

    // Assess
    expect(decision.choice).toBeNull();
    const reasons = decision.trace
      .flatMap((t) => t.rejected ?? [])
      .find((r) => r.name === 'DHL Service Point 0-20kg');
    expect(reasons?.reasons).toContain("delivers to dhl points; the chosen point is postnl's");
  });

  it('explains a parcel nothing can carry', () => {
    const decision = route(order({ weightGrams: 90_000, dimensionsCm: undefined }), context);
    expect(decision.choice).toBeNull();
    expect(decision.trace.every((t) => t.outcome !== 'chosen')).toBe(true);
    expect(JSON.stringify(decision.trace)).toMatch(/outside 1–70001 g/);
  });

  it('checks a method the order names itself instead of choosing one', () => {
    expect(route(order({ shippingMethodId: 1030 }), context).choice?.name).toBe(
      'DHL Parcel Connect 0-31.5kg',
    );
    const wrong = route(order({ shippingMethodId: 1021 }), context);
    expect(wrong.choice).toBeNull();
    expect(wrong.trace[0]?.reason).toMatch(/does not ship to NL/);
  });

  it('is deterministic', () => {
    expect(route(order({ toCountry: 'FR' }), context)).toEqual(route(order({ toCountry: 'FR' }), context));
  });
});

describe('RuleSet', () => {
  it('rejects configuration mistakes with paths', () => {
    const result = RuleSet.safeParse({
      name: 'x',
      version: 0,
      rules: [{ name: 'r', when: { countries: ['nl'] }, choose: { strategy: 'random' } }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['version', 'rules.0.when.countries.0', 'rules.0.choose.strategy']),
    );
  });

  it('accepts an account rule set with explicit method ids', () => {
    const rules = RuleSet.parse({
      name: 'bol',
      version: 3,
      rules: [{ name: 'all via DPD', choose: { methodIds: [1040] } }],
    });
    expect(route(order(), { methods, rules }).choice?.methodId).toBe(1040);
  });

  it('routes over v3 shipping options by carrier and by option code, contract or not', () => {
    const option = (ref: string, carrier: string, priceEur: number): CatalogMethod => ({
      ref,
      name: ref,
      carrier,
      minWeightGrams: 1,
      maxWeightGrams: 23_000,
      servicePoint: false,
      countries: [{ country: 'NL', priceEur }],
    });
    const v3 = [
      option('dhl:standard@71', 'dhl', 5.1),
      option('postnl:standard@12', 'postnl', 6.2),
      option('postnl:mailbox@12', 'postnl', 3.9),
    ];
    const byCarrier = route(order(), { methods: v3, rules: defaultRules() });
    expect(byCarrier.choice).toMatchObject({ method: 'postnl:standard@12', methodId: null });
    const rules = RuleSet.parse({
      name: 'v3',
      version: 1,
      rules: [{ name: 'named options', choose: { methods: ['dhl:standard', 'postnl:standard@12'] } }],
    });
    const named = route(order(), { methods: v3, rules });
    expect(named.ranked.map((c) => c.method)).toEqual(['dhl:standard@71', 'postnl:standard@12']);
    expect(
      route(order({ shippingMethod: 'postnl:standard@12' }), { methods: v3, rules }).choice?.method,
    ).toBe('postnl:standard@12');
  });
});

describe('orders of several parcels', () => {
  const colli = [
    { weightGrams: 1200, dimensionsCm: { length: 30, width: 20, height: 10 } },
    { weightGrams: 9000, dimensionsCm: { length: 60, width: 40, height: 40 } },
  ];

  it('picks a method that carries several colli as one shipment, weighing each box', () => {
    const decision = route(order({ colli, weightGrams: 9000 }), context);
    expect(decision.choice).not.toBeNull();
    // the heaviest box decides what must fit: volumetric 60×40×40 cm at the divisor
    expect(decision.chargeableWeightGrams).toBe(
      Math.max(9000, Math.ceil((60 * 40 * 40 * 1000) / defaultRules().volumetricDivisor)),
    );
    const chosen = methods.find((m) => m.ref === decision.choice?.method);
    expect(chosen?.multicollo).toBe(true);
  });

  it('names the missing multicollo and the box that is too big, per method', () => {
    const single: CatalogMethod[] = methods.map((m) => ({ ...m, multicollo: false }));
    const decision = route(order({ colli }), { methods: single, rules: defaultRules() });
    const reasons = decision.trace.flatMap((t) => t.rejected ?? []).flatMap((r) => r.reasons);
    expect(reasons).toContain('cannot carry 2 parcels as one shipment (no multicollo)');
    const tight = RuleSet.parse({
      ...defaultRules(),
      carrierLimits: { ...defaultRules().carrierLimits, postnl: { maxLengthCm: 50 } },
    });
    const limited = route(order({ colli }), { methods, rules: tight });
    const postnl = limited.trace
      .flatMap((t) => t.rejected ?? [])
      .find((r) => r.name.startsWith('PostNL Standard'));
    expect(postnl?.reasons).toContain('parcel 2: longest side 60 cm over 50 cm');
  });
});

describe('orders of several parcels that no method carries as one shipment', () => {
  const colli = [
    { weightGrams: 1200, dimensionsCm: { length: 30, width: 20, height: 10 } },
    { weightGrams: 4800, dimensionsCm: { length: 40, width: 30, height: 30 } },
  ];
  const single: CatalogMethod[] = methods.map((m) => ({ ...m, multicollo: false }));

  it('ships each parcel as a shipment of its own, and the trace says why', () => {
    // Act
    const decision = route(order({ colli, weightGrams: 4800 }), { methods: single, rules: defaultRules() });

    // Assess: the rule that would have taken one shipment takes one per parcel, by the same method
    expect(decision.shipments).toBe('per_parcel');
    expect(decision.rule).toBe('domestic NL');
    expect(decision.choice?.name).toBe('PostNL Standard 0-23kg');
    const split = decision.trace.findIndex((t) => t.rule === 'one shipment for 2 parcels');
    expect(decision.trace[split]).toEqual({
      rule: 'one shipment for 2 parcels',
      outcome: 'no_eligible_method',
      reason:
        'no method carries the 2 parcels as one shipment: each parcel is routed as a shipment of its own',
    });
    // the first round shows every rule refusing one shipment; the second round chooses
    expect(decision.trace.slice(0, split).every((t) => t.outcome !== 'chosen')).toBe(true);
    expect(decision.trace.at(-1)).toMatchObject({
      rule: 'domestic NL',
      outcome: 'chosen',
      reason: expect.stringContaining('one shipment per parcel (2 shipments)'),
    });
  });

  it('prefers one multicollo shipment from any rule to one shipment per parcel', () => {
    // Prepare: only DHL carries several colli
    const onlyDhl: CatalogMethod[] = methods.map((m) => ({ ...m, multicollo: m.carrier === 'dhl' }));

    // Act
    const decision = route(order({ colli }), { methods: onlyDhl, rules: defaultRules() });

    // Assess
    expect(decision.shipments).toBe('one');
    expect(decision.choice?.carrier).toBe('dhl');
    expect(decision.trace.some((t) => t.rule === 'one shipment for 2 parcels')).toBe(false);
  });

  it('ships a two-box service-point order (service-point products carry one collo) one shipment per box', () => {
    const decision = route(
      order({ colli, deliveryType: 'service_point', servicePointCarrier: 'postnl' }),
      context,
    );
    expect(decision.shipments).toBe('per_parcel');
    expect(decision.choice?.name).toBe('PostNL Service Point 0-23kg');
  });

  it('splits an order that names a method without multicollo, by that method', () => {
    const decision = route(
      order({ colli, deliveryType: 'service_point', servicePointCarrier: 'postnl', shippingMethodId: 1012 }),
      context,
    );
    expect(decision.shipments).toBe('per_parcel');
    expect(decision.choice?.methodId).toBe(1012);
    expect(decision.trace.at(-1)?.reason).toBe(
      'the order names its method; one shipment per parcel (2 shipments)',
    );
  });

  it('still checks every box against the method when each travels alone', () => {
    const tight = RuleSet.parse({
      ...defaultRules(),
      carrierLimits: { ...defaultRules().carrierLimits, postnl: { maxLengthCm: 35 } },
    });
    const decision = route(order({ colli, deliveryType: 'service_point', servicePointCarrier: 'postnl' }), {
      methods,
      rules: tight,
    });
    // PostNL's product is too small for box 2 alone, and no other carrier delivers to a PostNL point
    expect(decision.choice).toBeNull();
    const postnl = decision.trace
      .flatMap((t) => t.rejected ?? [])
      .filter((r) => r.name === 'PostNL Service Point 0-23kg');
    expect(postnl.at(-1)?.reasons).toEqual(['parcel 2: longest side 40 cm over 35 cm']);
  });

  it('never splits an order with customs papers: the trace says to send the boxes as separate orders', () => {
    const decision = route(order({ colli, toCountry: 'CH', customsRequired: true }), {
      methods: single,
      rules: defaultRules(),
    });
    expect(decision.choice).toBeNull();
    expect(decision.shipments).toBe('one');
    expect(decision.trace.at(-1)).toMatchObject({
      rule: 'one shipment for 2 parcels',
      reason: expect.stringContaining('send the boxes as separate orders'),
    });
  });

  it('keeps an order that already ships one shipment per parcel so, even where a multicollo method fits now', () => {
    const decision = route(order({ colli }), { ...context, shipments: 'per_parcel' });
    expect(decision.shipments).toBe('per_parcel');
    expect(decision.choice?.name).toBe('PostNL Standard 0-23kg');
    expect(decision.trace[0]?.reason).toMatch(/already ships one shipment per parcel/);
  });

  it('one box is always one shipment', () => {
    expect(route(order(), { methods: single, rules: defaultRules() }).shipments).toBe('one');
  });
});

describe('delivery extras', () => {
  const chosen = (extras: RoutingOrder['extras']) => route(order({ extras }), context);

  it('takes a product with a signature, an age check or no neighbour delivery only when the order asks', () => {
    expect(chosen(undefined).choice?.name).toBe('PostNL Standard 0-23kg');
    expect(chosen({ signature: true }).choice?.name).toBe('PostNL Standard + Signature 0-23kg');
    expect(chosen({ ageCheck: 18 }).choice?.name).toBe('PostNL Standard + Age Check 18+ 0-23kg');
    expect(chosen({ noNeighbourDelivery: true }).choice?.name).toBe(
      'PostNL Standard Home Address Only 0-23kg',
    );
  });

  it('says why: a plain method fits, or the method lacks what the order asks', () => {
    const plain = chosen(undefined).trace.flatMap((t) => t.rejected ?? []);
    expect(plain.find((r) => r.name === 'PostNL Standard + Signature 0-23kg')?.reasons).toEqual([
      'adds a signature the order does not ask for',
    ]);
    const signed = chosen({ signature: true }).trace.flatMap((t) => t.rejected ?? []);
    expect(signed.find((r) => r.name === 'PostNL Standard 0-23kg')?.reasons).toContain(
      'no signature on delivery',
    );
    const aged = chosen({ ageCheck: 18 }).trace.flatMap((t) => t.rejected ?? []);
    expect(aged.find((r) => r.name.startsWith('DHL Parcel Connect'))?.reasons).toContain(
      'no age check (18+) on delivery',
    );
    const home = chosen({ noNeighbourDelivery: true }).trace.flatMap((t) => t.rejected ?? []);
    expect(home.find((r) => r.name.startsWith('DPD'))?.reasons).toContain(
      'does not say it never leaves a parcel with a neighbour',
    );
  });
});
