import * as z from '../../validation/zod';
import { NullableString, PageLink } from './common';

/** Integration object, as listed by `/integrations` and carried by `integration_*` webhooks. */
export const Integration = z.looseObject({
  id: z.optional(z.number().check(z.int())),
  shop_name: z.string(),
  // Odoo's recorded payloads send `false` where SendCloud means "unset".
  shop_url: z.optional(z.nullable(z.union([z.string(), z.literal(false)]))),
  system: z.optional(z.string()),
  failing_since: z.optional(NullableString),
  last_fetch: z.optional(NullableString),
  last_updated_at: z.optional(NullableString),
  service_point_enabled: z.boolean(),
  service_point_carriers: z.array(z.string()),
  webhook_active: z.boolean(),
  webhook_url: z.optional(z.nullable(z.union([z.string(), z.literal(false)]))),
});
export type Integration = z.infer<typeof Integration>;
export const IntegrationList = z.array(Integration);

export const Brand = z.looseObject({
  id: z.number().check(z.int()),
  name: z.string(),
  domain: z.optional(NullableString),
});
export const BrandList = z.looseObject({ next: PageLink, previous: PageLink, brands: z.array(Brand) });

export const Invoice = z.looseObject({ id: z.number().check(z.int()) });
export const InvoiceList = z.looseObject({ invoices: z.array(Invoice) });
export const InvoiceEnvelope = z.looseObject({ invoice: Invoice });

export const User = z.looseObject({ user: z.looseObject({ username: z.string() }) });

export const IntegrationShipmentResult = z.array(
  z.looseObject({
    external_order_id: z.string(),
    external_shipment_id: z.nullable(z.string()),
    status: z.string(),
  }),
);

export const ReturnPortalOutgoing = z.looseObject({
  data: z.looseObject({ parcel: z.record(z.string(), z.unknown()) }),
  access_token: z.string(),
});
