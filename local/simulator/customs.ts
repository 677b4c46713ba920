import { countryByIso } from './countries';
import type { LabelData } from './labels';
import type { SimParcel } from './parcels';
import {
  type CustomsDeclaration,
  type CustomsForm,
  type CustomsItem,
  fitToPaper,
  renderCustomsDeclaration,
} from './v3/paper';

/**
 * The customs documents of a v2 parcel leaving the EU customs union, as the real 2022 recordings list them
 * (OCA-delivery-carrier/parcels.json, every GB and US parcel with a label): a postal carrier's parcel (PostNL
 * GlobalPack) has a CP71 and a commercial invoice on A6 beside its label, and an empty `customs_declaration`;
 * a courier's (UPS, DHL Express) has a commercial invoice on A4 and `customs_declaration.normal_printer`. The
 * CN23 never shows in a real listing (only in the documentation's example, `cn23-default`); a postal carrier
 * prints it on the label, so `cn23` and `cn23-default` are served for postal parcels without being listed.
 */
const POSTAL_CARRIERS: ReadonlySet<string> = new Set(['postnl', 'bpost', 'colissimo']);

export type CustomsDocumentType = 'commercial-invoice' | 'cn23' | 'cn23-default' | 'cp71';
export const CUSTOMS_DOCUMENT_TYPES: readonly CustomsDocumentType[] = [
  'commercial-invoice',
  'cn23',
  'cn23-default',
  'cp71',
];

/**
 * Postal areas of member states outside the EU customs/VAT territory, for which SendCloud makes customs papers
 * like for any non-EU destination (the Canary Islands, Ceuta, Melilla, the French overseas departments,
 * Heligoland, Büsingen, Livigno, Campione d'Italia, Mount Athos, Åland) — the simulator's own table, kept
 * apart from the service's so that a mistake in one is not copied into the other.
 */
const OUTSIDE_IN_MEMBER_STATES: Readonly<Record<string, RegExp>> = {
  ES: /^(35|38|51|52)/,
  FR: /^9[78]/,
  DE: /^(27498|78266)/,
  IT: /^(23041|22061)/,
  GR: /^63086/,
  FI: /^22[1-9]/,
};

/**
 * A destination outside the EU customs union (GB, CH, NO, US, …), by what `countries.ts` knows, and the
 * special territories of member states by postal code.
 */
export const leavesEu = (country: unknown, postalCode?: unknown): boolean => {
  const iso = String(country);
  const area = OUTSIDE_IN_MEMBER_STATES[iso];
  if (area && typeof postalCode === 'string' && area.test(postalCode.replace(/\s+/g, ''))) return true;
  return countryByIso(iso)?.eu === false;
};

const isPostal = (carrier: string): boolean => POSTAL_CARRIERS.has(carrier);

/** The customs entries of `documents[]` (after the label, the order most recordings show). */
export function customsDocumentsListed(
  parcel: SimParcel,
  carrier: string,
): ReadonlyArray<{ readonly type: CustomsDocumentType; readonly size: 'a4' | 'a6' }> {
  if (!leavesEu(parcel.fields.country, parcel.fields.postal_code)) return [];
  return isPostal(carrier)
    ? [
        { type: 'cp71', size: 'a6' },
        { type: 'commercial-invoice', size: 'a6' },
      ]
    : [{ type: 'commercial-invoice', size: 'a4' }];
}

/** Whether `GET /parcels/{id}/documents/{type}` has this customs document for the parcel. */
export function hasCustomsDocument(parcel: SimParcel, carrier: string, type: CustomsDocumentType): boolean {
  const listed = customsDocumentsListed(parcel, carrier);
  if (listed.some((d) => d.type === type)) return true;
  return (type === 'cn23' || type === 'cn23-default') && listed.length > 0 && isPostal(carrier);
}

/** A courier's parcel links the deprecated customs route (one URL, not four: unlike `label.normal_printer`). */
export function customsDeclarationLinks(
  parcel: SimParcel,
  carrier: string,
  baseUrl: string,
): Record<string, string> {
  return leavesEu(parcel.fields.country, parcel.fields.postal_code) && !isPostal(carrier)
    ? { normal_printer: `${baseUrl}/customs_declaration/normal_printer/${parcel.id}` }
    : {};
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
/** v2's `customs_shipment_type` numbers (REFERENCE §2.1), as the v3 export reasons name them. */
const SHIPMENT_TYPES = ['gift', 'documents', 'commercial_goods', 'commercial_sample', 'returned_goods'];

/** The declaration as the parcel's v2 fields give it (items, invoice number, shipment type, currency). */
export function v2CustomsDeclaration(parcel: SimParcel, label: LabelData): CustomsDeclaration {
  const customs = (parcel.fields.customs_information ?? {}) as Record<string, unknown>;
  const type = customs.customs_shipment_type ?? parcel.fields.customs_shipment_type;
  const items: CustomsItem[] = (
    Array.isArray(parcel.fields.parcel_items) ? parcel.fields.parcel_items : []
  ).map((item: Record<string, unknown>) => ({
    description: text(item.description),
    quantity: Number(item.quantity),
    weightKg: Number(item.weight).toFixed(3),
    value: Number(item.value).toFixed(2),
    hsCode: text(item.hs_code),
    originCountry: text(item.origin_country),
  }));
  return {
    parcelId: parcel.id,
    trackingNumber: parcel.trackingNumber,
    invoiceNumber: text(customs.customs_invoice_nr) || text(parcel.fields.customs_invoice_nr),
    exportReason: (typeof type === 'number' && SHIPMENT_TYPES[type]) || 'commercial_goods',
    currency: text(parcel.fields.total_order_value_currency) || 'EUR',
    sender: label.sender,
    recipient: label.recipient,
    items,
  };
}

const FORMS: Readonly<Record<CustomsDocumentType, CustomsForm>> = {
  'commercial-invoice': 'commercial-invoice',
  cn23: 'cn23',
  'cn23-default': 'cn23',
  cp71: 'cp71',
};

/** The document as PDF: A4, or scaled onto A6 where the listing says `a6`. */
export async function renderV2CustomsDocument(
  parcel: SimParcel,
  carrier: string,
  type: CustomsDocumentType,
  label: LabelData,
): Promise<Uint8Array> {
  const pdf = await renderCustomsDeclaration([v2CustomsDeclaration(parcel, label)], FORMS[type]);
  const size = customsDocumentsListed(parcel, carrier).find((d) => d.type === type)?.size;
  return size === 'a6' ? fitToPaper(pdf, 'A6') : pdf;
}

export const isCustomsDocumentType = (type: string): type is CustomsDocumentType =>
  (CUSTOMS_DOCUMENT_TYPES as readonly string[]).includes(type);
