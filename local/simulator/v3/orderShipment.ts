import type { LabelParcel, LabelsBody, OrderSelector } from './labelsRequest';
import { toGrams } from './measures';
import type { OrderInput, OrderItem } from './orderRequest';
import type { CustomsInformation, ParcelItem, ParcelRequest, ShipmentBody } from './shipmentRequest';

/**
 * An order and its label request as the shipment request the announce path validates (`planShipment`), so
 * both paths apply the same rules: the order's shipping address, weight and dimensions (or the request's
 * parcels), service point, payment total and customs details, shipped with the request's `ship_with` or else
 * the order's. Shipping rules are not modelled, so an order with neither has no shipping option. What cannot
 * become a shipment request is a sentence for the order's error.
 */
const NO_SHIP_WITH =
  'The order has no shipping option: give ship_with in the request or in the order’s shipping_details (shipping rules are not applied).';

export function shipmentBodyFor(
  order: OrderInput,
  request: {
    readonly labels: LabelsBody;
    readonly selector: OrderSelector;
    readonly senderAddressId: number;
  },
): { body: ShipmentBody } | { problems: string[] } {
  const problems: string[] = [];
  const to = order.shipping_address;
  if (!to) problems.push('The order has no valid shipping address.');
  const shipWith = request.labels.ship_with ?? order.shipping_details?.ship_with;
  const code = shipWith?.properties.shipping_option_code;
  if (!code) problems.push(NO_SHIP_WITH);
  const customs = customsOf(order, problems);
  const parcels = request.selector.parcels
    ? request.selector.parcels.map((parcel, n) => splitParcel(order, parcel, n, problems))
    : [wholeOrder(order, problems)];
  if (!to || !code || problems.length > 0) return { problems };
  const contractId = shipWith?.properties.contract_id;
  const total = order.payment_details.total_price;
  return {
    body: {
      ship_with: {
        type: 'shipping_option_code',
        properties: { shipping_option_code: code, ...(contractId ? { contract_id: contractId } : {}) },
      },
      to_address: to,
      from_address: { sender_address_id: request.senderAddressId },
      order_number: order.order_number,
      total_order_price: { value: total.value.toFixed(2), currency: total.currency },
      ...(customs ? { customs_information: customs } : {}),
      ...(order.service_point_details ? { to_service_point: { id: order.service_point_details.id } } : {}),
      ...(request.labels.brand_id === undefined ? {} : { brand_id: request.labels.brand_id }),
      parcels: parcels.filter((p): p is ParcelRequest => p !== undefined),
    },
  };
}

function customsOf(order: OrderInput, problems: string[]): CustomsInformation | undefined {
  const customs = order.customs_details;
  if (!customs?.commercial_invoice_number || !customs.shipment_type) return undefined;
  // An outgoing shipment has no export reason for returned goods (the Shipments API knows none).
  if (customs.shipment_type === 'returned_goods') {
    problems.push(
      'customs_details.shipment_type "returned_goods" can not be shipped as an outgoing shipment.',
    );
    return undefined;
  }
  return {
    invoice_number: customs.commercial_invoice_number,
    export_reason: customs.shipment_type,
    ...(customs.export_type ? { export_type: customs.export_type } : {}),
  };
}

const itemGrams = (item: OrderItem): number | undefined => {
  const weight = item.measurement?.weight;
  return weight ? toGrams(weight.value, weight.unit) : undefined;
};

/** The whole order as one parcel: its measured weight, else what its items weigh. */
function wholeOrder(order: OrderInput, problems: string[]): ParcelRequest | undefined {
  const measurement = order.shipping_details?.measurement;
  const items = order.order_details.order_items;
  const itemsGrams = items.every((item) => itemGrams(item) !== undefined)
    ? items.reduce((sum, item) => sum + (itemGrams(item) ?? 0) * item.quantity, 0)
    : 0;
  const grams = measurement?.weight ? toGrams(measurement.weight.value, measurement.weight.unit) : itemsGrams;
  if (grams <= 0) {
    problems.push('The order has no weight: give shipping_details.measurement.weight.');
    return undefined;
  }
  const dims = measurement?.dimension;
  const quantity = items.reduce((sum, item) => sum + item.quantity, 0);
  return {
    weight: { value: String(grams), unit: 'g' },
    ...(dims
      ? {
          dimensions: {
            length: String(dims.length),
            width: String(dims.width),
            height: String(dims.height),
            unit: dims.unit,
          },
        }
      : {}),
    parcel_items: items.map((item) => parcelItem(item, item.quantity, grams / Math.max(quantity, 1))),
  };
}

/** One parcel of a multicollo request: its items by `item_id`, its weight as given or what they weigh. */
function splitParcel(
  order: OrderInput,
  parcel: LabelParcel,
  n: number,
  problems: string[],
): ParcelRequest | undefined {
  const items = parcel.parcel_items.map((ref) => ({
    ref,
    item: order.order_details.order_items.find((i) => i.item_id === ref.item_id),
  }));
  const unknown = items.find((i) => !i.item);
  if (unknown) {
    problems.push(`parcels/${n}: the order has no item with item_id "${unknown.ref.item_id}".`);
    return undefined;
  }
  const itemsGrams = items.reduce(
    (sum, { ref, item }) => sum + (item ? (itemGrams(item) ?? 0) : 0) * ref.quantity,
    0,
  );
  const grams = parcel.weight ? toGrams(Number(parcel.weight.value), parcel.weight.unit) : itemsGrams;
  if (grams <= 0) {
    problems.push(`parcels/${n}: the parcel has no weight: give its weight or weigh its items.`);
    return undefined;
  }
  const quantity = items.reduce((sum, { ref }) => sum + ref.quantity, 0);
  return {
    weight: { value: String(grams), unit: 'g' },
    ...(parcel.dimensions ? { dimensions: parcel.dimensions } : {}),
    ...(parcel.additional_insured_price ? { additional_insured_price: parcel.additional_insured_price } : {}),
    ...(parcel.label_notes ? { label_notes: parcel.label_notes } : {}),
    ...(parcel.sscc ? { sscc: parcel.sscc } : {}),
    parcel_items: items.flatMap(({ ref, item }) =>
      item ? [parcelItem(item, ref.quantity, grams / Math.max(quantity, 1))] : [],
    ),
  };
}

/** An order line as a shipment's parcel item; a line without a weight gets its share of the parcel's. */
function parcelItem(item: OrderItem, quantity: number, fallbackGrams: number): ParcelItem {
  const unit = item.unit_price?.value ?? item.total_price.value / item.quantity;
  return {
    ...(item.item_id ? { item_id: item.item_id } : {}),
    description: item.name || 'Item',
    quantity,
    weight: item.measurement?.weight ?? { value: Math.max(1, Math.round(fallbackGrams)), unit: 'g' },
    price: { value: unit.toFixed(2), currency: item.unit_price?.currency ?? item.total_price.currency },
    hs_code: item.hs_code ?? '',
    ...(item.country_of_origin ? { origin_country: item.country_of_origin } : {}),
    ...(item.sku ? { sku: item.sku } : {}),
    ...(item.product_id ? { product_id: item.product_id } : {}),
    ...(item.mid_code ? { mid_code: item.mid_code } : {}),
    ...(item.material_content ? { material_content: item.material_content } : {}),
    ...(item.intended_use ? { intended_use: item.intended_use } : {}),
  };
}
