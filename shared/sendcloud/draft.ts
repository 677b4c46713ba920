import * as z from '../validation/zod';
import type { ParcelCreation } from './schemas/parcel';
import { cmToString, gramsToKgString } from './units';

/**
 * A parcel as our domain describes it (grams, centimetres, camelCase). `toParcelCreation` turns it into
 * SendCloud's v2 wire format; nothing else in the service builds SendCloud bodies.
 */
export const Address = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(75)),
  company: z.nullish(z.string().check(z.maxLength(50))),
  street: z.string().check(z.trim(), z.minLength(1), z.maxLength(75)),
  houseNumber: z.nullish(z.string().check(z.maxLength(20))),
  addressLine2: z.nullish(z.string().check(z.maxLength(75))),
  postalCode: z.string().check(z.trim(), z.minLength(1), z.maxLength(12)),
  city: z.string().check(z.trim(), z.minLength(1), z.maxLength(30)),
  country: z.string().check(z.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. NL')),
  state: z.nullish(z.string().check(z.maxLength(35))),
  email: z.nullish(z.email()),
  phone: z.nullish(z.string().check(z.maxLength(20))),
});
export type Address = z.infer<typeof Address>;

const Decimal = z.string().check(z.regex(/^\d+(\.\d{1,2})?$/, 'a decimal amount like "12.50"'));

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
  description: z.string().check(z.minLength(1), z.maxLength(255)),
  quantity: z.number().check(z.int(), z.gte(1)),
  unitPrice: Decimal,
  hsCode: z.nullish(z.string().check(z.maxLength(12))),
  originCountry: z.nullish(z.string().check(z.regex(/^[A-Z]{2}$/))),
  sku: z.nullish(z.string()),
  /** per single item */
  weightGrams: z.number().check(z.int(), z.positive()),
  returnReason: z.optional(z.number().check(z.int())),
  returnMessage: z.optional(z.string()),
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
  externalReference: z.string().check(z.minLength(1), z.maxLength(100)),
  orderNumber: z.optional(z.string().check(z.maxLength(50))),
  recipient: Address,
  weightGrams: z.optional(z.number().check(z.int(), z.positive())),
  dimensionsCm: z.optional(
    z.object({
      length: z.number().check(z.positive()),
      width: z.number().check(z.positive()),
      height: z.number().check(z.positive()),
    }),
  ),
  shippingMethodId: z.optional(z.number().check(z.int(), z.positive())),
  /** Announce to the carrier now (status 1000) or keep as "No label" (999). Default: true with a method. */
  requestLabel: z.optional(z.boolean()),
  servicePointId: z.optional(z.number().check(z.int(), z.positive())),
  senderAddressId: z.optional(z.number().check(z.int(), z.positive())),
  contractId: z.optional(z.number().check(z.int(), z.positive())),
  orderValue: z.optional(z.object({ amount: Decimal, currency: z.string().check(z.regex(/^[A-Z]{3}$/)) })),
  insuredValueEur: z.optional(z.number().check(z.int(), z.gte(0), z.lte(5000))),
  /** Total cover incl. the carrier's own, EUR (SendCloud adds the difference): `total_insured_value`. */
  totalInsuredValueEur: z.optional(z.number().check(z.int(), z.gte(2), z.lte(5000))),
  /** Multicollo: this many colli of one shipment (2–20), each with `weightGrams`; SendCloud answers each. */
  quantity: z.optional(z.number().check(z.int(), z.gte(1), z.lte(20))),
  items: z.optional(z.array(ParcelItemDraft)),
  customs: z.optional(
    z.object({
      invoiceNumber: z.string().check(z.minLength(1)),
      shipmentType: z.enum(Object.keys(CUSTOMS_SHIPMENT_TYPES) as [keyof typeof CUSTOMS_SHIPMENT_TYPES]),
      exportType: z.optional(z.enum(['private', 'commercial_b2c', 'commercial_b2b'])),
      invoiceDate: z.optional(z.string()),
      taxNumbers: z.optional(
        z.object({
          sender: z.optional(z.readonly(z.array(TaxNumberDraft))),
          receiver: z.optional(z.readonly(z.array(TaxNumberDraft))),
          importerOfRecord: z.optional(z.readonly(z.array(TaxNumberDraft))),
        }),
      ),
      importerOfRecord: z.optional(Address),
    }),
  ),
  checkoutName: z.optional(z.string()),
  /** Return parcels: `from` is the customer sending the goods back, `recipient` the shop's return address. */
  isReturn: z.optional(z.boolean()),
  from: z.optional(Address),
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
