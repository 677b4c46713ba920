import * as z from 'zod';
import { SERVICE_LEVELS } from '../orders/OrderRequest';
import { FieldVocabulary } from '../validation';

/**
 * Routing rules as configuration: evaluated in order; the first rule whose conditions match and that has an
 * eligible shipping method decides. A rule without an eligible method falls through to the next one, and the
 * trace says why. Versioned, stored per account, validated here. Every object is strict: a misspelt field
 * (`carrier` for `carriers`) is refused, never dropped — dropped, it would widen the rule in silence.
 */
export const RULE_FIELDS = new FieldVocabulary();
const strict = <Shape extends z.ZodRawShape>(shape: Shape) => RULE_FIELDS.strict(shape);

const limitFields = {
  maxLengthCm: z.number().positive().optional(),
  maxWidthCm: z.number().positive().optional(),
  maxHeightCm: z.number().positive().optional(),
  /** length + width + height */
  maxSumCm: z.number().positive().optional(),
  /** length + 2 × (width + height) */
  maxGirthCm: z.number().positive().optional(),
};
const Limits = strict(limitFields);
export type Limits = z.infer<typeof Limits>;

export const Rule = strict({
  name: z.string().min(1),
  when: strict({
    countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
    notCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
    regions: z.array(z.enum(['domestic', 'eu', 'non_eu'])).optional(),
    minWeightGrams: z.number().int().nonnegative().optional(),
    maxWeightGrams: z.number().int().positive().optional(),
    serviceLevels: z.array(z.enum(SERVICE_LEVELS)).optional(),
    minOrderValue: z.number().nonnegative().optional(),
    maxOrderValue: z.number().nonnegative().optional(),
    channels: z.array(z.string()).optional(),
    deliveryTypes: z.array(z.enum(['home', 'service_point'])).optional(),
  }).default({}),
  choose: strict({
    /** Carrier codes in order of preference; empty = any carrier. */
    carriers: z.array(z.string()).default([]),
    /** Or explicit SendCloud v2 shipping method ids, in order of preference (v2 accounts). */
    methodIds: z.array(z.number().int().positive()).optional(),
    /**
     * Or explicit method references, in order of preference: v3 shipping option codes (`postnl:standard`,
     * any contract) or `code@contract`. `npm run migrate-rules` rewrites `methodIds` into these.
     */
    methods: z.array(z.string().min(1)).optional(),
    /** For service-point orders: only methods of the carrier that serves the chosen point. */
    servicePointCarrier: z.boolean().default(false),
    namePattern: z.string().optional(),
    excludeNamePattern: z.string().optional(),
    excludeCarriers: z.array(z.string()).default([]),
    /** `ranked`: carrier/method order first, price second. `cheapest`: SendCloud's price for the destination. */
    strategy: z.enum(['ranked', 'cheapest']).default('ranked'),
  }),
});
export type Rule = z.infer<typeof Rule>;

/**
 * Return labels: evaluated like `rules`, over the account's return methods, where `countries` and `regions`
 * describe the customer's country (where the parcel comes from).
 */
export const DEFAULT_RETURN_RULES: Rule[] = [
  { name: 'returns from NL', when: { countries: ['NL'] }, choose: { carriers: ['postnl', 'dhl'] } },
  { name: 'returns from BE', when: { countries: ['BE'] }, choose: { carriers: ['bpost', 'dhl'] } },
  { name: 'any return method', when: {}, choose: { strategy: 'cheapest' } },
].map((rule) => Rule.parse(rule));

export const RuleSet = strict({
  name: z.string().min(1),
  version: z.number().int().positive(),
  /** cm³ per kg for volumetric weight (5000 is the parcel-carrier norm). */
  volumetricDivisor: z.number().positive().default(5000),
  /** Size limits per carrier code. SendCloud v2 shipping methods carry weight limits only. */
  carrierLimits: z.record(z.string(), Limits).default({}),
  /** Size limits for methods whose name matches, e.g. mailbox parcels; `requireDimensions` excludes them when the order has no dimensions. */
  methodLimits: z
    .array(strict({ ...limitFields, namePattern: z.string(), requireDimensions: z.boolean().default(false) }))
    .default([]),
  rules: z.array(Rule).min(1),
  returns: z.array(Rule).min(1).default(DEFAULT_RETURN_RULES),
});
export type RuleSet = z.infer<typeof RuleSet>;
export type RuleSetInput = z.input<typeof RuleSet>;

/** The seed's examples: domestic NL → PostNL, BE → bpost, heavy/international → DHL or UPS, service points by carrier. */
export const DEFAULT_RULES: RuleSet = RuleSet.parse({
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
});
