import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../local/simulator';
import { methodJson } from '../../../local/simulator/catalogue';
import { contractOf, SHIPPING_OPTIONS } from '../../../local/simulator/v3/options';
import { checkRuleSet, defaultRules, RuleSet, type RuleSetInput } from '../../../shared/routing';
import { readRuleSet } from '../../../shared/rules';
import { ShippingMethod } from '../../../shared/sendcloud';
import type { Catalog, CatalogQuery } from '../../../shared/sendcloud/port';
import { v3MethodRef } from '../../../shared/sendcloud/port';
import { catalogMethodFromV2 } from '../../../shared/sendcloud/V2Port';

// v2: the simulator's whole catalogue at once, as the v2 adapter hands it over.
const v2Catalog = async (query: CatalogQuery): Promise<Catalog> => ({
  fromCountry: 'NL',
  methods: METHODS.filter((m) => m.isReturn === (query.returns === true)).map((m) =>
    catalogMethodFromV2(ShippingMethod.parse(methodJson(m))),
  ),
});

// v3: options quoted per destination and weight, as the v3 adapter answers; every quote is counted.
function v3Account() {
  const quotes: CatalogQuery[] = [];
  const catalog = async (query: CatalogQuery): Promise<Catalog> => {
    quotes.push(query);
    return {
      fromCountry: 'NL',
      methods: SHIPPING_OPTIONS.filter(
        (o) =>
          o.method.isReturn === (query.returns === true) &&
          o.method.prices[query.toCountry] !== undefined &&
          query.weightGrams >= o.method.minGrams &&
          query.weightGrams <= o.method.maxGrams,
      ).map((o) => ({
        ref: v3MethodRef(o.code, contractOf(o.method.carrier).id),
        name: o.name,
        carrier: o.method.carrier,
        minWeightGrams: o.method.minGrams,
        maxWeightGrams: o.method.maxGrams,
        servicePoint: o.lastMile === 'service_point',
        countries: [{ country: query.toCountry, priceEur: o.method.prices[query.toCountry]?.[0] ?? null }],
      })),
    };
  };
  return { quotes, deps: { api: 'v3' as const, catalog } };
}
const v2 = { api: 'v2' as const, catalog: v2Catalog };

const ruleSet = (rules: RuleSetInput['rules'], extra: Partial<RuleSetInput> = {}) =>
  RuleSet.parse({ name: 'shop', version: 2, rules, ...extra });

describe('checking a rule set against the account', () => {
  it('refuses an unknown carrier, naming the rule and field, with the carrier it most likely meant', async () => {
    // Prepare
    const rules = ruleSet([
      {
        name: 'service points',
        when: { deliveryTypes: ['service_point'] },
        choose: { servicePointCarrier: true },
      },
      { name: 'BE', when: { countries: ['BE'] }, choose: { carriers: ['bpost'] } },
      { name: 'NL', when: { countries: ['NL'] }, choose: { carriers: ['postnll', 'dhl'] } },
    ]);
    // Act
    const onV2 = await checkRuleSet(rules, v2);
    const onV3 = await checkRuleSet(rules, v3Account().deps);
    // Assess
    expect(onV2.problems).toEqual([
      {
        path: 'rules.2.choose.carriers.0',
        message: '"postnll" is not a carrier of this account (rule "NL"); did you mean "postnl"?',
      },
    ]);
    expect(onV3.problems).toEqual([
      {
        path: 'rules.2.choose.carriers.0',
        message:
          '"postnll" is not a carrier of this account for NL (the destinations checked) (rule "NL"); did you mean "postnl"?',
      },
    ]);
  });

  it('refuses a v2 method id the account does not have, and takes the ones it has', async () => {
    const rules = ruleSet([{ name: 'DPD then PostNL', choose: { methodIds: [1040, 1010, 987_654] } }]);
    const check = await checkRuleSet(rules, v2);
    expect(check.problems).toEqual([
      {
        path: 'rules.0.choose.methodIds.2',
        message: expect.stringContaining('987654 is not a shipping method id of this account'),
      },
    ]);
  });

  it('refuses an unknown v3 option code with the nearest one, takes a code with or without its contract', async () => {
    const { deps } = v3Account();
    const valid = ruleSet([
      {
        name: 'NL',
        when: { countries: ['NL'] },
        choose: { methods: ['postnl:standard', 'dhl:parcel_connect@702'] },
      },
      { name: 'rest', choose: { carriers: ['dhl', 'ups'] } },
    ]);
    expect((await checkRuleSet(valid, deps)).problems).toEqual([]);

    const typo = ruleSet([
      {
        name: 'NL',
        when: { countries: ['NL'] },
        choose: { methods: ['postnl:standrad', 'dhl:parcel_connect@999'] },
      },
    ]);
    const check = await checkRuleSet(typo, deps);
    expect(check.problems).toEqual([
      {
        path: 'rules.0.choose.methods.0',
        message:
          '"postnl:standrad" is not a shipping option of this account for NL (the destinations checked) (rule "NL"); did you mean "postnl:standard"?',
      },
      {
        path: 'rules.0.choose.methods.1',
        message: expect.stringContaining('did you mean "dhl:parcel_connect@702"?'),
      },
    ]);
  });

  it('refuses v2 method ids on a v3 account, where they would match nothing', async () => {
    const check = await checkRuleSet(
      ruleSet([{ name: 'ids', choose: { methodIds: [1010] } }]),
      v3Account().deps,
    );
    expect(check.problems).toEqual([
      {
        path: 'rules.0.choose.methodIds',
        message: expect.stringContaining('POST /routing/rules/{account}/v3-migration'),
      },
    ]);
  });

  it('checks a v3 rule without countries against the sender country, the named countries and the representatives, once each', async () => {
    const { deps, quotes } = v3Account();
    // dhl_express ships everywhere, but only the US probe proves a rule for "anywhere" may name UPS Express Saver
    const rules = ruleSet([
      { name: 'BE', when: { countries: ['BE'] }, choose: { carriers: ['bpost'] } },
      { name: 'rest', choose: { methods: ['ups:express_saver'] } },
    ]);
    const check = await checkRuleSet(rules, deps);
    expect(check.problems).toEqual([]);
    const outgoing = quotes.filter((q) => !q.returns).map((q) => q.toCountry);
    expect(new Set(outgoing)).toEqual(new Set(['NL', 'BE', 'DE', 'FR', 'GB', 'US']));
    expect(outgoing.length).toBe(new Set(outgoing).size);
  });

  it('takes the default rules on both APIs without a problem or a warning', async () => {
    const input = { ...defaultRules(), version: 2 };
    expect(await checkRuleSet(RuleSet.parse(input), v2)).toEqual({ problems: [], warnings: [] });
    expect(await checkRuleSet(RuleSet.parse(input), v3Account().deps)).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it('warns when a whole class of destinations has no rule that routes it', async () => {
    const onlyDomestic = ruleSet([
      { name: 'NL', when: { countries: ['NL'] }, choose: { carriers: ['postnl'] } },
    ]);
    const { warnings } = await checkRuleSet(onlyDomestic, v2);
    expect(warnings).toEqual([
      'no rule routes a home delivery to another EU country (checked BE, DE, FR): such orders would fail with NO_ELIGIBLE_METHOD',
      'no rule routes a home delivery to a country outside the EU (checked GB, US): such orders would fail with NO_ELIGIBLE_METHOD',
    ]);
  });

  it('warns about a rule whose filters leave no method of the account', async () => {
    const rules = ruleSet([
      { name: 'express', choose: { carriers: ['ups'], namePattern: 'Expresss' } },
      { name: 'rest', choose: {} },
    ]);
    expect((await checkRuleSet(rules, v2)).warnings).toEqual([
      'rules.0 (rule "express") matches no method of this account: it never decides',
    ]);
  });

  it('refuses a misspelt excluded carrier, lets one the account never had pass', async () => {
    const rules = ruleSet([{ name: 'rest', choose: { excludeCarriers: ['sendclod', 'royal_mail'] } }]);
    expect((await checkRuleSet(rules, v2)).problems).toEqual([
      {
        path: 'rules.0.choose.excludeCarriers.0',
        message: '"sendclod" is not a carrier of this account (rule "rest"); did you mean "sendcloud"?',
      },
    ]);
  });
});

describe('reading a rule set', () => {
  it('refuses an unknown field, naming it with the rule field it most likely meant', async () => {
    const read = await readRuleSet(
      { name: 'shop', version: 2, rules: [{ name: 'NL', choose: { carrier: ['postnl'] } }] },
      (rules) => checkRuleSet(rules, v2),
    );
    expect(read).toEqual({
      outcome: 'invalid',
      problems: [
        {
          path: 'rules.0.choose.carrier',
          message: 'unknown field: did you mean "carriers"? (an unknown field is refused, never ignored)',
        },
      ],
    });
  });
});

describe('the default rule set', () => {
  it('is parsed once, on first use, and kept; a rule set without returns gets the default return rules, each parse its own array', () => {
    const first = defaultRules();

    expect(defaultRules()).toBe(first);
    expect(RuleSet.parse(first)).toEqual(first);
    const { returns: _, ...withoutReturns } = first;
    const a = RuleSet.parse(withoutReturns);
    const b = RuleSet.parse(withoutReturns);
    expect(a.returns.map((rule) => rule.name)).toEqual([
      'returns from NL',
      'returns from BE',
      'any return method',
    ]);
    expect(a.returns[0]?.choose).toEqual({
      carriers: ['postnl', 'dhl'],
      servicePointCarrier: false,
      excludeCarriers: [],
      strategy: 'ranked',
    });
    expect(a.returns).toEqual(first.returns);
    expect(a.returns).not.toBe(b.returns);
  });
});
