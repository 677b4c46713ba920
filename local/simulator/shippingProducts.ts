import type { SimResponse } from './Simulator';
import { functionalitiesOf, MAX_DIMENSIONS_CM, SHIPPING_OPTIONS, type SimShippingOption } from './v3/options';

/**
 * `GET /api/v2/shipping-products`: the catalogue grouped by carrier product, as the v2 Shipping products
 * document describes it (toppynl/sendcloud-v2-php-client docs/Api/ShippingProductsApi.md and its models
 * ShippingProduct, ShippingProductMethod, ShippingProductMethodProperties, AvailableShippingFunctionalities at
 * 1a78add9; nothing recorded): a bare array of `{name, carrier, service_points_carrier, code, weight_range,
 * methods[{id, name, shipping_product_code, lead_time_hours, functionalities, properties}],
 * available_functionalities}`. Weights are grams. Any functionality name filters too (`multicollo=true`), the
 * way the document's use cases filter on `age_check` or `delivery_deadline`.
 */
const SHIPS_FROM = ['NL', 'BE'];
const PARAMS = new Set([
  'from_country',
  'to_country',
  'carrier',
  'contract',
  'weight',
  'weight_unit',
  'returns',
  'from_postal_code',
  'to_postal_code',
]);
const error = (message: string): SimResponse => ({
  status: 400,
  json: { error: { code: 400, request: 'api/v2/shipping-products', message } },
});

export function shippingProducts(query: URLSearchParams): SimResponse {
  const from = query.get('from_country')?.toUpperCase();
  if (!from) return error('from_country: "This field is required."');
  const to = query.get('to_country')?.toUpperCase();
  const weight = query.get('weight');
  const unit = query.get('weight_unit');
  if (weight !== null && unit !== 'gram' && unit !== 'kilogram')
    return error('weight_unit: "This field is required when weight is given (gram or kilogram)."');
  const grams = weight === null ? undefined : Number(weight) * (unit === 'kilogram' ? 1000 : 1);
  const returns = query.get('returns') === 'true';
  const wanted = [...query.entries()].filter(([name]) => !PARAMS.has(name));
  const options = SHIPPING_OPTIONS.filter((o) => {
    const offered = functionalitiesOf(o);
    return (
      SHIPS_FROM.includes(from) &&
      o.method.isReturn === returns &&
      (to === undefined || o.method.prices[to] !== undefined) &&
      (query.get('carrier') === null || o.method.carrier === query.get('carrier')) &&
      (grams === undefined || (grams >= o.method.minGrams && grams <= o.method.maxGrams)) &&
      wanted.every(([name, value]) => String(offered[name] ?? false) === value)
    );
  });
  const products = new Map<string, SimShippingOption[]>();
  for (const option of options)
    products.set(option.productCode, [...(products.get(option.productCode) ?? []), option]);
  return {
    status: 200,
    json: [...products.entries()].map(([code, members]) => productJson(code, members, { from, to })),
  };
}

function productJson(
  code: string,
  members: readonly SimShippingOption[],
  route: { readonly from: string; readonly to: string | undefined },
) {
  const [first] = members;
  const carrier = first?.method.carrier ?? '';
  const available: Record<string, unknown[]> = {};
  for (const member of members)
    for (const [name, value] of Object.entries(functionalitiesOf(member)))
      if (!(available[name] ?? []).includes(value)) available[name] = [...(available[name] ?? []), value];
  return {
    name: first?.name ?? code,
    carrier,
    service_points_carrier: carrier,
    code,
    weight_range: {
      min_weight: Math.min(...members.map((m) => m.method.minGrams)),
      max_weight: Math.max(...members.map((m) => m.method.maxGrams)),
    },
    methods: members.map((member) => {
      const [length, width, height] = MAX_DIMENSIONS_CM[member.formFactor];
      const lead = route.to ? member.method.prices[route.to]?.[1] : undefined;
      return {
        id: member.method.id,
        name: member.method.name,
        shipping_product_code: code,
        lead_time_hours: route.to && lead !== undefined ? { [route.from]: { [route.to]: lead } } : {},
        functionalities: functionalitiesOf(member),
        properties: {
          min_weight: member.method.minGrams,
          max_weight: member.method.maxGrams,
          max_dimensions: { length, width, height, unit: 'centimeter' },
        },
      };
    }),
    available_functionalities: available,
  };
}
