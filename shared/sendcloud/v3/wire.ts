import { Address, ParcelItemDraft, taxNumbersWire } from '../draft';
import { type ShipmentDraft, v3Option } from '../port';
import { cmToString } from '../units';

/**
 * `ShipmentDraft` → v3 request bodies (shipments `POST /shipments/announce`, returns
 * `POST /returns/announce-synchronously`). Grams go as `g`, centimetres as `cm`; nothing else in the
 * adapter builds v3 bodies.
 */
export interface V3Address {
  name: string;
  company_name?: string;
  address_line_1: string;
  house_number?: string;
  address_line_2?: string;
  postal_code: string;
  city: string;
  state_province_code?: string;
  country_code: string;
  email?: string;
  phone_number?: string;
}

type ExportReason = 'gift' | 'documents' | 'commercial_goods' | 'commercial_sample';
type ExportType = NonNullable<NonNullable<ShipmentDraft['customs']>['exportType']>;

export interface ShipmentItemBody {
  description: string;
  quantity: number;
  weight: { value: number; unit: 'g' };
  price: { value: string; currency: string };
  hs_code: string;
  origin_country?: string;
  sku?: string;
}

export interface ShipmentBody {
  from_address: V3Address | { sender_address_id: number };
  to_address: V3Address;
  ship_with: {
    type: 'shipping_option_code';
    properties: { shipping_option_code: string; contract_id?: number };
  };
  parcels: Array<{
    weight: { value: string; unit: 'g' };
    dimensions?: { length: string; width: string; height: string; unit: 'cm' };
    parcel_items?: ShipmentItemBody[];
    additional_insured_price?: { value: string; currency: string };
  }>;
  label_details: { mime_type: 'application/pdf'; dpi: 72 };
  external_reference_id: string;
  order_number?: string;
  total_order_price?: { value: string; currency: string };
  to_service_point?: { id: string };
  customs_information?: {
    invoice_number: string;
    export_reason: ExportReason;
    export_type?: ExportType;
    invoice_date?: string;
    tax_numbers?: Record<'sender' | 'receiver' | 'importer_of_record', V3TaxNumber[]>;
    importer_of_record?: Record<string, string>;
  };
}

interface V3TaxNumber {
  name: string;
  country_code: string;
  value: string;
}

export interface ReturnBody {
  from_address: V3Address;
  to_address: V3Address;
  ship_with: { type: 'shipping_option_code'; shipping_option_code: string; contract?: number };
  weight: { value: number; unit: 'g' };
  dimensions?: { length: number; width: number; height: number; unit: 'cm' };
  parcel_items?: Array<{
    description: string;
    quantity: number;
    weight: { value: number; unit: 'g' };
    price: { value: number; currency: string };
    hs_code?: string;
    origin_country?: string;
    sku?: string;
    return_reason_id?: string;
    return_message?: string;
  }>;
  external_reference: string;
  order_number?: string;
  total_order_value?: { value: number; currency: string };
  customs_invoice_nr?: string;
  customs_information?: { invoice_number: string; export_reason: 'returned_goods'; export_type?: ExportType };
}

/**
 * Why SendCloud would refuse this draft on v3, found before anything is sent (field names, never values);
 * undefined when it may go.
 */
export function draftProblem(draft: ShipmentDraft): string | undefined {
  if (!v3Option(draft.method))
    return `method ${draft.method} is a v2 shipping method id; v3 needs a shipping option code (see mapLegacyMethods)`;
  if (!Number.isInteger(draft.weightGrams) || draft.weightGrams <= 0)
    return 'weightGrams must be a positive whole number of grams';
  const issues = [
    ...fieldIssues('recipient', Address.safeParse(draft.recipient)),
    ...(draft.from ? fieldIssues('from', Address.safeParse(draft.from)) : []),
    ...(draft.items ?? []).flatMap((item, i) => fieldIssues(`items.${i}`, ParcelItemDraft.safeParse(item))),
  ];
  if (issues.length > 0) return `invalid ${issues.join('; ')}`;
  if (draft.isReturn && !draft.from) return 'a return needs `from`, the address of the customer sending it';
  if (!draft.isReturn && draft.customs?.shipmentType === 'returned_goods')
    return 'customs shipment type returned_goods is for returns only on API v3';
  return undefined;
}

export function toShipmentBody(draft: ShipmentDraft, senderAddressId: number | undefined): ShipmentBody {
  const option = requireOption(draft);
  const currency = draft.orderValue?.currency ?? 'EUR';
  const from = draft.from ? toV3Address(draft.from) : senderAddressId;
  if (from === undefined) throw new RangeError('an outgoing shipment needs a sender address id or `from`');
  const boxes = draft.colli && draft.colli.length > 1 ? draft.colli : [draft];
  const parcels = boxes.map((box): ShipmentBody['parcels'][number] => {
    const parcel: ShipmentBody['parcels'][number] = {
      weight: { value: String(box.weightGrams), unit: 'g' },
    };
    if (box.dimensionsCm) {
      const { length, width, height } = box.dimensionsCm;
      parcel.dimensions = {
        length: cmToString(length),
        width: cmToString(width),
        height: cmToString(height),
        unit: 'cm',
      };
    }
    // SendCloud's insurance (XCover) on top of the carrier's, per parcel: what the order wants beyond it
    const extra = Math.ceil((draft.insuredValueEur ?? 0) - (draft.includedInsuranceEur ?? 0));
    if (draft.insuredValueEur && extra > 0)
      parcel.additional_insured_price = { value: String(Math.max(2, extra)), currency: 'EUR' };
    return parcel;
  });
  const [parcel] = parcels;
  if (!parcel) throw new RangeError('a shipment has at least one parcel');
  // Several colli: the order's items (customs lines) travel with the first.
  if (draft.items && draft.items.length > 0) {
    parcel.parcel_items = draft.items.map((item) => {
      const line: ShipmentItemBody = {
        description: item.description,
        quantity: item.quantity,
        weight: { value: item.weightGrams, unit: 'g' },
        price: { value: item.unitPrice, currency },
        // Required by the document on every item; only international shipments need a real one.
        hs_code: item.hsCode ?? '',
      };
      if (item.originCountry) line.origin_country = item.originCountry;
      if (item.sku) line.sku = item.sku;
      return line;
    });
  }
  const body: ShipmentBody = {
    from_address: typeof from === 'number' ? { sender_address_id: from } : from,
    to_address: toV3Address(draft.recipient),
    ship_with: {
      type: 'shipping_option_code',
      properties: {
        shipping_option_code: option.code,
        ...(option.contractId ? { contract_id: option.contractId } : {}),
      },
    },
    parcels,
    label_details: { mime_type: 'application/pdf', dpi: 72 },
    external_reference_id: draft.externalReference,
  };
  if (draft.orderNumber) body.order_number = draft.orderNumber;
  if (draft.orderValue) body.total_order_price = { value: draft.orderValue.amount, currency };
  if (draft.servicePointId !== undefined) body.to_service_point = { id: String(draft.servicePointId) };
  if (draft.customs && draft.customs.shipmentType !== 'returned_goods') {
    const c = { ...draft.customs, shipmentType: draft.customs.shipmentType };
    body.customs_information = {
      invoice_number: c.invoiceNumber,
      export_reason: c.shipmentType,
      ...(c.exportType ? { export_type: c.exportType } : {}),
      ...(c.invoiceDate ? { invoice_date: c.invoiceDate } : {}),
      // The document requires all three lists once tax numbers are given.
      ...(c.taxNumbers
        ? {
            tax_numbers: taxNumbersWire(c.taxNumbers),
          }
        : {}),
      ...(c.importerOfRecord ? { importer_of_record: importerOfRecord(c.importerOfRecord) } : {}),
    };
  }
  return body;
}

/** The importer of record in the shipments document's own field names (`telephone`, not `phone_number`). */
function importerOfRecord(address: Address): Record<string, string> {
  const { phone_number: phone, ...rest } = toV3Address(address) as V3Address & { phone_number?: string };
  return { ...(rest as unknown as Record<string, string>), ...(phone ? { telephone: phone } : {}) };
}

/** A return: `from` is the customer, `recipient` the shop's return address. */
export function toReturnBody(draft: ShipmentDraft): ReturnBody {
  const option = requireOption(draft);
  if (!draft.from) throw new RangeError('a return needs `from`');
  const currency = draft.orderValue?.currency ?? 'EUR';
  const body: ReturnBody = {
    from_address: toV3Address(draft.from),
    to_address: toV3Address(draft.recipient),
    ship_with: {
      type: 'shipping_option_code',
      shipping_option_code: option.code,
      ...(option.contractId ? { contract: option.contractId } : {}),
    },
    weight: { value: draft.weightGrams, unit: 'g' },
    external_reference: draft.externalReference,
  };
  if (draft.dimensionsCm) body.dimensions = { ...draft.dimensionsCm, unit: 'cm' };
  if (draft.items && draft.items.length > 0) {
    body.parcel_items = draft.items.map((item) => {
      const line: NonNullable<ReturnBody['parcel_items']>[number] = {
        description: item.description,
        quantity: item.quantity,
        weight: { value: item.weightGrams, unit: 'g' },
        price: { value: Number(item.unitPrice), currency },
      };
      if (item.hsCode) line.hs_code = item.hsCode;
      if (item.originCountry) line.origin_country = item.originCountry;
      if (item.sku) line.sku = item.sku;
      if (item.returnReason !== undefined) line.return_reason_id = String(item.returnReason);
      if (item.returnMessage) line.return_message = item.returnMessage;
      return line;
    });
  }
  if (draft.orderNumber) body.order_number = draft.orderNumber;
  if (draft.orderValue) body.total_order_value = { value: Number(draft.orderValue.amount), currency };
  if (draft.customs) {
    body.customs_invoice_nr = draft.customs.invoiceNumber;
    // The returns document: "For Returns, this field must always be set to `returned_goods`."
    body.customs_information = {
      invoice_number: draft.customs.invoiceNumber,
      export_reason: 'returned_goods',
      ...(draft.customs.exportType ? { export_type: draft.customs.exportType } : {}),
    };
  }
  return body;
}

/**
 * Our address → v3's. `state` becomes an ISO 3166-2 code (`NY` → `US-NY`) as the shipments document
 * asks; one already written that way is kept.
 */
export function toV3Address(address: Address): V3Address {
  const v3: V3Address = {
    name: address.name,
    address_line_1: address.street,
    postal_code: address.postalCode,
    city: address.city,
    country_code: address.country,
  };
  if (address.company) v3.company_name = address.company;
  if (address.houseNumber) v3.house_number = address.houseNumber;
  if (address.addressLine2) v3.address_line_2 = address.addressLine2;
  if (address.state)
    v3.state_province_code = address.state.includes('-')
      ? address.state
      : `${address.country}-${address.state}`;
  if (address.email) v3.email = address.email;
  if (address.phone) v3.phone_number = address.phone;
  return v3;
}

function requireOption(draft: ShipmentDraft): { code: string; contractId?: number } {
  const option = v3Option(draft.method);
  if (!option) throw new RangeError(`method ${draft.method} is not a v3 shipping option`);
  return option;
}

function fieldIssues(
  prefix: string,
  result: { success: true } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[] }> } },
): string[] {
  if (result.success) return [];
  return [...new Set(result.error.issues.map((issue) => [prefix, ...issue.path.map(String)].join('.')))];
}
