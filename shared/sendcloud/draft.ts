import * as z from 'zod';
import type { ParcelCreation } from './schemas/parcel';
import { cmToString, gramsToKgString } from './units';

/**
 * A parcel as our domain describes it (grams, centimetres, camelCase). `toParcelCreation` turns it into
 * SendCloud's v2 wire format; nothing else in the service builds SendCloud bodies.
 */
export const Address = z.object({
  name: z.string().trim().min(1).max(75),
  company: z.string().max(50).nullish(),
  street: z.string().trim().min(1).max(75),
  houseNumber: z.string().max(20).nullish(),
  addressLine2: z.string().max(75).nullish(),
  postalCode: z.string().trim().min(1).max(12),
  city: z.string().trim().min(1).max(30),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. NL'),
  state: z.string().max(35).nullish(),
  email: z.email().nullish(),
  phone: z.string().max(20).nullish(),
});
export type Address = z.infer<typeof Address>;

const Decimal = z.string().regex(/^\d+(\.\d{1,2})?$/, 'a decimal amount like "12.50"');

const TaxNumberDraft = z.object({ kind: z.string(), country: z.string(), value: z.string() });

type TaxNumberList = ReadonlyArray<{
  readonly kind: string;
  readonly country: string;
  readonly value: string;
}>;

/**
 * Tax numbers per party in SendCloud's wire form — the same `{name, country_code, value}` lists on v2's
 * `customs_information.tax_numbers` and v3's; both want all three lists once any is given.
 */
export function taxNumbersWire(numbers: {
  readonly sender?: TaxNumberList | undefined;
  readonly receiver?: TaxNumberList | undefined;
  readonly importerOfRecord?: TaxNumberList | undefined;
}) {
  const wire = (list: TaxNumberList = []) =>
    list.map((n) => ({ name: n.kind, country_code: n.country, value: n.value }));
  return {
    sender: wire(numbers.sender),
    receiver: wire(numbers.receiver),
    importer_of_record: wire(numbers.importerOfRecord),
  };
}

export const ParcelItemDraft = z.object({
  description: z.string().min(1).max(255),
  quantity: z.number().int().min(1),
  unitPrice: Decimal,
  hsCode: z.string().max(12).nullish(),
  originCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullish(),
  sku: z.string().nullish(),
  /** per single item */
  weightGrams: z.number().int().positive(),
  returnReason: z.number().int().optional(),
  returnMessage: z.string().optional(),
});
export type ParcelItemDraft = z.infer<typeof ParcelItemDraft>;

export const CUSTOMS_SHIPMENT_TYPES = {
  gift: 0,
  documents: 1,
  commercial_goods: 2,
  commercial_sample: 3,
  returned_goods: 4,
} as const;

export const ParcelDraft = z.object({
  /** Our stable id for this parcel; unique per SendCloud account, the key for reconciliation. */
  externalReference: z.string().min(1).max(100),
  orderNumber: z.string().max(50).optional(),
  recipient: Address,
  weightGrams: z.number().int().positive().optional(),
  dimensionsCm: z
    .object({ length: z.number().positive(), width: z.number().positive(), height: z.number().positive() })
    .optional(),
  shippingMethodId: z.number().int().positive().optional(),
  /** Announce to the carrier now (status 1000) or keep as "No label" (999). Default: true with a method. */
  requestLabel: z.boolean().optional(),
  servicePointId: z.number().int().positive().optional(),
  senderAddressId: z.number().int().positive().optional(),
  contractId: z.number().int().positive().optional(),
  orderValue: z.object({ amount: Decimal, currency: z.string().regex(/^[A-Z]{3}$/) }).optional(),
  insuredValueEur: z.number().int().min(0).max(5000).optional(),
  /** Total cover incl. the carrier's own, EUR (SendCloud adds the difference): `total_insured_value`. */
  totalInsuredValueEur: z.number().int().min(2).max(5000).optional(),
  /** Multicollo: this many colli of one shipment (2–20), each with `weightGrams`; SendCloud answers each. */
  quantity: z.number().int().min(1).max(20).optional(),
  items: z.array(ParcelItemDraft).optional(),
  customs: z
    .object({
      invoiceNumber: z.string().min(1),
      shipmentType: z.enum(Object.keys(CUSTOMS_SHIPMENT_TYPES) as [keyof typeof CUSTOMS_SHIPMENT_TYPES]),
      exportType: z.enum(['private', 'commercial_b2c', 'commercial_b2b']).optional(),
      invoiceDate: z.string().optional(),
      taxNumbers: z
        .object({
          sender: z.array(TaxNumberDraft).readonly().optional(),
          receiver: z.array(TaxNumberDraft).readonly().optional(),
          importerOfRecord: z.array(TaxNumberDraft).readonly().optional(),
        })
        .optional(),
      importerOfRecord: Address.optional(),
    })
    .optional(),
  checkoutName: z.string().optional(),
  /** Return parcels: `from` is the customer sending the goods back, `recipient` the shop's return address. */
  isReturn: z.boolean().optional(),
  from: Address.optional(),
});
export type ParcelDraft = z.infer<typeof ParcelDraft>;

export function toParcelCreation(draft: ParcelDraft): ParcelCreation {
  const r = draft.recipient;
  const parcel: ParcelCreation = {
    name: r.name,
    address: r.street,
    city: r.city,
    postal_code: r.postalCode,
    country: r.country,
    external_reference: draft.externalReference,
    request_label: draft.requestLabel ?? draft.shippingMethodId !== undefined,
  };
  assign(parcel, {
    company_name: r.company ?? undefined,
    house_number: r.houseNumber ?? undefined,
    address_2: r.addressLine2 ?? undefined,
    country_state: r.state ?? undefined,
    telephone: r.phone ?? undefined,
    email: r.email ?? undefined,
    order_number: draft.orderNumber,
    weight: draft.weightGrams === undefined ? undefined : gramsToKgString(draft.weightGrams),
    shipment: draft.shippingMethodId === undefined ? undefined : { id: draft.shippingMethodId },
    to_service_point: draft.servicePointId,
    sender_address: draft.senderAddressId,
    contract: draft.contractId,
    total_order_value: draft.orderValue?.amount,
    total_order_value_currency: draft.orderValue?.currency,
    insured_value: draft.insuredValueEur,
    total_insured_value: draft.totalInsuredValueEur,
    quantity: draft.quantity !== undefined && draft.quantity > 1 ? draft.quantity : undefined,
    shipping_method_checkout_name: draft.checkoutName,
    is_return: draft.isReturn,
  });
  if (draft.dimensionsCm) {
    parcel.length = cmToString(draft.dimensionsCm.length);
    parcel.width = cmToString(draft.dimensionsCm.width);
    parcel.height = cmToString(draft.dimensionsCm.height);
  }
  if (draft.items && draft.items.length > 0) {
    parcel.parcel_items = draft.items.map((item) => {
      const line: NonNullable<ParcelCreation['parcel_items']>[number] = {
        description: item.description,
        quantity: item.quantity,
        weight: gramsToKgString(item.weightGrams),
        value: Number(item.unitPrice),
        hs_code: item.hsCode ?? '',
      };
      assign(line, {
        origin_country: item.originCountry ?? undefined,
        sku: item.sku ?? undefined,
        return_reason: item.returnReason,
        return_message: item.returnMessage,
      });
      return line;
    });
  }
  if (draft.customs) {
    const c = draft.customs;
    const ior = c.importerOfRecord;
    parcel.customs_information = {
      customs_invoice_nr: c.invoiceNumber,
      customs_shipment_type: CUSTOMS_SHIPMENT_TYPES[c.shipmentType],
      ...(c.exportType ? { export_type: c.exportType } : {}),
      ...(c.invoiceDate ? { invoice_date: c.invoiceDate } : {}),
      ...(c.taxNumbers
        ? {
            tax_numbers: {
              ...taxNumbersWire(c.taxNumbers),
            },
          }
        : {}),
      ...(ior
        ? {
            importer_of_record: {
              name: ior.name,
              address_1: ior.street,
              city: ior.city,
              postal_code: ior.postalCode,
              country_code: ior.country,
              ...(ior.company ? { company_name: ior.company } : {}),
              ...(ior.houseNumber ? { house_number: ior.houseNumber } : {}),
              ...(ior.addressLine2 ? { address_2: ior.addressLine2 } : {}),
              ...(ior.state ? { country_state: ior.state } : {}),
              ...(ior.phone ? { telephone: ior.phone } : {}),
              ...(ior.email ? { email: ior.email } : {}),
            },
          }
        : {}),
    };
  }
  if (draft.from) {
    const f = draft.from;
    assign(parcel, {
      from_name: f.name,
      from_company_name: f.company ?? undefined,
      from_address_1: f.street,
      from_address_2: f.addressLine2 ?? undefined,
      from_house_number: f.houseNumber ?? undefined,
      from_city: f.city,
      from_postal_code: f.postalCode,
      from_country: f.country,
      from_telephone: f.phone ?? undefined,
      from_email: f.email ?? undefined,
    });
  }
  return parcel;
}

/** Copies only defined values, so optional wire fields are absent rather than `undefined`. */
function assign<T extends object>(target: T, values: { [K in keyof T]?: T[K] | undefined }): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) Object.assign(target, { [key]: value });
  }
}
