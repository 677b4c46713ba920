import { NORMALIZED_STATUSES } from '../tracking/normalizedStatus';
import * as z from '../validation/zod';

/**
 * Event details on the bus (source `sendcloud-bridge`). Each is validated before publishing and published
 * as JSON Schema in docs/events/. They carry ids, channel, carrier and tracking — never the recipient's
 * name, address, postal code, e-mail or phone — and fit in one EventBridge entry (256 KB).
 */
export const EVENT_SOURCE = 'sendcloud-bridge';

const OrderRef = {
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
};

export const OrderAccepted = z.object({
  ...OrderRef,
  toCountry: z.string().check(z.length(2)),
  serviceLevel: z.string(),
  deliveryType: z.enum(['home', 'service_point']),
  acceptedAt: z.iso.datetime(),
});

/** Limits on what `Order Rejected` echoes of a request that may be anything (shared/orders/rejectOrder.ts). */
export const REJECTED_LIMITS = { id: 100, problems: 50, path: 200, message: 300 } as const;

export const OrderRejected = z.object({
  orderId: z.string().check(z.maxLength(REJECTED_LIMITS.id), z.describe('as sent, cut to 100 characters')),
  channel: z.string().check(z.maxLength(REJECTED_LIMITS.id)),
  account: z.string().check(z.maxLength(REJECTED_LIMITS.id)),
  reason: z.string(),
  problems: z
    .array(
      z.object({
        path: z.string().check(z.maxLength(REJECTED_LIMITS.path)),
        message: z.string().check(z.maxLength(REJECTED_LIMITS.message)),
      }),
    )
    .check(
      z.maxLength(REJECTED_LIMITS.problems),
      z.describe('the first 50 problems (the 400 answer lists them all)'),
    ),
  rejectedAt: z.iso.datetime(),
});

const ParcelRef = {
  ...OrderRef,
  parcelId: z.number().check(z.int()),
  carrier: z.string(),
  shippingMethodId: z
    .nullable(z.number().check(z.int()))
    .check(
      z.describe('the SendCloud v2 method id; null for shipments made with API v3 (see shippingMethod)'),
    ),
  shippingMethod: z
    .string()
    .check(
      z.describe(
        'the method, version-neutral: a v2 method id as a string ("8") or a v3 shipping option code',
      ),
    ),
  shippingMethodName: z.string(),
  trackingNumber: z.string(),
  trackingUrl: z
    .nullable(z.string())
    .check(
      z.describe(
        "SendCloud's tracking page, without the recipient's postal code (its verification parameters)",
      ),
    ),
  collo: z
    .object({ number: z.number().check(z.int(), z.gte(1)), count: z.number().check(z.int(), z.gte(1)) })
    .check(
      z.describe(
        "this parcel's position in its shipment: 1 of 1 for an order of one box, 2 of 3 for the second of three",
      ),
    ),
};

/** Every parcel of the order's shipment, collo 1 first (one entry for an order of one box). */
const Colli = z
  .array(
    z.object({
      parcelId: z.number().check(z.int()),
      trackingNumber: z.string(),
      trackingUrl: z.nullable(z.string()),
      collo: ParcelRef.collo,
    }),
  )
  .check(z.describe('every parcel of the shipment, collo 1 first; the fields above name collo 1'));

export const ParcelAnnounced = z.object({
  ...ParcelRef,
  parcels: Colli,
  routingRule: z.nullable(z.string()),
  fallbackUsed: z.boolean(),
  announcedAt: z.iso.datetime(),
});

export const ParcelAnnouncementFailed = z.object({
  ...OrderRef,
  code: z.enum(['NO_ELIGIBLE_METHOD', 'REJECTED_BY_SENDCLOUD', 'REJECTED_BY_CARRIER']),
  reason: z.string(),
  triedMethods: z.array(z.number().check(z.int())).check(z.describe('v2 method ids that were refused')),
  triedShippingMethods: z
    .array(z.string())
    .check(z.describe('every refused method, version-neutral (v2 ids as strings, v3 shipping option codes)')),
  failedAt: z.iso.datetime(),
});

export const LabelStored = z.object({
  ...ParcelRef,
  parcels: Colli,
  format: z.enum(['a6', 'a4', 'zpl']),
  contentType: z.string(),
  bucket: z.string(),
  key: z.string(),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  bytes: z.number().check(z.int(), z.positive()),
  storedAt: z.iso.datetime(),
  customsDocument: z
    .optional(
      z.nullable(
        z.object({
          contentType: z.string(),
          key: z.string(),
          sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
          bytes: z.number().check(z.int(), z.positive()),
        }),
      ),
    )
    .check(
      z.describe(
        "the parcel's customs document (PDF, in the label's bucket) when it leaves the EU customs union; null when it needs none; absent in events published before customs documents were stored",
      ),
    ),
});

export const ParcelStatusChanged = z.object({
  ...ParcelRef,
  isReturn: z.boolean(),
  returnId: z
    .optional(z.string())
    .check(z.describe('set for return parcels: the return (GET /returns/{returnId})')),
  previousStatus: z.nullable(z.enum(NORMALIZED_STATUSES)),
  status: z.enum(NORMALIZED_STATUSES),
  sendcloudStatus: z.object({ id: z.number().check(z.int()), message: z.string() }),
  source: z.enum(['webhook', 'poll']),
  occurredAt: z.iso.datetime(),
});

export const ParcelStuck = z.object({
  ...ParcelRef,
  announcedAt: z.iso.datetime(),
  hoursWithoutScan: z.number().check(z.int(), z.nonnegative()),
});

export const ParcelCancelled = z.object({
  ...OrderRef,
  isReturn: z.boolean().check(z.describe('a return label was cancelled (`POST /returns/{returnId}/cancel`)')),
  status: z
    .enum(['cancelled', 'cancellation_requested'])
    .check(
      z.describe(
        'cancellation_requested: SendCloud queued the cancel; `Parcel Status Changed` to cancelled follows when it completes',
      ),
    ),
  outcome: z
    .enum(['cancelled', 'requested', 'already_cancelled', 'not_found', 'not_announced'])
    .check(
      z.describe("SendCloud's answer, or not_announced: the order never reached SendCloud, nothing was sent"),
    ),
  sentToSendcloud: z.boolean(),
  parcelId: z
    .nullable(z.number().check(z.int()))
    .check(z.describe('null when the order never reached SendCloud')),
  carrier: z.nullable(z.string()),
  trackingNumber: z.nullable(z.string()),
  parcels: Colli.check(
    z.describe(
      'every parcel the cancel covers (each box of an order of several), box 1 first; empty when the order never reached SendCloud',
    ),
  ),
  cancelledAt: z.iso.datetime(),
});

export const BatchCompleted = z.object({
  batchId: z.string(),
  account: z.string(),
  total: z.number().check(z.int()),
  succeeded: z.number().check(z.int()),
  parcels: z
    .number()
    .check(
      z.int(),
      z.describe('parcels (labels) of the succeeded orders; more than orders where one has several colli'),
    ),
  failed: z.number().check(z.int()),
  files: z.array(
    z.object({
      split: z.string(),
      format: z.enum(['a6', 'a4', 'zpl', 'customs']),
      part: z.number().check(z.int()),
      parts: z.number().check(z.int()),
      labels: z.number().check(z.int()),
      key: z.string(),
    }),
  ),
  failures: z
    .array(z.object({ orderId: z.string(), channel: z.string(), reason: z.string() }))
    .check(z.describe('at most 100')),
  completedAt: z.iso.datetime(),
});

export const ReturnCreated = z.object({
  ...ParcelRef,
  returnId: z.string(),
  isReturn: z.literal(true),
  reference: z.nullable(z.string()),
  bucket: z.string(),
  labelKey: z.nullable(z.string()),
  returnPortalUrl: z.nullable(z.string()),
  createdAt: z.iso.datetime(),
});

/**
 * A method of the account's SendCloud catalogue, as a catalogue refresh saw it appear or disappear: which
 * account and API, the method (version-neutral and, on v2, its id), its carrier and name — no order, no
 * person.
 */
const CatalogMethodChange = {
  account: z.string(),
  api: z.enum(['v2', 'v3']),
  shippingMethod: z
    .string()
    .check(z.describe('version-neutral: a v2 method id as a string ("1030") or a v3 option code@contract')),
  shippingMethodId: z
    .nullable(z.number().check(z.int()))
    .check(z.describe('the SendCloud v2 method id; null on v3')),
  carrier: z.string(),
  shippingMethodName: z.string(),
  returns: z.boolean().check(z.describe('a return method')),
  trigger: z
    .enum(['webhook', 'schedule', 'announce'])
    .check(
      z.describe(
        'what made the refresh look: an integration webhook, the schedule, a create SendCloud refused',
      ),
    ),
  detectedAt: z.iso.datetime(),
};

export const ShippingMethodRemoved = z.object(CatalogMethodChange);
export const ShippingMethodAdded = z.object(CatalogMethodChange);

/** detail-type → schema. */
export const EVENT_SCHEMAS = {
  'Order Accepted': OrderAccepted,
  'Order Rejected': OrderRejected,
  'Parcel Announced': ParcelAnnounced,
  'Parcel Announcement Failed': ParcelAnnouncementFailed,
  'Label Stored': LabelStored,
  'Parcel Status Changed': ParcelStatusChanged,
  'Parcel Stuck': ParcelStuck,
  'Parcel Cancelled': ParcelCancelled,
  'Batch Completed': BatchCompleted,
  'Return Created': ReturnCreated,
  'Shipping Method Removed': ShippingMethodRemoved,
  'Shipping Method Added': ShippingMethodAdded,
} as const;

export type DetailType = keyof typeof EVENT_SCHEMAS;
export type EventDetail<T extends DetailType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;

/** The JSON Schema (2020-12) of one event, wrapped in the EventBridge envelope subscribers receive. */
export function eventJsonSchema(detailType: DetailType): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://sendcloud-bridge/events/${detailType.toLowerCase().replaceAll(' ', '-')}.schema.json`,
    title: detailType,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      source: { const: EVENT_SOURCE },
      'detail-type': { const: detailType },
      detail: withoutSchemaKeyword(z.toJSONSchema(EVENT_SCHEMAS[detailType], { target: 'draft-2020-12' })),
    },
  };
}

function withoutSchemaKeyword(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _nested, ...rest } = schema;
  return rest;
}
