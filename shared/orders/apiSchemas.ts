import { IMPLAUSIBILITIES } from '../tracking/plausibility';
import * as z from '../validation/zod';
import { CANCEL_OUTCOMES, ORDER_STATUSES } from './Order';

/** Response shapes of the orders API, for the OpenAPI document (requests use OrderRequest itself). */
const Links = z.object({ self: z.string(), label: z.string() });

export const AcceptedResponse = z.object({
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
  status: z.enum(['accepted', 'ready']).check(z.describe('ready: held for the end-of-day batch')),
  links: Links,
});

export const ProblemResponse = z.object({
  code: z.string().check(z.describe('stable machine-readable code, e.g. INVALID_REQUEST, ORDER_CONFLICT')),
  message: z.string().check(z.describe('what went wrong and what to do')),
  errors: z
    .optional(z.array(z.object({ path: z.string(), message: z.string() })))
    .check(z.describe('every field problem (400)')),
  requestId: z.optional(z.string()).check(z.describe('only on 500: quote it to support')),
});

export const BatchResponse = z.object({
  accepted: z.number().check(z.int()),
  rejected: z.number().check(z.int()),
  results: z.array(
    z.object({
      index: z.number().check(z.int()),
      status: z.union([z.literal(202), z.literal(400), z.literal(409)]),
      orderId: z.nullable(z.string()),
      channel: z.optional(z.string()),
      duplicate: z.optional(z.boolean()),
      links: z.optional(Links),
      message: z.optional(z.string()),
      errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
  ),
});

const Candidate = z.object({
  methodId: z.number().check(z.int()),
  name: z.string(),
  carrier: z.string(),
  price: z.nullable(z.number()),
});
const Trace = z.array(
  z.object({
    rule: z.string(),
    outcome: z.enum(['skipped', 'no_eligible_method', 'chosen']),
    reason: z.string(),
    rejected: z.optional(
      z.array(
        z.object({ methodId: z.number().check(z.int()), name: z.string(), reasons: z.array(z.string()) }),
      ),
    ),
  }),
);

export const RoutingDecisionResponse = z.object({
  ruleSet: z.object({ name: z.string(), version: z.number().check(z.int()) }),
  rule: z.nullable(z.string()),
  choice: z.nullable(Candidate),
  ranked: z.array(Candidate),
  shipments: z
    .optional(z.enum(['one', 'per_parcel']))
    .check(z.describe('several boxes: one multicollo shipment, or one shipment per box')),
  chargeableWeightGrams: z.number().check(z.int()),
  volumetricWeightGrams: z.nullable(z.number().check(z.int())),
  trace: Trace,
});

const Cancellation = z.object({
  outcome: z
    .enum(CANCEL_OUTCOMES)
    .check(
      z.describe(
        "SendCloud's answer (cancelled, requested: queued, completed later; already_cancelled; not_found: SendCloud no longer has it), or not_announced: nothing had reached SendCloud",
      ),
    ),
  message: z.string().check(z.describe("SendCloud's message, or ours when nothing was sent")),
  sentToSendcloud: z.boolean(),
  at: z.string(),
});

/** `POST /orders/{orderId}/cancel`: 200 (cancelled, also when it was before) or 202 (requested). */
export const CancelResponse = z.object({
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
  status: z.enum(['cancelled', 'cancellation_requested']),
  cancellation: Cancellation,
  /** False when the order was already cancelled (or requested): an idempotent repeat. */
  changed: z
    .boolean()
    .check(z.describe('false for a repeat: the order was cancelled (or requested) before, nothing was sent')),
  parcel: z
    .nullable(
      z.object({ sendcloudId: z.number().check(z.int()), trackingNumber: z.string(), carrier: z.string() }),
    )
    .check(z.describe('the cancelled parcel; null when the order never reached SendCloud')),
  links: z.object({ self: z.string() }),
});

export const OrderViewResponse = z.object({
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
  status: z
    .string()
    .check(
      z.describe(
        'processing status (accepted, creating, announced, label_stored, failed) until the parcel ships, then its tracking status; `cancelled`, or `cancellation_requested` until tracking shows the cancel completed',
      ),
    ),
  processing: z.enum(ORDER_STATUSES),
  generation: z
    .number()
    .check(
      z.int(),
      z.describe(
        '1, or higher once a cancelled or failed order was posted again under its id and shipped anew',
      ),
    ),
  previous: z
    .array(
      z.object({
        generation: z.number().check(z.int()),
        status: z.enum(ORDER_STATUSES),
        parcelId: z.nullable(z.number().check(z.int())),
        trackingNumber: z.nullable(z.string()),
        failure: z.nullable(z.object({ code: z.string(), reason: z.string() })),
        cancelledAt: z.nullable(z.string()),
        createdAt: z.string(),
        endedAt: z.string(),
      }),
    )
    .check(z.describe('what earlier generations ended as, oldest first')),
  createdAt: z.string(),
  updatedAt: z.string(),
  destination: z.string(),
  serviceLevel: z.string(),
  delivery: z.object({
    type: z.enum(['home', 'service_point']),
    servicePointId: z.optional(z.number().check(z.int())),
  }),
  routing: z.nullable(
    z.object({
      ruleSet: z.object({ name: z.string(), version: z.number().check(z.int()) }),
      rule: z.nullable(z.string()),
      choice: z.nullable(Candidate),
      fallbacks: z.array(Candidate),
      refusedMethods: z.record(z.string(), z.string()),
      shipments: z
        .enum(['one', 'per_parcel'])
        .check(z.describe('several boxes: one multicollo shipment, or one shipment per box')),
      chargeableWeightGrams: z.number().check(z.int()),
      volumetricWeightGrams: z.nullable(z.number().check(z.int())),
      trace: Trace,
    }),
  ),
  parcels: z.array(
    z.object({
      sendcloudId: z.number().check(z.int()),
      externalReference: z.string(),
      carrier: z.string(),
      shippingMethod: z.object({
        id: z
          .nullable(z.number().check(z.int()))
          .check(z.describe('the SendCloud v2 method id; null for API v3 shipments')),
        ref: z
          .string()
          .check(z.describe('version-neutral: a v2 id as a string, or a v3 shipping option code')),
        name: z.string(),
      }),
      api: z.enum(['v2', 'v3']).check(z.describe('the SendCloud API the shipment was made with')),
      shipmentId: z
        .optional(z.string())
        .check(z.describe('API v3: the SendCloud shipment the parcel belongs to')),
      trackingNumber: z.string(),
      trackingUrl: z.nullable(z.string()),
      status: z.object({ id: z.number().check(z.int()), message: z.string(), normalized: z.string() }),
      announcedAt: z.string(),
      history: z.array(
        z.object({
          sendcloudStatus: z.object({ id: z.number().check(z.int()), message: z.string() }),
          status: z.string(),
          carrierTimestamp: z.nullable(z.string()),
          occurredAt: z.string(),
          receivedAt: z.string(),
          source: z.enum(['webhook', 'poll']),
          implausible: z
            .optional(z.enum(IMPLAUSIBILITIES))
            .check(
              z.describe(
                'set when the status was recorded but not applied (its time or transition is not plausible)',
              ),
            ),
        }),
      ),
      labels: z.record(z.string(), z.object({ href: z.string(), stored: z.boolean() })),
      documents: z
        .array(z.enum(['label', 'customs']))
        .check(
          z.describe(
            'the files stored for the parcel: its label, and its customs document when it leaves the EU customs union',
          ),
        ),
      customsDocument: z
        .nullable(z.object({ href: z.string(), stored: z.boolean() }))
        .check(
          z.describe(
            'the customs document (commercial invoice or CN23, PDF) to put in the box; null when the parcel stays in the EU customs union',
          ),
        ),
    }),
  ),
  failure: z.nullable(z.object({ code: z.string(), reason: z.string(), at: z.string() })),
  cancellation: z
    .nullable(Cancellation)
    .check(z.describe('set once the order was cancelled (POST …/cancel)')),
  returns: z
    .array(z.object({ returnId: z.string(), links: z.object({ self: z.string(), label: z.string() }) }))
    .check(z.describe('returns made for this order (POST /returns), oldest first')),
  links: Links,
});
