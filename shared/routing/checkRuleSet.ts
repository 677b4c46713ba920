import { EU } from '../orders/OrderRequest';
import type { ApiVersion, Catalog, CatalogMethod, CatalogQuery } from '../sendcloud/port';
import { type FieldProblem, nearestOf } from '../validation';
import type { Rule, RuleSet } from './RuleSet';
import { type RoutingOrder, route } from './route';

/** What a rule set is checked against: the account's API and its port's catalogue. */
export interface RuleSetCheckDeps {
  readonly api: ApiVersion;
  readonly catalog: (query: CatalogQuery) => Promise<Catalog>;
}

export interface RuleSetCheck {
  /** Names the rule set uses that the account does not have: each refuses the rule set (400). */
  readonly problems: readonly FieldProblem[];
  /** What stores but deserves a look: a destination no rule can route, a rule that can choose nothing. */
  readonly warnings: readonly string[];
}

/**
 * Besides the sender's own country and the countries the rules name, v3 accounts are asked for options to
 * these: one EU neighbour each side and two outside the EU, where most carriers of a Dutch or Belgian shop
 * show up. v2 lists every method at once, so they cost nothing there.
 */
const REPRESENTATIVES = ['DE', 'FR', 'GB', 'US'] as const;
/** Each v3 quote is a POST against the account's write budget: at most this many countries per check. */
const MAX_COUNTRIES = 16;
/** A parcel weight almost every method takes; a rule's own weight bounds move it. */
const PROBE_GRAMS = 1000;

/**
 * Checks a rule set against the account's catalogue before it is stored: every carrier, v2 method id and v3
 * option code a rule names must exist there (with the nearest one it most likely meant), and every class of
 * home destination (domestic, EU, outside the EU) should have a rule that can route it.
 *
 * v2 lists the account's whole catalogue, so a name is checked against all of it. v3 quotes options per
 * shipment, so a rule's names are checked against the options quoted for the rule's own countries (its
 * `when.countries`), or, for a rule that names none, for the sender's country, every country the rule set
 * names and the representatives above — at the rule's weight. A name no quote shows is refused: accepting a
 * typo costs every order of the account, refusing a real but unseen option costs one PUT that names its
 * countries.
 */
export async function checkRuleSet(rules: RuleSet, deps: RuleSetCheckDeps): Promise<RuleSetCheck> {
  const catalogs = new Map<string, Promise<Catalog>>();
  const catalogOf = (query: CatalogQuery) => {
    const key = JSON.stringify([query.toCountry, query.fromCountry, query.weightGrams, query.returns]);
    let catalog = catalogs.get(key);
    if (!catalog) {
      catalog = deps.catalog(query);
      catalogs.set(key, catalog);
    }
    return catalog;
  };
  const named = [...new Set([...rules.rules, ...rules.returns].flatMap((r) => r.when.countries ?? []))];
  const sender = (await catalogOf({ toCountry: named[0] ?? 'NL', weightGrams: PROBE_GRAMS })).fromCountry;
  const everywhere = [...new Set([sender, ...named, ...REPRESENTATIVES])].slice(0, MAX_COUNTRIES);
  const countriesOf = (rule: Rule) =>
    rule.when.countries ? [...new Set(rule.when.countries)].slice(0, MAX_COUNTRIES) : everywhere;

  const outgoing = (country: string, grams: number) =>
    catalogOf({ toCountry: country, weightGrams: grams }).then((c) => c.methods);
  // A return travels from the customer's country to the shop (as returns ask the catalogue).
  const returning = (country: string, grams: number) =>
    catalogOf({ toCountry: sender, fromCountry: country, weightGrams: grams, returns: true }).then(
      (c) => c.methods,
    );
  const offered = async (rule: Rule, quote: typeof outgoing) => {
    const grams = probeGrams(rule);
    return (await Promise.all(countriesOf(rule).map((country) => quote(country, grams)))).flat();
  };

  const problems: FieldProblem[] = [];
  const warnings: string[] = [];
  const outgoingOffered = await Promise.all(rules.rules.map((rule) => offered(rule, outgoing)));
  const returnsOffered = await Promise.all(rules.returns.map((rule) => offered(rule, returning)));
  // Carriers are names, not products: one seen on any quote of this check is a carrier of the account.
  const carriers = new Set([...outgoingOffered, ...returnsOffered].flat().map((m) => m.carrier));
  const where = (rule: Rule) =>
    deps.api === 'v2' ? '' : ` for ${countriesOf(rule).join(', ')} (the destinations checked)`;
  const lists = [
    { list: 'rules', of: rules.rules, offered: outgoingOffered },
    { list: 'returns', of: rules.returns, offered: returnsOffered },
  ] as const;
  for (const { list, of, offered: perRule } of lists)
    of.forEach((rule, i) => {
      const methods = perRule[i] ?? [];
      const at = `${list}.${i}`;
      problems.push(
        ...namesOf(rule, `${at}.choose`, { api: deps.api, carriers, methods, where: where(rule) }),
      );
      if (methods.length > 0 && !choosesAny(rule, methods))
        warnings.push(
          `${at} (rule "${rule.name}") matches no method of this account${where(rule)}: it never decides`,
        );
    });
  for (const carrier of Object.keys(rules.carrierLimits)) {
    if (carriers.has(carrier)) continue;
    const near = nearestOf(carrier, carriers);
    if (near)
      problems.push({
        path: `carrierLimits.${carrier}`,
        message: `"${carrier}" is not a carrier of this account; did you mean "${near}"?`,
      });
    else warnings.push(`carrierLimits.${carrier}: no carrier of this account is called "${carrier}"`);
  }
  if (problems.length === 0)
    warnings.push(...(await unroutedClasses(rules, { sender, named, methodsTo: outgoing })));
  return { problems, warnings };
}

/** The rule's own weight bounds decide what weight it is asked about. */
function probeGrams(rule: Rule): number {
  const { minWeightGrams: min, maxWeightGrams: max } = rule.when;
  return Math.min(Math.max(PROBE_GRAMS, min ?? 0), max ?? Number.MAX_SAFE_INTEGER);
}

/** Option code of a v3 reference, without its contract. */
const withoutContract = (ref: string) => (ref.includes('@') ? ref.slice(0, ref.lastIndexOf('@')) : ref);

function namesOf(
  rule: Rule,
  at: string,
  known: {
    readonly api: ApiVersion;
    readonly carriers: ReadonlySet<string>;
    readonly methods: readonly CatalogMethod[];
    readonly where: string;
  },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { choose } = rule;
  const carrier = (field: string, code: string, strictly: boolean) => {
    if (known.carriers.has(code)) return;
    const near = nearestOf(code, known.carriers);
    // An excluded carrier that exists nowhere excludes nothing: only a likely typo is refused.
    if (!strictly && !near) return;
    problems.push({
      path: `${at}.${field}`,
      message: `"${code}" is not a carrier of this account${known.where} (rule "${rule.name}")${near ? `; did you mean "${near}"?` : ''}`,
    });
  };
  choose.carriers.forEach((code, i) => {
    carrier(`carriers.${i}`, code, true);
  });
  choose.excludeCarriers.forEach((code, i) => {
    carrier(`excludeCarriers.${i}`, code, false);
  });
  if (choose.methodIds) {
    if (known.api === 'v3')
      problems.push({
        path: `${at}.methodIds`,
        message: `v2 shipping method ids match nothing on an account on SendCloud API v3 (rule "${rule.name}"); name v3 shipping option codes in "methods" (POST /routing/rules/{account}/v3-migration proposes them)`,
      });
    else {
      const ids = new Map(known.methods.flatMap((m) => (m.legacyId === undefined ? [] : [[m.legacyId, m]])));
      choose.methodIds.forEach((id, i) => {
        if (!ids.has(id))
          problems.push({
            path: `${at}.methodIds.${i}`,
            message: `${id} is not a shipping method id of this account (rule "${rule.name}"; SendCloud's GET /shipping_methods lists them)`,
          });
      });
    }
  }
  choose.methods?.forEach((ref, i) => {
    const refs = known.methods.map((m) => m.ref);
    // `code` matches the option under any contract; `code@contract` only that contract's.
    const found = ref.includes('@') ? refs.includes(ref) : refs.some((r) => withoutContract(r) === ref);
    if (found) return;
    const codes = new Set(ref.includes('@') ? refs : refs.map(withoutContract));
    const near = nearestOf(ref, codes) ?? [...codes].find((c) => withoutContract(c) === withoutContract(ref));
    const what =
      known.api === 'v2'
        ? /^\d+$/.test(ref)
          ? `${ref} is not a shipping method id of this account`
          : `"${ref}" is a v3 shipping option code; this account is on SendCloud API v2 and names methods by id`
        : `"${ref}" is not a shipping option of this account${known.where}`;
    problems.push({
      path: `${at}.methods.${i}`,
      message: `${what} (rule "${rule.name}")${near ? `; did you mean "${near}"?` : ''}`,
    });
  });
  return problems;
}

/** Whether any method passes the rule's own filters (carriers, names, patterns), whatever the order. */
function choosesAny(rule: Rule, methods: readonly CatalogMethod[]): boolean {
  const decision = route(
    {
      toCountry: '',
      fromCountry: '',
      weightGrams: PROBE_GRAMS,
      serviceLevel: 'standard',
      orderValue: 0,
      channel: '',
      deliveryType: 'home',
    },
    {
      methods,
      rules: ruleSetOf({ ...rule, when: {}, choose: { ...rule.choose, servicePointCarrier: false } }),
    },
  );
  // A rule that considered a method rejects or chooses it; one that considered none lists no rejection.
  return decision.trace.some((t) => t.outcome === 'chosen' || (t.rejected?.length ?? 0) > 0);
}

const ruleSetOf = (rule: Rule): RuleSet => ({
  name: 'check',
  version: 1,
  volumetricDivisor: 5000,
  carrierLimits: {},
  methodLimits: [],
  rules: [rule],
  returns: [rule],
});

type DestinationClass = 'domestic' | 'eu' | 'non_eu';
const CLASS_NAMES: Record<DestinationClass, string> = {
  domestic: 'the home country',
  eu: 'another EU country',
  non_eu: 'a country outside the EU',
};

/**
 * Each class of home destination — the sender's own country, the rest of the EU, outside the EU — routed as
 * a 1 kg order (within each rule's own conditions) to the class's countries the check asked about: a class
 * no rule can route is a warning, as its orders would all fail with NO_ELIGIBLE_METHOD.
 */
async function unroutedClasses(
  rules: RuleSet,
  context: {
    readonly sender: string;
    readonly named: readonly string[];
    readonly methodsTo: (country: string, grams: number) => Promise<readonly CatalogMethod[]>;
  },
): Promise<string[]> {
  const classOf = (country: string): DestinationClass =>
    country === context.sender ? 'domestic' : EU.has(country) ? 'eu' : 'non_eu';
  const countries = [...new Set([context.sender, ...context.named, ...REPRESENTATIVES])].slice(
    0,
    MAX_COUNTRIES,
  );
  const warnings: string[] = [];
  for (const destination of ['domestic', 'eu', 'non_eu'] as const) {
    const inClass = countries.filter((c) => classOf(c) === destination);
    let routed = false;
    for (const country of inClass) {
      for (const rule of rules.rules) {
        const order = orderFor(rule, { toCountry: country, fromCountry: context.sender });
        const methods = await context.methodsTo(country, order.weightGrams);
        if (route(order, { methods, rules: { ...rules, rules: [rule] } }).choice) routed = true;
        if (routed) break;
      }
      if (routed) break;
    }
    if (!routed && inClass.length > 0)
      warnings.push(
        `no rule routes a home delivery to ${CLASS_NAMES[destination]} (checked ${inClass.join(', ')}): such orders would fail with NO_ELIGIBLE_METHOD`,
      );
  }
  return warnings;
}

/** A home-delivery order that meets the rule's conditions, to the given country. */
function orderFor(
  rule: Rule,
  to: { readonly toCountry: string; readonly fromCountry: string },
): RoutingOrder {
  const { when } = rule;
  return {
    ...to,
    weightGrams: probeGrams(rule),
    serviceLevel: when.serviceLevels?.[0] ?? 'standard',
    orderValue: when.minOrderValue ?? 0,
    channel: when.channels?.[0] ?? 'webshop',
    deliveryType: 'home',
  };
}
