import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartBatchRequest } from '../shared/batches/Batch';
import { BatchView } from '../shared/batches/batchView';
import { DeliveryOptionsParams, ServicePointQuery } from '../shared/checkout';
import { type DetailType, EVENT_SCHEMAS, eventJsonSchema } from '../shared/events';
import { DownloadLink, INLINE_MAX_BYTES, LINK_SECONDS } from '../shared/labels/handOut';
import {
  AcceptedResponse,
  BatchResponse,
  CancelResponse,
  OrderRequest,
  OrderViewResponse,
  ProblemResponse,
  RoutingDecisionResponse,
} from '../shared/orders';
import { MAX_BATCH_ORDERS } from '../shared/orders/acceptBatch';
import { ReturnRequest } from '../shared/returns';
import { RuleSet } from '../shared/routing';
import * as z from '../shared/validation/zod';

/**
 * The published contracts, generated from the zod schemas the code validates with:
 * docs/openapi.json (HTTP API) and docs/events/<name>.schema.json (EventBridge details).
 * `npm run docs` writes them; a test fails when they drift from the code.
 */
const schema = (type: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(type, { target: 'draft-2020-12', io, unrepresentable: 'any' });
const json = (type: z.ZodType, io: 'input' | 'output' = 'output') => ({
  content: { 'application/json': { schema: schema(type, io) } },
});
const problem = (description: string) => ({ description, ...json(ProblemResponse) });
/** POST /orders/batch's answer: the per-order results, with orders the deadline left out (503). */
const OrderBatchResponse = z.extend(BatchResponse, {
  notProcessed: z.number().check(z.int()),
  results: z.array(
    z.extend(BatchResponse.shape.results.def.element, {
      status: z.union([z.literal(202), z.literal(400), z.literal(409), z.literal(503)]),
      code: z.optional(z.literal('NOT_PROCESSED')),
      retryable: z.optional(z.boolean()),
    }),
  ),
});
const inlineLimit = `${INLINE_MAX_BYTES / 1024 / 1024} MiB`;
const linkMinutes = `${LINK_SECONDS / 60} minutes`;
/** A 303 See Other to a presigned S3 link: Location and the same link in the body. */
const seeOther = (what: string) => ({
  description: `${what}: Location is a presigned link to the file in S3, valid ${linkMinutes} (GET it again for a new one). Follow it without this API's Authorization header — S3 refuses a request that carries both.`,
  headers: { Location: { schema: { type: 'string', format: 'uri' } } },
  ...json(DownloadLink),
});
const orderIdParam = { name: 'orderId', in: 'path', required: true, schema: { type: 'string' } };
const accountParam = { name: 'account', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
/** A stored rule set as PUT and restore answer it. */
const StoredRules = z.object({
  account: z.string(),
  source: z.literal('account'),
  rules: RuleSet,
  warnings: z.array(z.string()),
});
const RuleSetVersionResponse = z.object({
  version: z.number().check(z.int()),
  storedAt: z.string(),
  storedBy: z.nullable(z.string()),
  sha256: z.string(),
});
const idempotencyKeyParam = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
  description:
    "1–255 visible ASCII characters (a UUID per request). Scoped to the caller's IAM identity and the account: another caller's key never answers yours.",
};
/** Every route that reads a JSON body answers 415 to anything else (no cross-site "simple" requests). */
const notJson = problem(
  'the body is not sent as `Content-Type: application/json` (UTF-8; a leading byte-order mark is fine)',
);

/** Adds the 415 answer to every operation with a JSON request body. */
function withJsonOnly(paths: Record<string, Record<string, Record<string, unknown>>>) {
  for (const operations of Object.values(paths))
    for (const operation of Object.values(operations))
      if (operation.requestBody)
        operation.responses = { ...(operation.responses as Record<string, unknown>), '415': notJson };
  return paths;
}
const channelParam = {
  name: 'channel',
  in: 'query',
  required: false,
  schema: { type: 'string' },
  description: 'needed when the same orderId exists in several channels',
};

/** A query-string schema as OpenAPI parameters. */
function queryParameters(type: z.ZodType): Array<Record<string, unknown>> {
  const document = schema(type, 'input') as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(document.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: document.required?.includes(name) ?? false,
    schema: property,
  }));
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'sendcloud-bridge',
      version: '1.0.0',
      description:
        'Orders in, SendCloud labels and tracking out. Weights in grams, dimensions in centimetres. Routes are IAM-authorised (SigV4) except the checkout routes (public, throttled, CORS) and the SendCloud webhooks (HMAC; v3 event subscriptions: the connection’s auth).',
    },
    paths: withJsonOnly({
      '/orders': {
        get: {
          summary: "An account's orders for operations, newest first (e.g. `status=failed`)",
          description:
            'Orders accepted on the UTC days `from` … `to` (default the last 7 days; at most 31), newest first, without personal data. `status` and `channel` filter each page, so a page may hold fewer than `limit`: follow `next` until it is null.',
          parameters: [
            { name: 'account', in: 'query', schema: { type: 'string', default: 'default' } },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'status', in: 'query', schema: { type: 'string' } },
            { name: 'channel', in: 'query', schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description:
                '`{orders: [{orderId, channel, account, status, generation, createdAt, updatedAt, failure, carrier, trackingNumber, links}], next}`',
            },
            '400': problem('a query parameter, named'),
          },
        },
        post: {
          summary: 'Accept one order',
          description:
            'Idempotent per channel + orderId, and per Idempotency-Key header. A repeat returns the original answer; different content is 409.',
          parameters: [idempotencyKeyParam],
          requestBody: { required: true, ...json(OrderRequest, 'input') },
          responses: {
            '202': { description: 'accepted (or accepted before)', ...json(AcceptedResponse) },
            '400': problem('invalid order: every field problem is listed'),
            '409': problem('same order or Idempotency-Key with different content'),
          },
        },
      },
      '/orders/batch': {
        post: {
          summary: `Accept up to ${MAX_BATCH_ORDERS} orders`,
          description:
            'Answered per order, in request order. Orders are accepted a few at a time; when the request nears its time limit, the orders not yet started are answered `503 NOT_PROCESSED` (`retryable: true`) and nothing of them is stored — send those again (resending the whole batch is safe too: accepted orders come back as `duplicate: true`). With an Idempotency-Key, an answer with NOT_PROCESSED orders is not kept as the key’s answer: repeating the request with the same key processes the rest.',
          parameters: [idempotencyKeyParam],
          requestBody: {
            required: true,
            ...json(
              z.object({
                orders: z.array(OrderRequest).check(z.minLength(1), z.maxLength(MAX_BATCH_ORDERS)),
              }),
              'input',
            ),
          },
          responses: {
            '202': { description: 'every order accepted', ...json(OrderBatchResponse) },
            '207': {
              description:
                'answered per order: some were refused (400, 409: `rejected`) or not processed in time (503: `notProcessed`, send again)',
              ...json(OrderBatchResponse),
            },
            '400': problem('not a batch'),
          },
        },
      },
      '/orders/{orderId}': {
        get: {
          summary: 'An order: status, routing decision and why, parcels, label links',
          parameters: [orderIdParam, channelParam],
          responses: {
            '200': { description: 'the order', ...json(OrderViewResponse) },
            '400': problem('ambiguous orderId'),
            '404': problem('no such order'),
          },
        },
      },
      '/orders/{orderId}/cancel': {
        post: {
          summary: 'Cancel an order (its SendCloud label, so it is not billed)',
          description:
            'An order that has not reached SendCloud (accepted, or held for end of day) is cancelled here and nothing is sent; an end-of-day order cancelled before its batch is not shipped. An announced order is cancelled at SendCloud: at once (200), or queued (202 `cancellation_requested`; SendCloud completes it and tracking then shows `cancelled`). A repeat sends nothing and answers as before (`changed: false`). Publishes `Parcel Cancelled` once.',
          parameters: [orderIdParam, channelParam],
          responses: {
            '200': { description: 'cancelled (now, or before: `changed: false`)', ...json(CancelResponse) },
            '202': {
              description: 'SendCloud queued the cancel (`cancellation_requested`); tracking completes it',
              ...json(CancelResponse),
            },
            '400': problem('ambiguous orderId'),
            '404': problem('no such order'),
            '409': problem(
              'CANCEL_TOO_LATE: SendCloud refused — handed over, delivered or past the carrier’s deadline (its reason in the message); NOTHING_TO_CANCEL: the order failed, it has no shipment; ORDER_BEING_ANNOUNCED: a worker is announcing it right now, try again in a few seconds',
            ),
          },
        },
      },
      '/orders/{orderId}/retry': {
        post: {
          summary: 'Ship a failed order again, with the content it was accepted with',
          description:
            'For a failure that was passing (a carrier down, every fitting method unavailable for a day): the order becomes its next generation — its own SendCloud reference `<channel>:<orderId>#<n>`, the failed one kept in the view’s `previous` — and is queued like a new order. To change the content, post the order again instead.',
          parameters: [orderIdParam, channelParam],
          responses: {
            '202': { description: 'queued again', ...json(AcceptedResponse) },
            '400': problem('ambiguous orderId'),
            '404': problem('no such order'),
            '409': problem(
              'ORDER_NOT_FAILED: only a failed order is retried; RECIPIENT_EXPIRED: its address is no longer kept, post it again; ORDER_BUSY: it changed meanwhile',
            ),
          },
        },
      },
      '/orders/{orderId}/label': {
        get: {
          summary: 'The stored label, or the customs document',
          parameters: [
            orderIdParam,
            channelParam,
            {
              name: 'format',
              in: 'query',
              schema: { type: 'string', enum: ['a6', 'a4', 'zpl'], default: 'a6' },
            },
            {
              name: 'document',
              in: 'query',
              schema: { type: 'string', enum: ['label', 'customs'], default: 'label' },
              description:
                '`customs`: the customs document (commercial invoice or CN23, PDF) of a parcel leaving the EU customs union, to put in the box with the label; without `format`',
            },
          ],
          responses: {
            '200': {
              description: 'label (or customs document) bytes',
              content: {
                'application/pdf': { schema: { type: 'string', format: 'binary' } },
                'application/zpl': { schema: { type: 'string' } },
              },
            },
            '404': problem(
              'no such order, no label yet (or, for an end-of-day order, not before its batch), a format this order was not printed in, or NO_CUSTOMS_DOCUMENT: the parcel stays in the EU customs union and needs none',
            ),
            '409': problem(
              'ORDER_FAILED: the order failed, the message says why (its failure code and reason); ORDER_CANCELLED: the order was cancelled, its label must not be used',
            ),
            '500': problem('a label this order recorded is missing from storage (logged as LabelMissing)'),
          },
        },
      },
      '/routing/explain': {
        post: {
          summary: 'The routing decision for an order, creating nothing',
          description:
            'The body is an order, or `{order, rules}` to try a draft rule set instead of the stored one: the draft is checked as `PUT /routing/rules/{account}` checks it and never stored.',
          requestBody: {
            required: true,
            ...json(
              z.union([OrderRequest, z.strictObject({ order: OrderRequest, rules: RuleSet })]),
              'input',
            ),
          },
          responses: {
            '200': {
              description: 'the decision with its trace; with a draft, also the draft’s warnings',
              ...json(
                z.union([
                  RoutingDecisionResponse,
                  z.extend(RoutingDecisionResponse, { draft: z.object({ warnings: z.array(z.string()) }) }),
                ]),
              ),
            },
            '400': problem('invalid order, or a draft rule set that is not valid for the account'),
          },
        },
      },
      '/parcels/status': {
        get: {
          summary: 'Current status of up to 100 SendCloud parcels',
          parameters: [
            {
              name: 'ids',
              in: 'query',
              required: true,
              schema: { type: 'string' },
              description: 'comma-separated SendCloud parcel ids',
            },
          ],
          responses: {
            '200': { description: 'statuses; ids we do not know are listed in `unknown`' },
            '400': problem('no ids, or more than 100'),
          },
        },
      },
      '/webhooks/sendcloud': {
        post: {
          summary:
            "SendCloud's webhook deliveries for the default account (also /webhooks/sendcloud/{account})",
          description:
            'Not IAM: authenticated by the Sendcloud-Signature header (hex HMAC-SHA256 of the raw body).',
          security: [],
          parameters: [
            { name: 'Sendcloud-Signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'handled, or acknowledged (duplicates, unknown actions)' },
            '400': problem('not JSON'),
            '401': problem('unsigned or wrongly signed'),
            '413': problem('over 256 KiB'),
          },
        },
      },
      '/webhooks/sendcloud/{account}/events': {
        post: {
          summary:
            'SendCloud v3 event subscriptions (beta): parcels.event.created deliveries for the account',
          description:
            "Not IAM, not HMAC: authenticated by the account's `eventSubscription` credentials (bearer token, Basic, or an API-key header), as its SendCloud webhook connection sends them. A parcel event's phase/exception becomes a status on the same path as webhooks and polls.",
          security: [],
          parameters: [{ name: 'account', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'handled (applied, or a duplicate/older event kept in history only)' },
            '202': { description: 'authenticated, nothing to apply: not a parcel event, or no status in it' },
            '400': problem('not JSON'),
            '401': problem('no eventSubscription for the account, or missing/wrong credentials'),
            '413': problem('over 256 KiB'),
          },
        },
      },
      '/batches': {
        post: {
          summary:
            'Start an end-of-day batch now: every ready order of the account (orders posted with dispatch: end_of_day)',
          description:
            'Answers at once with the batch `starting` (`total: null`); the orders are then taken in the background (`assigned` grows) and the batch becomes `running` with its final `total`, then `merging` and `completed`. A batch that finds no ready orders becomes `completed` with `total: 0`. An order joins at most one batch. The scheduled end-of-day run starts batches the same way.',
          requestBody: { required: false, ...json(StartBatchRequest, 'input') },
          responses: {
            '202': {
              description: 'started: the batch as `starting`; Location and links.self are where to follow it',
              headers: { Location: { schema: { type: 'string' } } },
              ...json(BatchView),
            },
            '400': problem('invalid request or unknown account'),
          },
        },
      },
      '/batches/{batchId}': {
        get: {
          summary:
            'Progress, failures per order, and the merged label files (A6, A4 four-up, ZPL; per split, in parts) with their sizes',
          parameters: [{ name: 'batchId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'the batch', ...json(BatchView) },
            '404': problem('no such batch'),
          },
        },
      },
      '/batches/{batchId}/files/{index}': {
        get: {
          summary: 'One merged file, as a short-lived download link',
          description:
            'A merged part of 1,000 labels is tens of MB, more than an API response can carry, so the file is always handed out as a link.',
          parameters: [
            { name: 'batchId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'index', in: 'path', required: true, schema: { type: 'integer' } },
          ],
          responses: {
            '303': seeOther('the PDF or ZPL file'),
            '404': problem('no such file (yet)'),
          },
        },
      },
      '/reports/{date}': {
        get: {
          summary: "An account's daily shipping report (JSON summary or CSV rows)",
          parameters: [
            { name: 'date', in: 'path', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'account', in: 'query', schema: { type: 'string', default: 'default' } },
            {
              name: 'format',
              in: 'query',
              schema: { type: 'string', enum: ['json', 'csv'], default: 'json' },
            },
          ],
          responses: {
            '200': {
              description: `the report (JSON or CSV), when it is at most ${inlineLimit}`,
              content: {
                'application/json': { schema: { type: 'object' } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            '303': seeOther(`a report over ${inlineLimit} (a busy day's CSV)`),
            '400': problem('bad date or unknown account'),
          },
        },
      },
      '/service-points': {
        get: {
          summary: 'Service points near a postal code or a position (checkout)',
          description:
            'Public (no IAM), throttled, CORS for CHECKOUT_ORIGINS. Cached per query (CHECKOUT_CACHE_SECONDS); when SendCloud fails or is slow the last good answer comes back with `stale: true`, and with nothing cached an empty list with `stale: true` — never a 5xx.',
          security: [],
          parameters: queryParameters(ServicePointQuery),
          responses: {
            '200': {
              description:
                'points nearest first, each with opening hours per day and the `order.delivery` to post',
            },
            '400': problem('what to fix in the query'),
          },
        },
      },
      '/service-points/{id}': {
        get: {
          summary: 'One service point (checkout)',
          security: [],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'account', in: 'query', required: false, schema: { type: 'string', default: 'default' } },
          ],
          responses: { '200': { description: 'the point' }, '404': problem('no such service point') },
        },
      },
      '/delivery-options': {
        get: {
          summary: 'What the customer can choose at checkout',
          description:
            "From SendCloud Dynamic Checkout where the account has a configuration (CHECKOUT_CONFIGURATIONS), otherwise derived from the account's shipping methods and routing rules — each option carries the `order` fields that make routing ship exactly it. Public, cached and degraded like /service-points.",
          security: [],
          parameters: queryParameters(DeliveryOptionsParams),
          responses: {
            '200': {
              description:
                'options: type, service level, carrier, method, price, cut-off, hand-over and expected delivery dates',
            },
            '400': problem('what to fix in the query'),
          },
        },
      },
      '/checkout/component.js': {
        get: {
          summary: 'The <sendcloud-bridge-checkout> web component (JavaScript, no dependencies)',
          security: [],
          responses: { '200': { description: 'text/javascript' } },
        },
      },
      '/returns': {
        post: {
          summary: 'Create a return label for a shipped order or parcel',
          description:
            'Idempotent: the same order and `reference` (or, without one, the same items) is the same return; an Idempotency-Key header works as for orders. The label is stored in S3; `Return Created` is published once.',
          parameters: [
            idempotencyKeyParam,
            { name: 'account', in: 'query', required: false, schema: { type: 'string' } },
          ],
          requestBody: { required: true, ...json(ReturnRequest, 'input') },
          responses: {
            '201': { description: 'created: returnId, parcel, links.label, returnPortalUrl' },
            '200': { description: 'this return existed already (same answer)' },
            '400': problem('invalid request, or the customer address is needed as `from`'),
            '404': problem('no such order or parcel'),
            '409': problem('the order has not shipped'),
            '422': problem('no return method fits, or SendCloud refused the return'),
          },
        },
        get: {
          summary: "The account's returns from SendCloud (status, refund), joined to ours",
          parameters: [
            { name: 'account', in: 'query', required: false, schema: { type: 'string', default: 'default' } },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'one page, newest first, and `next`' } },
        },
      },
      '/returns/{returnId}': {
        get: {
          summary: "A return: its parcel, tracking history and SendCloud's status and refund",
          parameters: [{ name: 'returnId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the return' }, '404': problem('no such return') },
        },
      },
      '/returns/{returnId}/cancel': {
        post: {
          summary: 'Cancel a return label (so it is not billed)',
          description:
            'Cancelled at SendCloud like an order: at once (200) or queued (202 `cancellation_requested`; on API v3 a return cancel is always queued, tracking completes it). A repeat sends nothing and answers as before (`changed: false`). Publishes `Parcel Cancelled` once, with `isReturn: true`.',
          parameters: [{ name: 'returnId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'cancelled (now, or before: `changed: false`)', ...json(CancelResponse) },
            '202': {
              description: 'SendCloud queued the cancel (`cancellation_requested`); tracking completes it',
              ...json(CancelResponse),
            },
            '404': problem('no such return'),
            '409': problem(
              'CANCEL_TOO_LATE: SendCloud refused — handed over or delivered (its reason in the message); RETURN_IN_PROGRESS: the return is being created, cancel it once it has its label',
            ),
          },
        },
      },
      '/returns/{returnId}/label': {
        get: {
          summary: 'The stored return label (A6 PDF)',
          parameters: [{ name: 'returnId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: `the PDF, when it is at most ${inlineLimit}`,
              content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            '303': seeOther(`a label over ${inlineLimit}`),
            '404': problem('no label stored'),
          },
        },
      },
      '/routing/rules/{account}': {
        get: {
          summary: "The account's routing rules (or the default set)",
          parameters: [{ name: 'account', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'rules',
              ...json(
                z.object({ account: z.string(), source: z.enum(['account', 'default']), rules: RuleSet }),
              ),
            },
            '400': problem('unknown account'),
          },
        },
        put: {
          summary: "A new version of the account's routing rules",
          parameters: [{ name: 'account', in: 'path', required: true, schema: { type: 'string' } }],
          description:
            "Checked against the account's catalogue first: an unknown field, carrier, v2 method id or v3 shipping option code is a 400 naming the rule and field (with the nearest known name). On v3 the names are checked against the options SendCloud quotes for each rule's own countries, or, for a rule without countries, for the sender's country, every country the set names, DE, FR, GB and US. Every version is kept.",
          requestBody: { required: true, ...json(RuleSet, 'input') },
          responses: {
            '200': {
              description: 'stored, with warnings (a destination class no rule routes)',
              ...json(StoredRules),
            },
            '400': problem('INVALID_RULES: every problem is listed, each with its path'),
            '409': problem('version not higher than the current one'),
          },
        },
      },
      '/routing/rules/{account}/versions': {
        get: {
          summary: "Every stored version of the account's routing rules, newest first",
          parameters: [accountParam],
          responses: {
            '200': {
              description: 'versions',
              ...json(z.object({ account: z.string(), versions: z.array(RuleSetVersionResponse) })),
            },
            '400': problem('unknown account'),
          },
        },
      },
      '/routing/rules/{account}/versions/{version}': {
        get: {
          summary: 'One stored version, with its rules',
          parameters: [accountParam, versionParam],
          responses: {
            '200': {
              description: 'the version',
              ...json(z.extend(RuleSetVersionResponse, { account: z.string(), rules: RuleSet })),
            },
            '400': problem('unknown account, or a version that is not a positive whole number'),
            '404': problem('NO_SUCH_VERSION'),
          },
        },
      },
      '/routing/rules/{account}/versions/{version}/restore': {
        post: {
          summary: 'Make an older version current again',
          description:
            'Stores the version’s content as a new version — the current one + 1, or `version` from the body — checked against the catalogue as a PUT is; history only grows. A concurrent PUT or restore makes it a 409, as a PUT.',
          parameters: [accountParam, versionParam],
          requestBody: {
            required: false,
            ...json(
              z.strictObject({ version: z.optional(z.number().check(z.int(), z.positive())) }),
              'input',
            ),
          },
          responses: {
            '200': {
              description: 'restored as a new version',
              ...json(z.extend(StoredRules, { restoredFrom: z.number().check(z.int()) })),
            },
            '400': problem('INVALID_RULES: the old content is no longer valid for the account'),
            '404': problem('NO_SUCH_VERSION'),
            '409': problem('the new version is not higher than the current one'),
          },
        },
      },
    }),
  };
}

export function eventDocuments(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    (Object.keys(EVENT_SCHEMAS) as DetailType[]).map((type) => [
      `${type.toLowerCase().replaceAll(' ', '-')}.schema.json`,
      eventJsonSchema(type),
    ]),
  );
}

export const render = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The checkout web component as a module the Lambda bundles (served by GET /checkout/component.js). */
export const COMPONENT_SOURCE = join(import.meta.dirname, '../shared/web/checkout-component.js');
export const COMPONENT_MODULE = join(import.meta.dirname, '../shared/web/component.generated.ts');
export const componentModule = () =>
  `// Generated by \`npm run docs\` from checkout-component.js: edit that file, not this one.\nexport const CHECKOUT_COMPONENT: string = ${JSON.stringify(readFileSync(COMPONENT_SOURCE, 'utf8'))};\n`;

if (process.argv[1]?.endsWith('generate.ts')) {
  const root = import.meta.dirname;
  writeFileSync(join(root, 'openapi.json'), render(openApiDocument()));
  mkdirSync(join(root, 'events'), { recursive: true });
  for (const [file, document] of Object.entries(eventDocuments()))
    writeFileSync(join(root, 'events', file), render(document));
  writeFileSync(COMPONENT_MODULE, componentModule());
  console.log('wrote docs/openapi.json, docs/events/*.schema.json and shared/web/component.generated.ts');
}
