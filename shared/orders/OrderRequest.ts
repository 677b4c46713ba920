import { type FieldProblem, FieldVocabulary, fieldProblems as problemsIn } from '../validation';
import * as z from '../validation/zod';
import { countryProblem } from './countries';

/**
 * An order as order systems post it to `POST /orders`: grams and centimetres, camelCase. Every problem is
 * reported with its path and a message a developer can act on. Text goes onto labels and customs papers, so
 * it is bounded and printable; numbers are in the ranges carriers and DynamoDB take.
 */

/** C0 controls, DEL and C1: they break label rendering and every export downstream. */
const CONTROL = /\p{Cc}/u;
/** The same, less tab and line breaks, for a field whose text may have several lines. */
const CONTROL_IN_LINES = /[^\P{Cc}\t\n\r]/u;
/** Half of a surrogate pair: JSON can carry it (`"\ud800"`), UTF-8 cannot. */
const LONE_SURROGATE = /\p{Cs}/u;
/** What renders as nothing: whitespace, zero-width characters, BOM, bidi marks, fillers, the blank braille cell. */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Why a text value cannot be printed, or undefined. Emptiness and length are the schema's own checks. */
export function textProblem(
  value: string,
  options: { readonly multiline?: boolean } = {},
): string | undefined {
  const control = (options.multiline ? CONTROL_IN_LINES : CONTROL).exec(value);
  if (control) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at position ${control.index + 1})${options.multiline ? '' : '; send one line of printable text'}`;
  }
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode text (half of a surrogate pair)';
  if (value !== '' && value.replace(INVISIBLE, '') === '')
    return 'must not be empty: it has only invisible characters (spaces, zero-width characters, BOM or bidi marks)';
  return undefined;
}

const printable =
  (options: { readonly multiline?: boolean } = {}) =>
  (value: string, ctx: z.RefinementCtx) => {
    const problem = textProblem(value, options);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

/** Required text: trimmed, 1 to `max` characters, printable. */
export const Text = (max: number, options: { readonly multiline?: boolean } = {}) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(max, `at most ${max} characters`),
      z.superRefine(printable(options)),
    );
/** Optional text: as `Text`, but may be empty, null or left out. */
export const OptionalText = (max: number, options: { readonly multiline?: boolean } = {}) =>
  z.nullish(
    z
      .string()
      .check(z.trim(), z.maxLength(max, `at most ${max} characters`), z.superRefine(printable(options))),
  );

/** Every field name of the strict objects below: what "did you mean" chooses from. */
export const ORDER_FIELDS = new FieldVocabulary();
const strict = <Shape extends z.ZodRawShape>(shape: Shape) => ORDER_FIELDS.strict(shape);

const Country = z.pipe(
  z.pipe(
    z.string().check(z.trim()),
    z.transform((value) => value.toUpperCase()),
  ),
  z.string().check(
    z.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as "NL"'),
    z.superRefine((code, ctx) => {
      const problem = countryProblem(code);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
);
/** At least 0, at most two decimals (as SendCloud takes money). */
export const Decimal = z
  .string()
  .check(z.regex(/^\d{1,7}(\.\d{1,2})?$/, 'a decimal amount as a string, e.g. "12.50"'));
/** Grams for a parcel or an item: whole grams, 1 g to 1,000 kg. */
export const Grams = z
  .number()
  .check(z.int('whole grams'), z.gte(1, 'at least 1 gram'), z.lte(1_000_000, 'at most 1,000 kg'));
/** A parcel side: 0.1 cm to 10 m (smaller values are typos, and below 1e-130 DynamoDB refuses the number). */
const Centimetres = z.number().check(z.gte(0.1, 'at least 0.1 cm'), z.lte(1_000, 'at most 1,000 cm'));

/** EU member states: no customs lines needed from NL. */
export const EU = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]);
/** Countries whose carriers need a state/province code. */
const NEEDS_STATE = new Set(['US', 'CA', 'IT', 'AU']);

export const Recipient = strict({
  name: Text(75),
  company: OptionalText(50),
  street: Text(75),
  houseNumber: OptionalText(20),
  addressLine2: OptionalText(75),
  postalCode: Text(12),
  city: Text(30),
  country: Country,
  state: OptionalText(14),
  email: z.nullish(z.email('a valid e-mail address').check(z.maxLength(320, 'at most 320 characters'))),
  phone: z.nullish(
    z.string().check(z.trim(), z.regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number like +31612345678')),
  ),
});
export type Recipient = z.infer<typeof Recipient>;

export const ParcelSpec = strict({
  weightGrams: Grams,
  lengthCm: z.optional(Centimetres),
  widthCm: z.optional(Centimetres),
  heightCm: z.optional(Centimetres),
});
export type ParcelSpec = z.infer<typeof ParcelSpec>;

export const OrderItem = strict({
  sku: OptionalText(64),
  description: Text(255),
  quantity: z
    .number()
    .check(z.int('a whole number'), z.gte(1, 'at least 1'), z.lte(10_000, 'at most 10,000')),
  unitPrice: Decimal,
  hsCode: z.nullish(z.string().check(z.regex(/^\d{6,10}$/, 'a 6 to 10 digit HS code'))),
  originCountry: z.nullish(Country),
  weightGrams: Grams,
});
export type OrderItem = z.infer<typeof OrderItem>;

/** SendCloud carries at most 20 parcels in one multicollo shipment (v2 `quantity`, v3 `parcels[]`). */
export const MAX_COLLI = 20;

/** The boxes of an order, in the order given: `parcels`, or the one `parcel`. */
export const boxesOf = (order: Pick<OrderRequest, 'parcel' | 'parcels'>): ParcelSpec[] =>
  order.parcels ?? (order.parcel ? [order.parcel] : []);

/** SendCloud's kinds of tax and identification numbers (v3 TaxNumber.name). */
export const TAX_NUMBER_KINDS = [
  'VAT',
  'EIN',
  'GST',
  'SSN',
  'EORI',
  'DUN',
  'FED',
  'STA',
  'CNP',
  'IE',
  'INN',
  'KPP',
  'OGR',
  'OKP',
  'IOSS',
  'FTZ',
  'DAN',
  'TAN',
  'DTF',
  'RGP',
  'DLI',
  'NID',
  'PAS',
  'MID',
  'UKIMS',
] as const;

export const TaxNumber = strict({
  /** VAT (also Norway's VOEC), EORI, IOSS, … */
  kind: z.enum(TAX_NUMBER_KINDS),
  country: Country,
  value: Text(100),
});
export type TaxNumber = z.infer<typeof TaxNumber>;
const TaxNumbers = z.array(TaxNumber).check(z.maxLength(20, 'at most 20 numbers'));

export const CUSTOMS_SHIPMENT_TYPES = [
  'gift',
  'documents',
  'commercial_goods',
  'commercial_sample',
  'returned_goods',
] as const;

/** What customs papers say beyond the items: for parcels leaving the EU customs territory. */
export const CustomsInput = strict({
  shipmentType: z._default(z.enum(CUSTOMS_SHIPMENT_TYPES), 'commercial_goods'),
  /** Default: the order id. */
  invoiceNumber: z.optional(Text(40)),
  invoiceDate: z.optional(z.iso.date('a date such as "2026-12-01"')),
  exportType: z.optional(z.enum(['private', 'commercial_b2c', 'commercial_b2b'])),
  taxNumbers: z.optional(
    strict({
      sender: z.optional(TaxNumbers),
      receiver: z.optional(TaxNumbers),
      importerOfRecord: z.optional(TaxNumbers),
    }),
  ),
  /** Who imports the goods when it is not the recipient. */
  importerOfRecord: z.optional(
    strict({
      name: Text(75),
      company: OptionalText(50),
      street: Text(150),
      houseNumber: OptionalText(20),
      postalCode: Text(12),
      city: Text(30),
      country: Country,
      state: OptionalText(14),
      phone: OptionalText(20),
      email: z.nullish(z.email('a valid e-mail address').check(z.maxLength(320))),
    }),
  ),
});
export type CustomsInput = z.infer<typeof CustomsInput>;

export const SERVICE_LEVELS = ['economy', 'standard', 'express', 'evening'] as const;
export const ServiceLevel = z.enum(SERVICE_LEVELS);
export type ServiceLevel = z.infer<typeof ServiceLevel>;

export const Delivery = z.discriminatedUnion('type', [
  strict({ type: z.literal('home') }),
  strict({ type: z.literal('service_point'), servicePointId: z.number().check(z.int(), z.positive()) }),
]);
export type Delivery = z.infer<typeof Delivery>;

export const OrderRequest = strict({
  orderId: Text(50).check(z.regex(/^[A-Za-z0-9._:\-/]+$/, 'letters, digits and . _ : - / only')),
  channel: z._default(
    Text(30).check(
      z.regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, - and _ (e.g. "webshop", "bol", "amazon")'),
      z.refine((channel) => channel !== 'returns', '"returns" is reserved for return shipments'),
    ),
    'webshop',
  ),
  account: z._default(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a configured SendCloud account id')),
    'default',
  ),
  recipient: Recipient,
  /** One box. An order of several boxes sends `parcels` instead (exactly one of the two). */
  parcel: z.optional(ParcelSpec),
  /** Several boxes of one order (1–20, SendCloud's multicollo limit), shipped as one shipment. */
  parcels: z.optional(
    z
      .array(ParcelSpec)
      .check(
        z.minLength(1, 'at least one parcel'),
        z.maxLength(MAX_COLLI, `at most ${MAX_COLLI} parcels (SendCloud's multicollo limit)`),
      ),
  ),
  items: z._default(z.array(OrderItem).check(z.maxLength(100)), []),
  /** Customs papers for a destination outside the EU customs territory (defaults: commercial goods, invoice = order id). */
  customs: z.optional(CustomsInput),
  orderValue: strict({
    amount: Decimal,
    currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "EUR"')),
  }),
  serviceLevel: z._default(ServiceLevel, 'standard'),
  /**
   * Insure the shipment for this much (EUR, per parcel for several): SendCloud's insurance tops up what the
   * carrier covers, up to €5,000.
   */
  insuredValue: z.optional(
    Decimal.check(
      z.refine((v) => Number(v) <= 5_000, 'at most "5000.00" (SendCloud insures up to €5,000)'),
      z.refine((v) => Number(v) > 0, 'more than "0.00"; leave insuredValue out for no insurance'),
    ),
  ),
  /** What the delivery must do; routing only takes a method that offers it. */
  deliveryOptions: z.optional(
    strict({
      signature: z.optional(z.boolean()),
      /** The recipient's minimum age, checked at the door. */
      ageCheck: z.optional(z.union([z.literal(16), z.literal(18)], 'an age of 16 or 18')),
      /** Never leave the parcel with a neighbour. */
      noNeighbourDelivery: z.optional(z.boolean()),
    }),
  ),
  delivery: z._default(Delivery, { type: 'home' }),
  /** The shop's own choice on a v2 account: a SendCloud v2 shipping method id. */
  shippingMethodId: z.nullish(z.number().check(z.int(), z.positive())),
  /** The shop's own choice on a v3 account: a shipping option code, e.g. `postnl:standard` (`@contract` optional). */
  shippingMethod: z.nullish(
    z
      .string()
      .check(
        z.regex(
          /^[a-z0-9_]+:[a-z0-9_/:-]+(@\d+)?$/,
          'a SendCloud shipping option code such as "postnl:standard"',
        ),
      ),
  ),
  /** `end_of_day`: hold the order for the day's batch (one merged label file) instead of shipping now. */
  dispatch: z._default(z.enum(['immediate', 'end_of_day']), 'immediate'),
  /** Where it is packed; end-of-day label files can be split by it. */
  packingStation: z.optional(Text(40)),
}).check(
  z.superRefine((order, ctx) => {
    if (order.deliveryOptions && order.delivery.type === 'service_point')
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryOptions'],
        message:
          'signature, age check and neighbour delivery are for home delivery; a service point hands out against ID',
      });
    if (order.parcel && order.parcels)
      ctx.addIssue({
        code: 'custom',
        path: ['parcels'],
        message: 'send either parcel (one box) or parcels (several boxes), not both',
      });
    if (!order.parcel && !order.parcels)
      ctx.addIssue({
        code: 'custom',
        path: ['parcel'],
        message:
          'required: the box as {weightGrams, lengthCm, widthCm, heightCm}, or parcels: [...] for several boxes',
      });
    const boxes = order.parcels
      ? order.parcels.map((p, i) => ({ p, path: ['parcels', i] }))
      : order.parcel
        ? [{ p: order.parcel, path: ['parcel'] }]
        : [];
    for (const { p, path } of boxes) {
      const dims = [p.lengthCm, p.widthCm, p.heightCm].filter((d) => d !== undefined);
      if (dims.length > 0 && dims.length < 3)
        ctx.addIssue({
          code: 'custom',
          path,
          message: 'give lengthCm, widthCm and heightCm together, or none of them',
        });
    }
    if (NEEDS_STATE.has(order.recipient.country) && !order.recipient.state) {
      ctx.addIssue({
        code: 'custom',
        path: ['recipient', 'state'],
        message: `required for ${order.recipient.country} (state or province code)`,
      });
    }
    // Customs depend on where the account ships from: `customsProblems` (customsChecks.ts), after parsing.
  }),
);
export type OrderRequest = z.infer<typeof OrderRequest>;
export type OrderRequestInput = z.input<typeof OrderRequest>;

export type { FieldProblem };

/** An order body's problems, every one of them, unknown fields with the order field they most likely meant. */
export const fieldProblems = (error: z.ZodError): FieldProblem[] => problemsIn(error, ORDER_FIELDS);
