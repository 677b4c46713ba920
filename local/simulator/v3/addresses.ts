import * as z from 'zod';
import type { SimAccount } from '../accounts';
import { countryByIso } from '../countries';

/** The v3 `address` schema (shipments, returns); required fields as `address-with-required-fields` has them. */
const ADDRESS_FIELDS = {
  name: z.string().min(1),
  company_name: z.string().optional(),
  address_line_1: z.string().min(1),
  house_number: z.string().optional(),
  address_line_2: z.string().optional(),
  postal_code: z.string().min(1),
  city: z.string().min(1),
  po_box: z.string().nullable().optional(),
  state_province_code: z.string().optional(),
  country_code: z.string().min(1),
  email: z.email().optional(),
  phone_number: z.string().optional(),
};

export const V3Address = z.strictObject(ADDRESS_FIELDS);
export type V3Address = z.infer<typeof V3Address>;

/** `from_address` may name a saved sender address instead, optionally overriding its fields. */
export const SenderReference = V3Address.partial().extend({ sender_address_id: z.int() });
export type SenderReference = z.infer<typeof SenderReference>;

export const isKnownCountry = (code: string): boolean => countryByIso(code) !== undefined;

type SenderAddress = SimAccount['senderAddresses'][number];
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A saved sender address (kept in v2's shape on the account) in v3's. */
export function senderAsV3(sender: SenderAddress): V3Address & Record<string, unknown> {
  const email = text(sender.email);
  return {
    name: text(sender.contact_name) || text(sender.company_name),
    company_name: text(sender.company_name),
    address_line_1: text(sender.street),
    house_number: text(sender.house_number),
    address_line_2: '',
    postal_code: text(sender.postal_code),
    city: text(sender.city),
    country_code: sender.country,
    state_province_code: text(sender.country_state),
    phone_number: text(sender.telephone),
    ...(email ? { email } : {}),
  };
}

/** The recipient of a parcel's v2 fields as a v3 address (v2-created parcels have no v3 original). */
export function recipientAsV3(fields: Readonly<Record<string, unknown>>): V3Address {
  const email = text(fields.email);
  return {
    name: text(fields.name),
    company_name: text(fields.company_name),
    address_line_1: text(fields.address),
    house_number: text(fields.house_number),
    address_line_2: text(fields.address_2),
    postal_code: text(fields.postal_code),
    city: text(fields.city),
    country_code: text(fields.country),
    state_province_code: text(fields.country_state),
    phone_number: text(fields.telephone),
    po_box: text(fields.to_post_number) || null,
    ...(email ? { email } : {}),
  };
}

/** The sender side of a v2 return parcel (`from_*`). */
export function returnSenderAsV3(fields: Readonly<Record<string, unknown>>): V3Address {
  const email = text(fields.from_email);
  return {
    name: text(fields.from_name),
    company_name: text(fields.from_company_name),
    address_line_1: text(fields.from_address_1),
    house_number: text(fields.from_house_number),
    address_line_2: text(fields.from_address_2),
    postal_code: text(fields.from_postal_code),
    city: text(fields.from_city),
    country_code: text(fields.from_country),
    state_province_code: '',
    phone_number: text(fields.from_telephone),
    ...(email ? { email } : {}),
  };
}

/** A v3 recipient address as the v2 parcel fields the shared model keeps. */
export const recipientFields = (to: V3Address): Record<string, unknown> => ({
  name: to.name,
  company_name: to.company_name ?? '',
  address: to.address_line_1,
  house_number: to.house_number ?? '',
  address_2: to.address_line_2 ?? '',
  city: to.city,
  postal_code: to.postal_code,
  country: to.country_code.toUpperCase(),
  ...(to.state_province_code ? { country_state: to.state_province_code } : {}),
  email: to.email ?? '',
  telephone: to.phone_number ?? '',
  ...(to.po_box ? { to_post_number: to.po_box } : {}),
});

/** The v3 sender of a return as v2's `from_*` fields. */
export const returnSenderFields = (from: V3Address): Record<string, unknown> => ({
  from_name: from.name,
  from_company_name: from.company_name ?? '',
  from_address_1: from.address_line_1,
  from_house_number: from.house_number ?? '',
  from_address_2: from.address_line_2 ?? '',
  from_city: from.city,
  from_postal_code: from.postal_code,
  from_country: from.country_code.toUpperCase(),
  from_email: from.email ?? '',
  from_telephone: from.phone_number ?? '',
});
