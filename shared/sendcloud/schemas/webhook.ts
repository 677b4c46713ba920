import * as z from '../../validation/zod';
import { Integration } from './account';
import { Parcel } from './parcel';

/** Every delivery: `{"action": "...", "timestamp": <unix ms>, …}`. Unknown actions still parse. */
const Base = { timestamp: z.number().check(z.int(), z.nonnegative()) };

export const ParcelStatusChangedWebhook = z.looseObject({
  action: z.literal('parcel_status_changed'),
  ...Base,
  parcel: Parcel,
  carrier_status_change_timestamp: z.optional(z.nullable(z.number().check(z.int()))),
});

export const IntegrationWebhook = z.looseObject({
  action: z.enum(['integration_connected', 'integration_updated', 'integration_deleted']),
  ...Base,
  integration: Integration,
});

export const IntegrationCredentialsWebhook = z.looseObject({
  action: z.literal('integration_credentials'),
  ...Base,
  public_key: z.string(),
  secret_key: z.string(),
  integration_id: z.number().check(z.int()),
});

export const ReturnCreatedWebhook = z.looseObject({
  action: z.literal('return_created'),
  ...Base,
  data: z.looseObject({ id: z.number().check(z.int()) }),
});

export const TestWebhook = z.looseObject({ action: z.literal('test_webhook'), ...Base });

export const KnownWebhook = z.discriminatedUnion('action', [
  ParcelStatusChangedWebhook,
  IntegrationWebhook,
  IntegrationCredentialsWebhook,
  ReturnCreatedWebhook,
  TestWebhook,
]);
export type KnownWebhook = z.infer<typeof KnownWebhook>;

/** Anything with an action and a timestamp; unknown actions are acknowledged, not failed. */
export const AnyWebhook = z.looseObject({
  action: z.string(),
  timestamp: z.optional(z.number().check(z.int())),
});
