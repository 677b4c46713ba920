import * as z from 'zod';
import { countryByIso } from '../countries';
import { isKnownCountry, recipientFields, returnSenderFields, V3Address } from './addresses';
import { type ErrorObject, errorObject, issuesToErrors, pointer } from './errors';
import { DIMENSION_UNITS, kgString, toCm, toGrams, WEIGHT_UNITS } from './measures';
import {
  contractOf,
  functionalitiesOf,
  optionByCode,
  SHIPPING_OPTIONS,
  type SimShippingOption,
} from './options';

/**
 * The body of `POST /returns` and `POST /returns/announce-synchronously` (`CreateReturn` of S-v3returns):
 * numbers where shipments have strings (weight, prices), `ship_with` by option code or by product code +
 * functionalities (the default type). `from_address` is the customer, `to_address` the shop.
 */
const AnyPrice = z.strictObject({
  value: z.number(),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'Enter a valid ISO 4217 currency code.' }),
});
const Weight = z.strictObject({ value: z.number().positive(), unit: z.enum(WEIGHT_UNITS) });
const nullableText = z.string().nullable().optional();

const ReturnItem = z.strictObject({
  item_id: nullableText,
  description: z.string().optional(),
  quantity: z.int().min(1).optional(),
  weight: Weight.optional(),
  price: AnyPrice.optional(),
  value: AnyPrice.optional(),
  hs_code: z.string().max(12).optional(),
  origin_country: z.string().optional(),
  sku: z.string().optional(),
  product_id: z.string().optional(),
  return_reason_id: nullableText,
  return_message: nullableText,
  mid_code: nullableText,
  material_content: nullableText,
  intended_use: nullableText,
  dangerous_goods: z.record(z.string(), z.unknown()).optional(),
  dds_reference: nullableText,
  taric_doc_code: nullableText,
  manufacturer_product_id: z.string().max(70).nullable().optional(),
  manufacturer_product_id_std: z.string().max(70).nullable().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});

/** v2 allows 20 colli per parcel (REFERENCE.md §2.1 `quantity`); v3 returns document no limit of their own. */
const MAX_COLLI = 20;

const ReturnSchema = z.strictObject({
  from_address: V3Address,
  to_address: V3Address,
  ship_with: z.strictObject({
    type: z.enum(['shipping_option_code', 'shipping_product_code']).optional(),
    shipping_option_code: z.string().optional(),
    shipping_product_code: z.string().optional(),
    functionalities: z.record(z.string(), z.unknown()).optional(),
    contract: z.int().optional(),
  }),
  dimensions: z
    .strictObject({
      length: z.number().min(0),
      width: z.number().min(0),
      height: z.number().min(0),
      unit: z.enum(DIMENSION_UNITS),
    })
    .optional(),
  weight: Weight,
  collo_count: z.int().min(1).max(MAX_COLLI).optional(),
  parcel_items: z.array(ReturnItem).optional(),
  send_tracking_emails: z.boolean().optional(),
  brand_id: z.int().min(1).optional(),
  total_insured_value: z
    .strictObject({ value: z.number(), currency: z.enum(['EUR', 'GBP', 'USD']) })
    .optional(),
  order_number: z.string().optional(),
  total_order_value: AnyPrice.optional(),
  external_reference: z.string().optional(),
  customs_invoice_nr: nullableText,
  delivery_option: z
    .enum(['drop_off_point', 'drop_off_labelless', 'pickup', 'in_store'])
    .nullable()
    .optional(),
  customs_information: z
    .looseObject({
      invoice_number: z.string().min(1).max(40),
      export_reason: z.enum(['gift', 'documents', 'commercial_goods', 'commercial_sample', 'returned_goods']),
    })
    .nullable()
    .optional(),
  apply_rules: z.boolean().optional(),
});
export type ReturnBody = z.infer<typeof ReturnSchema>;

export interface ReturnPlan {
  readonly option: SimShippingOption;
  readonly drafts: ReadonlyArray<Record<string, unknown>>;
}

const invalid = (path: readonly PropertyKey[], detail: string) =>
  errorObject(400, 'invalid', detail, { pointer: pointer(path) });

export function parseReturn(
  input: unknown,
): { body: ReturnBody; plan: ReturnPlan } | { errors: ErrorObject[] } {
  const parsed = ReturnSchema.safeParse(input);
  if (!parsed.success) return { errors: issuesToErrors(parsed.error.issues, input) };
  const body = parsed.data;
  const errors: ErrorObject[] = [];
  const option = resolveOption(body.ship_with, errors);
  const customer = body.from_address.country_code.toUpperCase();
  for (const [side, code] of [
    ['from_address', customer],
    ['to_address', body.to_address.country_code.toUpperCase()],
  ] as const)
    if (!isKnownCountry(code))
      errors.push(
        errorObject(400, 'invalid_choice', `"${code}" is not a valid choice.`, {
          pointer: `/${side}/country_code`,
        }),
      );
  if (
    option &&
    body.ship_with.contract !== undefined &&
    body.ship_with.contract !== contractOf(option.method.carrier).id
  )
    errors.push(invalid(['ship_with', 'contract'], 'Invalid contract.'));
  // Return prices are keyed by the customer's country, as v2's return methods are (`checkMethod`).
  if (option && isKnownCountry(customer) && option.method.prices[customer] === undefined)
    errors.push(invalid(['ship_with'], `${option.code} is not available for returns from ${customer}.`));
  const grams = toGrams(body.weight.value, body.weight.unit);
  if (option && (grams < option.method.minGrams || grams > option.method.maxGrams))
    errors.push(
      invalid(
        ['weight', 'value'],
        `Weight must be between ${kgString(option.method.minGrams)} and ${kgString(option.method.maxGrams)} kg.`,
      ),
    );
  if (countryByIso(customer)?.eu === false && !body.parcel_items?.length)
    errors.push(
      errorObject(400, 'required', 'Parcel items are required for returns from outside the EU.', {
        pointer: '/parcel_items',
      }),
    );
  if (!option || errors.length > 0) return { errors };
  const draft = draftOf(body, option, grams);
  return { body, plan: { option, drafts: Array.from({ length: body.collo_count ?? 1 }, () => draft) } };
}

/** A return option by its code, or by product code (+ the functionalities it must have). */
function resolveOption(
  shipWith: ReturnBody['ship_with'],
  errors: ErrorObject[],
): SimShippingOption | undefined {
  const byOption = shipWith.type === 'shipping_option_code';
  const field = byOption ? 'shipping_option_code' : 'shipping_product_code';
  const code = shipWith[field];
  if (!code) {
    errors.push(
      errorObject(400, 'required', 'This field is required.', { pointer: pointer(['ship_with', field]) }),
    );
    return undefined;
  }
  const wanted = shipWith.functionalities ?? {};
  const option = byOption
    ? optionByCode(code)
    : SHIPPING_OPTIONS.find(
        (o) =>
          o.method.isReturn &&
          o.productCode === code &&
          Object.entries(wanted).every(
            ([name, value]) => value === null || (functionalitiesOf(o)[name] ?? false) === value,
          ),
      );
  if (option?.method.isReturn) return option;
  errors.push(
    invalid(
      ['ship_with', field],
      `"${code}" is not a return shipping ${byOption ? 'option' : 'product'} of this account.`,
    ),
  );
  return undefined;
}

function draftOf(body: ReturnBody, option: SimShippingOption, grams: number): Record<string, unknown> {
  const dims = body.dimensions;
  const cm = (value: number) => toCm(value, dims?.unit ?? 'cm').toFixed(2);
  return {
    ...recipientFields(body.to_address),
    ...returnSenderFields(body.from_address),
    is_return: true,
    weight: kgString(grams),
    ...(dims ? { length: cm(dims.length), width: cm(dims.width), height: cm(dims.height) } : {}),
    shipment: { id: option.method.id },
    request_label: true,
    ...(body.order_number ? { order_number: body.order_number } : {}),
    ...(body.external_reference ? { external_reference: body.external_reference } : {}),
    ...(body.total_order_value
      ? {
          total_order_value: body.total_order_value.value.toFixed(2),
          total_order_value_currency: body.total_order_value.currency,
        }
      : {}),
    ...(body.ship_with.contract ? { contract: body.ship_with.contract } : {}),
    parcel_items: (body.parcel_items ?? []).map((item) => ({
      description: item.description ?? '',
      quantity: item.quantity ?? 1,
      weight: item.weight ? kgString(toGrams(item.weight.value, item.weight.unit)) : '0.000',
      value: (item.price ?? item.value)?.value ?? 0,
      hs_code: item.hs_code ?? '',
      ...(item.origin_country ? { origin_country: item.origin_country } : {}),
      ...(item.sku ? { sku: item.sku } : {}),
      ...(item.product_id ? { product_id: item.product_id } : {}),
      ...(item.return_reason_id ? { return_reason: Number(item.return_reason_id) } : {}),
      ...(item.return_message ? { return_message: item.return_message } : {}),
    })),
  };
}
