import * as z from 'zod';
import { IMPLAUSIBILITIES } from '../tracking/plausibility';
import { CANCEL_OUTCOMES, ORDER_STATUSES } from './Order';

/** Response shapes of the orders API, for the OpenAPI document (requests use OrderRequest itself). */
const Links = z.object({ self: z.string(), label: z.string() });

export const AcceptedResponse = z.object({
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
  status: z.enum(['accepted', 'ready']).describe('ready: held for the end-of-day batch'),
  links: Links,
});

export const ProblemResponse = z.object({
  code: z.string().describe('stable machine-readable code, e.g. INVALID_REQUEST, ORDER_CONFLICT'),
  message: z.string().describe('what went wrong and what to do'),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('every field problem (400)'),
  requestId: z.string().optional().describe('only on 500: quote it to support'),
});

export const BatchResponse = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.union([z.literal(202), z.literal(400), z.literal(409)]),
      orderId: z.string().nullable(),
      channel: z.string().optional(),
      duplicate: z.boolean().optional(),
      links: Links.optional(),
      message: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  ),
});

const Candidate = z.object({
  methodId: z.number().int(),
  name: z.string(),
  carrier: z.string(),
  price: z.number().nullable(),
});
const Trace = z.array(
  z.object({
    rule: z.string(),
    outcome: z.enum(['skipped', 'no_eligible_method', 'chosen']),
    reason: z.string(),
    rejected: z
      .array(z.object({ methodId: z.number().int(), name: z.string(), reasons: z.array(z.string()) }))
      .optional(),
  }),
);

export const RoutingDecisionResponse = z.object({
  ruleSet: z.object({ name: z.string(), version: z.number().int() }),
  rule: z.string().nullable(),
  choice: Candidate.nullable(),
  ranked: z.array(Candidate),
  shipments: z
    .enum(['one', 'per_parcel'])
    .optional()
    .describe('several boxes: one multicollo shipment, or one shipment per box'),
  chargeableWeightGrams: z.number().int(),
  volumetricWeightGrams: z.number().int().nullable(),
  trace: Trace,
});

const Cancellation = z.object({
  outcome: z
    .enum(CANCEL_OUTCOMES)
    .describe(
      "SendCloud's answer (cancelled, requested: queued, completed later; already_cancelled; not_found: SendCloud no longer has it), or not_announced: nothing had reached SendCloud",
    ),
  message: z.string().describe("SendCloud's message, or ours when nothing was sent"),
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
    .describe('false for a repeat: the order was cancelled (or requested) before, nothing was sent'),
  parcel: z
    .object({ sendcloudId: z.number().int(), trackingNumber: z.string(), carrier: z.string() })
    .nullable()
    .describe('the cancelled parcel; null when the order never reached SendCloud'),
  links: z.object({ self: z.string() }),
});

export const OrderViewResponse = z.object({
  orderId: z.string(),
  channel: z.string(),
  account: z.string(),
  status: z
    .string()
    .describe(
      'processing status (accepted, creating, announced, label_stored, failed) until the parcel ships, then its tracking status; `cancelled`, or `cancellation_requested` until tracking shows the cancel completed',
    ),
  processing: z.enum(ORDER_STATUSES),
  generation: z
    .number()
    .int()
    .describe('1, or higher once a cancelled or failed order was posted again under its id and shipped anew'),
  previous: z
    .array(
      z.object({
        generation: z.number().int(),
        status: z.enum(ORDER_STATUSES),
        parcelId: z.number().int().nullable(),
        trackingNumber: z.string().nullable(),
        failure: z.object({ code: z.string(), reason: z.string() }).nullable(),
        cancelledAt: z.string().nullable(),
        createdAt: z.string(),
        endedAt: z.string(),
      }),
    )
    .describe('what earlier generations ended as, oldest first'),
  createdAt: z.string(),
  updatedAt: z.string(),
  destination: z.string(),
  serviceLevel: z.string(),
  delivery: z.object({
    type: z.enum(['home', 'service_point']),
    servicePointId: z.number().int().optional(),
  }),
  routing: z
    .object({
      ruleSet: z.object({ name: z.string(), version: z.number().int() }),
      rule: z.string().nullable(),
      choice: Candidate.nullable(),
      fallbacks: z.array(Candidate),
      refusedMethods: z.record(z.string(), z.string()),
      shipments: z
        .enum(['one', 'per_parcel'])
        .describe('several boxes: one multicollo shipment, or one shipment per box'),
      chargeableWeightGrams: z.number().int(),
      volumetricWeightGrams: z.number().int().nullable(),
      trace: Trace,
    })
    .nullable(),
  parcels: z.array(
    z.object({
      sendcloudId: z.number().int(),
      externalReference: z.string(),
      carrier: z.string(),
      shippingMethod: z.object({
        id: z.number().int().nullable().describe('the SendCloud v2 method id; null for API v3 shipments'),
        ref: z.string().describe('version-neutral: a v2 id as a string, or a v3 shipping option code'),
        name: z.string(),
      }),
      api: z.enum(['v2', 'v3']).describe('the SendCloud API the shipment was made with'),
      shipmentId: z.string().optional().describe('API v3: the SendCloud shipment the parcel belongs to'),
      trackingNumber: z.string(),
      trackingUrl: z.string().nullable(),
      status: z.object({ id: z.number().int(), message: z.string(), normalized: z.string() }),
      announcedAt: z.string(),
      history: z.array(
        z.object({
          sendcloudStatus: z.object({ id: z.number().int(), message: z.string() }),
          status: z.string(),
          carrierTimestamp: z.string().nullable(),
          occurredAt: z.string(),
          receivedAt: z.string(),
          source: z.enum(['webhook', 'poll']),
          implausible: z
            .enum(IMPLAUSIBILITIES)
            .optional()
            .describe(
              'set when the status was recorded but not applied (its time or transition is not plausible)',
            ),
        }),
      ),
      labels: z.record(z.string(), z.object({ href: z.string(), stored: z.boolean() })),
      documents: z
        .array(z.enum(['label', 'customs']))
        .describe(
          'the files stored for the parcel: its label, and its customs document when it leaves the EU customs union',
        ),
      customsDocument: z
        .object({ href: z.string(), stored: z.boolean() })
        .nullable()
        .describe(
          'the customs document (commercial invoice or CN23, PDF) to put in the box; null when the parcel stays in the EU customs union',
        ),
    }),
  ),
  failure: z.object({ code: z.string(), reason: z.string(), at: z.string() }).nullable(),
  cancellation: Cancellation.nullable().describe('set once the order was cancelled (POST …/cancel)'),
  returns: z
    .array(z.object({ returnId: z.string(), links: z.object({ self: z.string(), label: z.string() }) }))
    .describe('returns made for this order (POST /returns), oldest first'),
  links: Links,
});
