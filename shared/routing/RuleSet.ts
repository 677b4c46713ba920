import { SERVICE_LEVELS } from '../orders/OrderRequest';
import { FieldVocabulary } from '../validation';
import * as z from '../validation/zod';

/**
 * Routing rules as configuration: evaluated in order; the first rule whose conditions match and that has an
 * eligible shipping method decides. A rule without an eligible method falls through to the next one, and the
 * trace says why. Versioned, stored per account, validated here. Every object is strict: a misspelt field
 * (`carrier` for `carriers`) is refused, never dropped — dropped, it would widen the rule in silence.
 */
export const RULE_FIELDS = new FieldVocabulary();
const strict = <Shape extends z.ZodRawShape>(shape: Shape) => RULE_FIELDS.strict(shape);

const limitFields = {
  maxLengthCm: z.optional(z.number().check(z.positive())),
  maxWidthCm: z.optional(z.number().check(z.positive())),
  maxHeightCm: z.optional(z.number().check(z.positive())),
  /** length + width + height */
  maxSumCm: z.optional(z.number().check(z.positive())),
  /** length + 2 × (width + height) */
  maxGirthCm: z.optional(z.number().check(z.positive())),
};
const Limits = strict(limitFields);
export type Limits = z.infer<typeof Limits>;

export const Rule = strict({
  name: z.string().check(z.minLength(1)),
  when: z._default(
    strict({
      countries: z.optional(z.array(z.string().check(z.regex(/^[A-Z]{2}$/)))),
      notCountries: z.optional(z.array(z.string().check(z.regex(/^[A-Z]{2}$/)))),
      regions: z.optional(z.array(z.enum(['domestic', 'eu', 'non_eu']))),
      minWeightGrams: z.optional(z.number().check(z.int(), z.nonnegative())),
      maxWeightGrams: z.optional(z.number().check(z.int(), z.positive())),
      serviceLevels: z.optional(z.array(z.enum(SERVICE_LEVELS))),
      minOrderValue: z.optional(z.number().check(z.nonnegative())),
      maxOrderValue: z.optional(z.number().check(z.nonnegative())),
      channels: z.optional(z.array(z.string())),
      deliveryTypes: z.optional(z.array(z.enum(['home', 'service_point']))),
    }),
    {},
  ),
  choose: strict({
    /** Carrier codes in order of preference; empty = any carrier. */
    carriers: z._default(z.array(z.string()), []),
    /** Or explicit SendCloud v2 shipping method ids, in order of preference (v2 accounts). */
    methodIds: z.optional(z.array(z.number().check(z.int(), z.positive()))),
    /**
     * Or explicit method references, in order of preference: v3 shipping option codes (`postnl:standard`,
     * any contract) or `code@contract`. `npm run migrate-rules` rewrites `methodIds` into these.
     */
    methods: z.optional(z.array(z.string().check(z.minLength(1)))),
    /** For service-point orders: only methods of the carrier that serves the chosen point. */
    servicePointCarrier: z._default(z.boolean(), false),
    namePattern: z.optional(z.string()),
    excludeNamePattern: z.optional(z.string()),
    excludeCarriers: z._default(z.array(z.string()), []),
    /** `ranked`: carrier/method order first, price second. `cheapest`: SendCloud's price for the destination. */
    strategy: z._default(z.enum(['ranked', 'cheapest']), 'ranked'),
  }),
});
export type Rule = z.infer<typeof Rule>;

/**
 * Return labels: evaluated like `rules`, over the account's return methods, where `countries` and `regions`
 * describe the customer's country (where the parcel comes from).
 */
const RETURN_RULES: ReadonlyArray<z.input<typeof Rule>> = [
  { name: 'returns from NL', when: { countries: ['NL'] }, choose: { carriers: ['postnl', 'dhl'] } },
  { name: 'returns from BE', when: { countries: ['BE'] }, choose: { carriers: ['bpost', 'dhl'] } },
  { name: 'any return method', when: {}, choose: { strategy: 'cheapest' } },
];
let returnRules: Rule[] | undefined;

/** The default return rules, parsed on first use: not at every cold start, as most requests never need them. */
export const defaultReturnRules = (): Rule[] => {
  returnRules ??= RETURN_RULES.map((rule) => Rule.parse(rule));
  return [...returnRules];
};

export const RuleSet = strict({
  name: z.string().check(z.minLength(1)),
  version: z.number().check(z.int(), z.positive()),
  /** cm³ per kg for volumetric weight (5000 is the parcel-carrier norm). */
  volumetricDivisor: z._default(z.number().check(z.positive()), 5000),
  /** Size limits per carrier code. SendCloud v2 shipping methods carry weight limits only. */
  carrierLimits: z._default(z.record(z.string(), Limits), {}),
  /** Size limits for methods whose name matches, e.g. mailbox parcels; `requireDimensions` excludes them when the order has no dimensions. */
  methodLimits: z._default(
    z.array(
      strict({ ...limitFields, namePattern: z.string(), requireDimensions: z._default(z.boolean(), false) }),
    ),
    [],
  ),
  rules: z.array(Rule).check(z.minLength(1)),
  returns: z._default(z.array(Rule).check(z.minLength(1)), defaultReturnRules),
});
export type RuleSet = z.infer<typeof RuleSet>;
export type RuleSetInput = z.input<typeof RuleSet>;

/** The seed's examples: domestic NL → PostNL, BE → bpost, heavy/international → DHL or UPS, service points by carrier. */
const DEFAULT_RULES_INPUT: RuleSetInput = {
  name: 'default',
  version: 1,
  carrierLimits: {
    postnl: { maxLengthCm: 100, maxWidthCm: 50, maxHeightCm: 50 },
    bpost: { maxLengthCm: 150, maxSumCm: 300 },
    dhl: { maxLengthCm: 120, maxWidthCm: 60, maxHeightCm: 60 },
    dpd: { maxLengthCm: 175, maxSumCm: 300 },
    gls_nl: { maxLengthCm: 200, maxSumCm: 300 },
    ups: { maxLengthCm: 274, maxGirthCm: 400 },
    dhl_express: { maxLengthCm: 300 },
    colissimo: { maxLengthCm: 150, maxSumCm: 200 },
    mondial_relay: { maxLengthCm: 120, maxSumCm: 150 },
  },
  methodLimits: [
    {
      namePattern: 'Mailbox|Brievenbus',
      maxLengthCm: 38,
      maxWidthCm: 26.5,
      maxHeightCm: 3.2,
      requireDimensions: true,
    },
  ],
  rules: [
    {
      name: 'service-point delivery',
      when: { deliveryTypes: ['service_point'] },
      choose: { servicePointCarrier: true, strategy: 'cheapest' },
    },
    {
      name: 'domestic NL, evening',
      when: { countries: ['NL'], regions: ['domestic'], serviceLevels: ['evening'] },
      choose: { carriers: ['postnl'], namePattern: 'Evening' },
    },
    {
      name: 'domestic NL',
      when: {
        countries: ['NL'],
        regions: ['domestic'],
        maxWeightGrams: 23_000,
        serviceLevels: ['economy', 'standard', 'evening'],
      },
      choose: { carriers: ['postnl', 'dhl', 'dpd'], excludeNamePattern: 'Evening' },
    },
    {
      name: 'Belgium',
      when: { countries: ['BE'], maxWeightGrams: 30_000, serviceLevels: ['economy', 'standard'] },
      choose: { carriers: ['bpost', 'postnl', 'dpd'], excludeNamePattern: 'Evening' },
    },
    {
      name: 'express',
      when: { serviceLevels: ['express'] },
      choose: { carriers: ['dhl_express', 'ups'], namePattern: 'Express', strategy: 'cheapest' },
    },
    {
      name: 'heavy or international',
      when: {},
      choose: {
        carriers: ['dhl', 'ups', 'dhl_express'],
        excludeNamePattern: 'Evening',
        strategy: 'cheapest',
      },
    },
    {
      name: 'anything that ships',
      when: {},
      choose: { excludeCarriers: ['sendcloud'], excludeNamePattern: 'Evening', strategy: 'cheapest' },
    },
  ],
};
let defaults: RuleSet | undefined;

/**
 * The rule set of an account that has none of its own (the seed's examples), parsed on first use — by a request
 * that routes for such an account — rather than at every cold start of the nine functions that import it.
 */
export const defaultRules = (): RuleSet => {
  defaults ??= RuleSet.parse(DEFAULT_RULES_INPUT);
  return defaults;
};
