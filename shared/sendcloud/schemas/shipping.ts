import * as z from '../../validation/zod';
import { KgString, NullableString, PageLink } from './common';

export const ShippingMethodCountry = z.looseObject({
  id: z.number().check(z.int()),
  name: z.string(),
  iso_2: z.string().check(z.length(2)),
  iso_3: z.optional(z.string().check(z.length(3))),
  price: z.nullable(z.number()),
  lead_time_hours: z.optional(z.nullable(z.number().check(z.int()))),
  price_breakdown: z.optional(
    z.array(z.looseObject({ type: z.string(), label: z.string(), value: z.number() })),
  ),
  from_iso_2: z.optional(z.string()),
});

export const ShippingMethod = z.looseObject({
  id: z.number().check(z.int()),
  name: z.string(),
  carrier: z.string(),
  min_weight: KgString,
  max_weight: KgString,
  service_point_input: z.string(),
  price: z.optional(z.number()),
  countries: z.array(ShippingMethodCountry),
});
export type ShippingMethod = z.infer<typeof ShippingMethod>;

export const ShippingMethodsResponse = z.looseObject({
  shipping_methods: z.array(ShippingMethod),
  next: z.optional(PageLink),
  previous: z.optional(PageLink),
});
export const ShippingMethodEnvelope = z.looseObject({ shipping_method: ShippingMethod });

export const ShippingPrice = z.looseObject({
  price: NullableString,
  currency: NullableString,
  to_country: z.optional(NullableString),
  breakdown: z.optional(z.array(z.looseObject({ type: z.string(), label: z.string(), value: z.number() }))),
});
export type ShippingPrice = z.infer<typeof ShippingPrice>;
export const ShippingPriceResponse = z.array(ShippingPrice);

export const SenderAddress = z.looseObject({
  id: z.number().check(z.int()),
  company_name: z.optional(NullableString),
  contact_name: z.optional(NullableString),
  email: z.optional(NullableString),
  telephone: z.optional(NullableString),
  street: z.string(),
  house_number: z.optional(NullableString),
  postal_box: z.optional(NullableString),
  postal_code: z.string(),
  city: z.string(),
  country: z.string(),
  country_state: z.optional(NullableString),
  brand_id: z.optional(z.nullable(z.number().check(z.int()))),
  label: z.optional(NullableString),
});
export type SenderAddress = z.infer<typeof SenderAddress>;
export const SenderAddressesResponse = z.looseObject({ sender_addresses: z.array(SenderAddress) });
export const SenderAddressEnvelope = z.looseObject({ sender_address: SenderAddress });

export const ParcelStatusList = z.array(
  z.looseObject({ id: z.number().check(z.int()), message: z.string() }),
);
export type ParcelStatusList = z.infer<typeof ParcelStatusList>;
