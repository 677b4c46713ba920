import { accountOption } from '../accountCatalogue';
import type { SimAccount } from '../accounts';
import { countryByIso } from '../countries';
import { SERVICE_POINTS, type SimServicePoint, servicePointById } from '../servicePoints';
import { isKnownCountry, recipientFields } from './addresses';
import { type ErrorObject, errorObject, pointer } from './errors';
import { kgString, toCm, toGrams } from './measures';
import { contractOf, MAX_DIMENSIONS_CM, type SimShippingOption } from './options';
import type { ParcelItem, ShipmentBody } from './shipmentRequest';

/** A valid shipment request, resolved: its option, service point and one v2 parcel draft per parcel. */
export interface ShipmentPlan {
  readonly option: SimShippingOption;
  readonly drafts: ReadonlyArray<Record<string, unknown>>;
}

const invalid = (path: readonly PropertyKey[], detail: string) =>
  errorObject(400, 'invalid', detail, { pointer: pointer(path) });
const required = (path: readonly PropertyKey[], detail = 'This field is required.') =>
  errorObject(400, 'required', detail, { pointer: pointer(path) });

const OPTION = ['ship_with', 'properties', 'shipping_option_code'];
const EXPORT_REASONS = { gift: 0, documents: 1, commercial_goods: 2, commercial_sample: 3 } as const;

/** What SendCloud checks beyond the schema, every problem at once (pointers as the document words them). */
export function planShipment(
  account: SimAccount,
  body: ShipmentBody,
): { plan: ShipmentPlan } | { errors: ErrorObject[] } {
  const errors: ErrorObject[] = [];
  const code = body.ship_with.properties.shipping_option_code;
  // An option taken out of the account answers as one it never had.
  const option = code ? accountOption(account, code) : undefined;
  if (!code) errors.push(required(OPTION));
  else if (!option || option.method.isReturn)
    errors.push(
      invalid(OPTION, `Shipping option "${code}" does not exist or is not enabled for this account.`),
    );
  const contract = body.ship_with.properties.contract_id;
  if (option && contract && contract !== contractOf(option.method.carrier).id)
    errors.push(invalid(['ship_with', 'properties', 'contract_id'], 'Invalid contract.'));

  const to = body.to_address.country_code.toUpperCase();
  if (!isKnownCountry(to))
    errors.push(
      errorObject(400, 'invalid_choice', `"${to}" is not a valid choice.`, {
        pointer: '/to_address/country_code',
      }),
    );
  else if (option && option.method.prices[to] === undefined)
    errors.push(invalid(OPTION, `Shipping option "${option.code}" is not available for country ${to}.`));
  const from = body.from_address;
  if ('sender_address_id' in from && !account.senderAddresses.some((a) => a.id === from.sender_address_id))
    errors.push(
      invalid(
        ['from_address', 'sender_address_id'],
        `Invalid pk "${from.sender_address_id}" - object does not exist.`,
      ),
    );
  if (from.country_code && !isKnownCountry(from.country_code))
    errors.push(
      errorObject(400, 'invalid_choice', `"${from.country_code}" is not a valid choice.`, {
        pointer: '/from_address/country_code',
      }),
    );

  if (option) errors.push(...checkParcels(option, body));
  const outsideEu = countryByIso(to)?.eu === false;
  if (outsideEu && !body.customs_information)
    errors.push(
      required(['customs_information'], 'Customs information is required for shipments outside the EU.'),
    );
  if (outsideEu)
    body.parcels.forEach((parcel, i) => {
      if (!parcel.parcel_items?.length)
        errors.push(
          required(['parcels', i, 'parcel_items'], 'Parcel items are required for shipments outside the EU.'),
        );
    });
  const point = option ? checkServicePoint(option, to, body, errors) : undefined;
  errors.push(...mixedCurrencies(body));
  if (!option || errors.length > 0) return { errors };
  return { plan: { option, drafts: body.parcels.map((_, i) => draftFor(body, i, option, point)) } };
}

function checkParcels(option: SimShippingOption, body: ShipmentBody): ErrorObject[] {
  const errors: ErrorObject[] = [];
  if (body.parcels.length > 1 && !option.multicollo)
    errors.push(
      invalid(['parcels'], `Shipping option "${option.code}" does not support multicollo shipments.`),
    );
  const { minGrams, maxGrams } = option.method;
  body.parcels.forEach((parcel, i) => {
    const grams = toGrams(Number(parcel.weight.value), parcel.weight.unit);
    if (grams < minGrams || grams > maxGrams)
      errors.push(
        invalid(
          ['parcels', i, 'weight', 'value'],
          `Weight must be between ${kgString(minGrams)} and ${kgString(maxGrams)} kg for ${option.code}.`,
        ),
      );
    const dims = parcel.dimensions;
    if (!dims) return;
    const sides = [dims.length, dims.width, dims.height]
      .map((d) => toCm(Number(d), dims.unit))
      .sort((a, b) => b - a);
    if (sides.some((side, n) => side > (MAX_DIMENSIONS_CM[option.formFactor][n] ?? 0)))
      errors.push(
        invalid(
          ['parcels', i, 'dimensions'],
          `The parcel is larger than ${MAX_DIMENSIONS_CM[option.formFactor].join(' x ')} cm.`,
        ),
      );
  });
  return errors;
}

/** Service-point options need a point of their carrier in the destination country; others refuse one. */
function checkServicePoint(
  option: SimShippingOption,
  country: string,
  body: ShipmentBody,
  errors: ErrorObject[],
): SimServicePoint | undefined {
  const request = body.to_service_point;
  if (option.lastMile !== 'service_point') {
    if (request)
      errors.push(
        invalid(['to_service_point'], `Shipping option "${option.code}" does not deliver to service points.`),
      );
    return undefined;
  }
  if (!request || (request.id === undefined && request.carrier_service_point_id === undefined)) {
    errors.push(required(['to_service_point'], `Shipping option "${option.code}" requires a service point.`));
    return undefined;
  }
  const point =
    request.id !== undefined
      ? servicePointById(Number(request.id))
      : SERVICE_POINTS.find((p) => p.code === request.carrier_service_point_id);
  const field = request.id !== undefined ? 'id' : 'carrier_service_point_id';
  if (!point || point.carrier !== option.method.carrier || point.country !== country) {
    errors.push(
      invalid(
        ['to_service_point', field],
        `Service point is not a ${option.method.carrier} point in ${country}.`,
      ),
    );
    return undefined;
  }
  return point;
}

/** "Mixed currencies are not accepted" (the announce operation's description). */
function mixedCurrencies(body: ShipmentBody): ErrorObject[] {
  const prices: Array<[readonly PropertyKey[], string]> = [];
  if (body.total_order_price) prices.push([['total_order_price'], body.total_order_price.currency]);
  body.parcels.forEach((parcel, i) => {
    if (parcel.additional_insured_price)
      prices.push([['parcels', i, 'additional_insured_price'], parcel.additional_insured_price.currency]);
    for (const [n, item] of (parcel.parcel_items ?? []).entries())
      prices.push([['parcels', i, 'parcel_items', n, 'price'], item.price.currency]);
  });
  const first = prices[0]?.[1];
  const odd = prices.find(([, currency]) => currency !== first);
  return odd ? [invalid([...odd[0], 'currency'], 'Mixed currencies are not accepted.')] : [];
}

const v2Item = (item: ParcelItem) => ({
  description: item.description,
  quantity: item.quantity,
  weight: kgString(toGrams(item.weight.value, item.weight.unit)),
  value: item.price.value,
  hs_code: item.hs_code,
  ...(item.origin_country ? { origin_country: item.origin_country } : {}),
  ...(item.sku ? { sku: item.sku } : {}),
  ...(item.product_id ? { product_id: item.product_id } : {}),
  ...(item.properties ? { properties: item.properties } : {}),
});

/** Parcel `index` of the shipment as the v2 fields the shared model keeps (what v2 reads and webhooks show). */
function draftFor(
  body: ShipmentBody,
  index: number,
  option: SimShippingOption,
  point: SimServicePoint | undefined,
): Record<string, unknown> {
  const parcel = body.parcels[index];
  const dims = parcel?.dimensions;
  const cm = (value: string) => toCm(Number(value), dims?.unit ?? 'cm').toFixed(2);
  const customs = body.customs_information;
  return {
    ...recipientFields(body.to_address),
    weight: kgString(parcel ? toGrams(Number(parcel.weight.value), parcel.weight.unit) : 1000),
    ...(dims ? { length: cm(dims.length), width: cm(dims.width), height: cm(dims.height) } : {}),
    shipment: { id: option.method.id },
    request_label: true,
    ...('sender_address_id' in body.from_address
      ? { sender_address: body.from_address.sender_address_id }
      : {}),
    ...(point ? { to_service_point: point.id } : {}),
    ...(body.order_number ? { order_number: body.order_number } : {}),
    ...(body.external_reference_id ? { external_reference: body.external_reference_id } : {}),
    ...(body.reference ? { reference: body.reference } : {}),
    ...(body.total_order_price
      ? {
          total_order_value: body.total_order_price.value,
          total_order_value_currency: body.total_order_price.currency,
        }
      : {}),
    ...(body.ship_with.properties.contract_id ? { contract: body.ship_with.properties.contract_id } : {}),
    parcel_items: (parcel?.parcel_items ?? []).map(v2Item),
    ...(customs
      ? {
          customs_information: {
            customs_invoice_nr: customs.invoice_number,
            customs_shipment_type: EXPORT_REASONS[customs.export_reason],
            export_type: customs.export_type ?? 'commercial_b2c',
          },
        }
      : {}),
  };
}
