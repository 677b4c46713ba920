import * as z from 'zod';
import { accountOptions } from '../accountCatalogue';
import { countryByIso } from '../countries';
import { servicePointById } from '../servicePoints';
import type { V3Handler } from './context';
import { errorsResponse, issuesToErrors, jsonApiError } from './errors';
import { DECIMAL, DIMENSION_UNITS, kgString, toCm, toGrams, WEIGHT_UNITS } from './measures';
import {
  carrierJson,
  contractOf,
  functionalitiesOf,
  MAX_DIMENSIONS_CM,
  optionForMethod,
  SHIPPING_OPTIONS,
  type SimShippingOption,
} from './options';

/**
 * `POST /shipping-options` (a whole shipment, multicollo included; `shipping-option-filter` of the merged v3
 * document) and `POST /compat/shipping-options` (v2 method ids → option codes). The simulated shop ships from
 * the Netherlands and Belgium (its sender addresses), as the v2 catalogue assumes.
 */
const Decimal = z.string().regex(DECIMAL, { error: 'A valid number is required.' });
// The document types the insured prices as numbers and its own example sends `{value, currency}`: both pass.
const Insured = z.union([z.number(), z.strictObject({ value: Decimal, currency: z.string().length(3) })]);

const Filter = z.strictObject({
  from_country_code: z.string().optional(),
  to_country_code: z.string().optional(),
  from_postal_code: z.string().max(12).optional(),
  to_postal_code: z.string().max(12).optional(),
  to_service_point_id: z.int().optional(),
  parcels: z
    .array(
      z.strictObject({
        dimensions: z
          .strictObject({ length: Decimal, width: Decimal, height: Decimal, unit: z.enum(DIMENSION_UNITS) })
          .optional(),
        weight: z.strictObject({ value: Decimal, unit: z.enum(WEIGHT_UNITS) }).optional(),
        additional_insured_price: Insured.optional(),
        total_insured_price: Insured.optional(),
      }),
    )
    .max(50)
    .optional(),
  functionalities: z.record(z.string(), z.unknown()).nullable().optional(),
  carrier_code: z.string().optional(),
  contract_id: z.int().optional(),
  shipping_product_code: z.string().optional(),
  shipping_option_code: z.string().optional(),
  lead_time: z.record(z.string(), z.number()).optional(),
  calculate_quotes: z.boolean().optional(),
});
type Filter = z.infer<typeof Filter>;

const SHIPS_FROM = ['NL', 'BE'];

export const shippingOptions: V3Handler = (_ctx, req) => {
  const parsed = Filter.safeParse(req.body ?? {});
  if (!parsed.success) return errorsResponse(400, issuesToErrors(parsed.error.issues, req.body));
  const filter = parsed.data;
  if (filter.parcels?.length === 0)
    return jsonApiError(400, 'invalid', 'At least one parcel must be provided.');
  if (
    filter.contract_id !== undefined &&
    !SHIPPING_OPTIONS.some((o) => contractOf(o.method.carrier).id === filter.contract_id)
  )
    return jsonApiError(400, 'invalid', 'Invalid contract.');
  const options = accountOptions(req.account).filter((option) => matches(option, filter));
  return { status: 200, json: { data: options.map((option) => optionJson(option, filter)) } };
};

function matches(option: SimShippingOption, filter: Filter): boolean {
  const { method } = option;
  const to = filter.to_country_code?.toUpperCase();
  const from = filter.from_country_code?.toUpperCase();
  const wanted = filter.functionalities ?? {};
  const offered = functionalitiesOf(option);
  const grams = (filter.parcels ?? []).flatMap((p) =>
    p.weight ? [toGrams(Number(p.weight.value), p.weight.unit)] : [],
  );
  const point =
    filter.to_service_point_id === undefined ? undefined : servicePointById(filter.to_service_point_id);
  return (
    method.isReturn === (wanted.returns === true) &&
    (from === undefined || SHIPS_FROM.includes(from)) &&
    (to === undefined || method.prices[to] !== undefined) &&
    (filter.carrier_code === undefined || method.carrier === filter.carrier_code) &&
    (filter.shipping_option_code === undefined || option.code === filter.shipping_option_code) &&
    (filter.shipping_product_code === undefined || option.productCode === filter.shipping_product_code) &&
    (filter.contract_id === undefined || contractOf(method.carrier).id === filter.contract_id) &&
    ((filter.parcels?.length ?? 1) <= 1 || option.multicollo) &&
    grams.every((g) => g >= method.minGrams && g <= method.maxGrams) &&
    (filter.parcels ?? []).every((p) => fits(option, p.dimensions)) &&
    (filter.to_service_point_id === undefined ||
      (point !== undefined && option.lastMile === 'service_point' && point.carrier === method.carrier)) &&
    Object.entries(wanted).every(([name, value]) => value === null || (offered[name] ?? false) === value)
  );
}

function fits(
  option: SimShippingOption,
  dims: NonNullable<Filter['parcels']>[number]['dimensions'],
): boolean {
  if (!dims) return true;
  const sides = [dims.length, dims.width, dims.height]
    .map((d) => toCm(Number(d), dims.unit))
    .sort((a, b) => b - a);
  return sides.every((side, n) => side <= (MAX_DIMENSIONS_CM[option.formFactor][n] ?? 0));
}

function optionJson(option: SimShippingOption, filter: Filter) {
  const { method } = option;
  const to = filter.to_country_code?.toUpperCase();
  const parcels = filter.parcels?.length ? filter.parcels : [{}];
  const limits = {
    min: { value: kgString(method.minGrams), unit: 'kg' },
    max: { value: kgString(method.maxGrams), unit: 'kg' },
  };
  const [price, leadTime] = to ? (method.prices[to] ?? [0, 0]) : [0, 0];
  const quoted =
    filter.calculate_quotes === true && to !== undefined && filter.from_country_code !== undefined;
  const money = (value: number) => ({ value: value.toFixed(2), currency: 'EUR' });
  const [longest, middle, shortest] = MAX_DIMENSIONS_CM[option.formFactor];
  return {
    code: option.code,
    name: option.name,
    carrier: carrierJson(method.carrier),
    product: { code: option.productCode, name: option.name.replace(/ (Return|Evening Delivery)$/, '') },
    functionalities: functionalitiesOf(option),
    contract: contractOf(method.carrier),
    weight: limits,
    max_dimensions: { length: String(longest), width: String(middle), height: String(shortest), unit: 'cm' },
    parcel_billed_weights: parcels.map((p, i) => ({
      value: p.weight ? kgString(toGrams(Number(p.weight.value), p.weight.unit)) : kgString(method.minGrams),
      unit: 'kg',
      volumetric: false,
      parcel_number: i + 1,
    })),
    requirements: {
      fields: [],
      export_documents: to !== undefined && countryByIso(to)?.eu === false,
      is_service_point_required: option.lastMile === 'service_point',
    },
    charging_type: 'label_creation',
    ...(quoted
      ? {
          quotes: [
            {
              weight: limits,
              lead_time: leadTime,
              price: {
                breakdown: [
                  { type: 'price_without_insurance', label: 'Label', price: money(price * parcels.length) },
                ],
                total: money(price * parcels.length),
              },
            },
          ],
        }
      : {}),
  };
}

const Compat = z.strictObject({ shipping_method_ids: z.array(z.int()).max(100) });

/** v2 method ids → option codes; ids that are no method are left out (the operation's description). */
export const compatShippingOptions: V3Handler = (_ctx, req) => {
  const parsed = Compat.safeParse(req.body);
  if (!parsed.success) return errorsResponse(400, issuesToErrors(parsed.error.issues, req.body));
  const data: Record<string, string> = {};
  for (const id of parsed.data.shipping_method_ids) {
    const option = optionForMethod(id);
    if (option) data[String(id)] = option.code;
  }
  return { status: 200, json: { data } };
};
