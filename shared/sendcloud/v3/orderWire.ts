import { type ShipmentDraft, v3Option } from '../port';
import { toV3Address, type V3Address } from './wire';

/**
 * `ShipmentDraft` → a v3 Orders API order (`POST /orders`), for the orders path of bulk announcing: the
 * order is upserted on `order_id` (our external reference) + `integration.id`, then shipped with
 * `POST /orders/create-labels-async`.
 */
type Currency = 'EUR' | 'GBP' | 'USD';
interface OrderPrice {
  value: number;
  currency: Currency;
}
interface Weight {
  value: number;
  unit: 'g';
}

export interface OrderBody {
  order_id: string;
  order_number: string;
  order_details: {
    integration: { id: number };
    status: { code: string; message?: string };
    order_created_at: string;
    order_items: Array<{
      name: string;
      quantity: number;
      total_price: OrderPrice;
      unit_price?: OrderPrice;
      sku?: string;
      hs_code?: string;
      country_of_origin?: string;
      measurement?: { weight: Weight };
    }>;
  };
  payment_details: { total_price: OrderPrice; status: { code: string; message?: string } };
  shipping_address: V3Address;
  shipping_details: {
    is_local_pickup: false;
    measurement: {
      weight: Weight;
      dimension?: { length: number; width: number; height: number; unit: 'cm' };
    };
    ship_with?: {
      type: 'shipping_option_code';
      properties: { shipping_option_code: string; contract_id?: number };
    };
  };
  service_point_details?: { id: string };
  customs_details?: {
    commercial_invoice_number: string;
    shipment_type: 'gift' | 'commercial_goods' | 'commercial_sample' | 'returned_goods';
    export_type?: 'private' | 'commercial_b2c' | 'commercial_b2b';
  };
}

export interface OrderOptions {
  readonly integrationId: number;
  /** ISO 8601: when the order was placed in the shop. */
  readonly createdAt: string;
  /** The shop's order status. Default `fulfilled` (ready to ship), as the document's examples. */
  readonly status?: { readonly code: string; readonly message?: string };
}

const MAX_ORDER_ID = 64;

export function toOrderBody(draft: ShipmentDraft, options: OrderOptions): OrderBody {
  if (draft.externalReference.length > MAX_ORDER_ID)
    throw new RangeError(`an order id holds at most ${MAX_ORDER_ID} characters`);
  const currency = toCurrency(draft.orderValue?.currency);
  const total = draft.orderValue ? Number(draft.orderValue.amount) : 0;
  const items = (draft.items ?? []).map((item) => {
    const line: OrderBody['order_details']['order_items'][number] = {
      name: item.description,
      quantity: item.quantity,
      unit_price: { value: Number(item.unitPrice), currency },
      total_price: { value: Number(item.unitPrice) * item.quantity, currency },
      measurement: { weight: { value: item.weightGrams, unit: 'g' } },
    };
    if (item.sku) line.sku = item.sku;
    if (item.hsCode) line.hs_code = item.hsCode;
    if (item.originCountry) line.country_of_origin = item.originCountry;
    return line;
  });
  const option = v3Option(draft.method);
  const body: OrderBody = {
    order_id: draft.externalReference,
    // Our reference, not the shop's number: the shipments an order becomes carry no external reference,
    // and `GET /shipments?order_number=` is how a lost answer or a crash finds them again.
    order_number: draft.externalReference,
    order_details: {
      integration: { id: options.integrationId },
      status: options.status ? { ...options.status } : { code: 'fulfilled', message: 'Fulfilled' },
      order_created_at: options.createdAt,
      // The document requires at least the order as one line when we know no items.
      order_items:
        items.length > 0
          ? items
          : [
              {
                name: draft.orderNumber ?? draft.externalReference,
                quantity: 1,
                total_price: { value: total, currency },
              },
            ],
    },
    payment_details: { total_price: { value: total, currency }, status: { code: 'paid', message: 'Paid' } },
    shipping_address: toV3Address(draft.recipient),
    shipping_details: {
      is_local_pickup: false,
      measurement: { weight: { value: draft.weightGrams, unit: 'g' } },
    },
  };
  if (draft.dimensionsCm) body.shipping_details.measurement.dimension = { ...draft.dimensionsCm, unit: 'cm' };
  if (option)
    body.shipping_details.ship_with = {
      type: 'shipping_option_code',
      properties: {
        shipping_option_code: option.code,
        ...(option.contractId ? { contract_id: option.contractId } : {}),
      },
    };
  if (draft.servicePointId !== undefined) body.service_point_details = { id: String(draft.servicePointId) };
  if (draft.customs && draft.customs.shipmentType !== 'documents')
    body.customs_details = {
      commercial_invoice_number: draft.customs.invoiceNumber,
      shipment_type: draft.customs.shipmentType,
      ...(draft.customs.exportType ? { export_type: draft.customs.exportType } : {}),
    };
  return body;
}

function toCurrency(currency: string | undefined): Currency {
  if (currency === undefined || currency === 'EUR' || currency === 'GBP' || currency === 'USD')
    return currency ?? 'EUR';
  throw new RangeError(`the Orders API takes prices in EUR, GBP or USD, not ${currency}`);
}
