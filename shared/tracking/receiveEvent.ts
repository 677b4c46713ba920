import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventSubscriptionAuth } from '../config/credentials';
import { statusFromV3 } from '../sendcloud/v3/statuses';
import * as z from '../validation/zod';
import { type ApplyDeps, type ApplyOutcome, applyStatus } from './applyStatus';
import type { Implausibility } from './plausibility';

export const EVENTS_ROUTE = 'POST /webhooks/sendcloud/{account}/events';
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * `parcels.event.created` as the v3 event-subscriptions document writes it (`ParcelEventCreatedPayload`,
 * test/fixtures/specs/v3/sendcloud-v3-event-subscriptions-openapi.yml). Only what a status needs is read;
 * everything else — including fields SendCloud adds later — passes through untouched (loose objects). The
 * enums are not closed here: a phase the document does not list yet reads as unknown, it does not refuse
 * the event.
 */
const ParcelEventCreated = z.looseObject({
  event_type: z.literal('parcels.event.created'),
  data: z.looseObject({
    parcel: z.looseObject({
      parcel_id: z.number().check(z.int(), z.positive()),
      carrier_code: z.string(),
    }),
    event: z.looseObject({
      event_type: z.string(),
      timestamp: z.iso.datetime({ offset: true }),
      phase: z.string(),
      exception: z.string(),
      status_type: z.string(),
      sub_status: z.string(),
    }),
  }),
});
type ParcelEvent = z.infer<typeof ParcelEventCreated>['data']['event'];

/** `exception` names what went wrong on the phase; the ones with a v3 status of their own win over the phase. */
const BY_EXCEPTION: Readonly<Record<string, string>> = {
  announcement_failed: 'ANNOUNCEMENT_FAILED',
  cancelled: 'CANCELLED',
  cancelled_upstream: 'CANCELLED_UPSTREAM',
  cancelling: 'CANCELLING',
  cancelling_upstream: 'CANCELLING_UPSTREAM',
  // v2's 94 "Parcel cancellation failed." has no v3 code: statusFromV3 reads it as unknown (1337).
  cancellation_failed: 'CANCELLATION_FAILED',
  address_error: 'ADDRESS_INVALID',
  refused: 'REFUSED_BY_RECIPIENT',
  customer_rejected: 'REFUSED_BY_RECIPIENT',
  returned_sender: 'RETURNED_TO_SENDER',
  delivery_delay: 'DELAYED',
  sorting_delay: 'DELAYED',
  handover_delay: 'DELAYED',
  delay_unknown: 'DELAYED',
  dropoff_expiration: 'ANNOUNCED_UNCOLLECTED',
  pup_expiration: 'EXCEPTION',
  customs_issue: 'EXCEPTION',
  damaged: 'EXCEPTION',
  missing: 'EXCEPTION',
  off_radar: 'EXCEPTION',
  hold: 'EXCEPTION',
  non_conformity: 'EXCEPTION',
  customer_support: 'EXCEPTION',
  claim: 'EXCEPTION',
  claimable: 'EXCEPTION',
  // none, changed, relabelled, unknown: the phase says where the parcel is.
};

/** `phase` on the expected path (inferred by meaning: the document gives the enum, not the v3 codes). */
const BY_PHASE: Readonly<Record<string, string>> = {
  no_label: 'NO_LABEL',
  announcing: 'ANNOUNCING',
  labelled: 'READY_TO_SEND',
  ready_to_send: 'READY_TO_SEND',
  announced: 'ANNOUNCED',
  accepted: 'PICKED_UP_BY_DRIVER',
  dropped: 'TO_SORTING',
  sorted: 'SORTED',
  in_transit: 'SHIPMENT_ON_ROUTE',
  customs: 'AT_CUSTOMS',
  in_delivery: 'DRIVER_ON_ROUTE',
  attempted: 'DELIVERY_FAILED',
  pup: 'AWAITING_CUSTOMER_PICKUP',
  delivered: 'DELIVERED',
  delivery_forced: 'DELIVERED',
  cancelled: 'CANCELLED',
  unknown: 'UNKNOWN',
  // none: no status to speak of (e.g. a claim event) — ignored.
};

/** The v3 status code an event stands for, or undefined when it names none (phase `none`, no exception). */
export function v3CodeOfEvent(
  event: Pick<ParcelEvent, 'phase' | 'exception' | 'sub_status'>,
): string | undefined {
  const byException = BY_EXCEPTION[event.exception];
  if (byException) return byException;
  if (event.phase === 'delivered' && event.sub_status === 'pup') return 'COLLECTED_BY_CUSTOMER';
  return BY_PHASE[event.phase] ?? (event.phase === 'none' ? undefined : 'UNKNOWN');
}

export type EventAnswer =
  | {
      readonly status: 200;
      readonly outcome: ApplyOutcome;
      readonly account: string;
      /** For logs (ids only). */
      readonly parcelId: number;
      readonly owner?: string;
      readonly implausible?: Implausibility;
    }
  | {
      /** Authenticated, but nothing to apply; SendCloud must not retry it. */
      readonly status: 202;
      readonly ignored: 'not_a_parcel_event' | 'malformed_parcel_event' | 'no_status';
      readonly account: string;
      /** For logs: which fields were wrong (paths only, never values). */
      readonly problems?: readonly string[];
      readonly eventType?: string;
    }
  | {
      readonly status: 400 | 401 | 413;
      readonly reason: 'not_json' | 'not_configured' | 'bad_credentials' | 'too_large';
    };

export interface ReceiveEventDeps extends ApplyDeps {
  /** The account's `eventSubscription` from its credentials; undefined: not set up (or no such account). */
  readonly eventAuth: (account: string) => Promise<EventSubscriptionAuth | undefined>;
}

/**
 * A v3 event-subscription delivery: size, then the credentials of the account the path names (the
 * connection's auth, compared in constant time — never the HMAC of integration webhooks), then — only then —
 * JSON. A parcel event becomes one status through `applyStatus`, like a webhook or a poll: duplicates and
 * older events are safe there (history only). Anything else is acknowledged as ignored.
 */
export async function receiveEvent(
  input: {
    readonly account: string;
    readonly rawBody: Buffer;
    /** Request headers by name, case-insensitive. */
    readonly header: (name: string) => string | undefined;
  },
  deps: ReceiveEventDeps,
): Promise<EventAnswer> {
  if (input.rawBody.byteLength > MAX_EVENT_BYTES) return { status: 413, reason: 'too_large' };
  const { account } = input;
  const auth = await deps.eventAuth(account);
  if (!auth) return { status: 401, reason: 'not_configured' };
  if (!authenticates(auth, input.header)) return { status: 401, reason: 'bad_credentials' };

  let json: unknown;
  try {
    json = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return { status: 400, reason: 'not_json' };
  }
  const eventType = z.looseObject({ event_type: z.string().check(z.maxLength(100)) }).safeParse(json);
  if (!eventType.success || eventType.data.event_type !== 'parcels.event.created')
    return {
      status: 202,
      ignored: 'not_a_parcel_event',
      account,
      ...(eventType.success ? { eventType: eventType.data.event_type } : {}),
    };
  const payload = ParcelEventCreated.safeParse(json);
  if (!payload.success)
    return {
      status: 202,
      ignored: 'malformed_parcel_event',
      account,
      eventType: 'parcels.event.created',
      problems: payload.error.issues.map((issue) => issue.path.join('.') || '(body)'),
    };
  const { parcel, event } = payload.data.data;
  const code = v3CodeOfEvent(event);
  if (!code) return { status: 202, ignored: 'no_status', account, eventType: 'parcels.event.created' };
  // The table's message, not the carrier's `description`: free carrier text can name people and places,
  // and the message travels on in history and in `Parcel Status Changed`.
  const status = statusFromV3(code);
  const ts = Date.parse(event.timestamp);
  const result = await applyStatus(
    {
      account,
      parcelId: parcel.parcel_id,
      // The event carries no external reference: the parcel pointer (written at announcement) finds the order.
      externalReference: null,
      statusId: status.id,
      message: status.message,
      observedAt: new Date(ts).toISOString(),
      ts,
      carrierTimestamp: event.event_type === 'carrier' ? ts : null,
      source: 'webhook',
    },
    deps,
  );
  return {
    status: 200,
    outcome: result.outcome,
    account,
    parcelId: parcel.parcel_id,
    ...(result.outcome === 'account_mismatch' ? { owner: result.owner } : {}),
    ...(result.outcome === 'implausible' ? { implausible: result.implausible } : {}),
  };
}

/**
 * Whether the request carries the configured credentials. Presented and expected values are both run through
 * HMAC-SHA256 under a per-process random key and the 32-byte digests compared with `timingSafeEqual`: equal
 * lengths always, so neither a wrong length nor a wrong prefix answers sooner.
 */
function authenticates(auth: EventSubscriptionAuth, header: (name: string) => string | undefined): boolean {
  switch (auth.auth) {
    case 'bearer':
      return sameSecret(credentialsOf(header('authorization'), 'bearer'), auth.token);
    case 'basic':
      return sameSecret(
        credentialsOf(header('authorization'), 'basic'),
        Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64'),
      );
    case 'api_key':
      return sameSecret(header(auth.header), auth.value);
  }
}

/** The credentials after `<scheme> ` (scheme case-insensitive, RFC 9110 §11.1); undefined for another scheme. */
function credentialsOf(authorization: string | undefined, scheme: 'bearer' | 'basic'): string | undefined {
  if (authorization === undefined) return undefined;
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== scheme) return undefined;
  return authorization.slice(space + 1).trim();
}

const COMPARE_KEY = randomBytes(32);
const digest = (value: string) => createHmac('sha256', COMPARE_KEY).update(value, 'utf8').digest();

function sameSecret(presented: string | undefined, expected: string): boolean {
  // Absent still costs one comparison, against a value that cannot match.
  const equal = timingSafeEqual(digest(presented ?? ''), digest(expected));
  return presented !== undefined && presented.length > 0 && equal;
}
