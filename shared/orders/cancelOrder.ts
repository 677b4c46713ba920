import type { EventPublisher } from '../events';
import { HttpError } from '../http/errors';
import { returnKey } from '../returns/ReturnView';
import type { CancelOutcome, CancelTarget, SendcloudPort, Shipment } from '../sendcloud/port';
import type { OrderStore, TrackingStore, UpdateFence } from '../store';
import { hasCarrierScan } from '../tracking/normalizedStatus';
import type * as z from '../validation/zod';
import { cancelShipments, unrecordedBoxes } from './announceBoxes';
import {
  attemptReference,
  findBoxes,
  isFirstAttempt,
  newShipmentPerAttempt,
  recordBox,
  recordShipment,
  shipsPerParcel,
} from './announcement';
import type { CancelResponse } from './apiSchemas';
import { emitOnce } from './emitOnce';
import { colliRefs, orderRef } from './eventRefs';
import { findOrder } from './findOrder';
import { type OrderCancellation, type OrderRecord, type OrderStatus, parcelsOf } from './Order';

export interface CancelDeps {
  readonly store: Pick<
    OrderStore,
    'get' | 'findByOrderId' | 'claim' | 'update' | 'record' | 'beginEmit' | 'endEmit'
  >;
  readonly tracking: Pick<TrackingStore, 'linkParcel' | 'linkParcels'>;
  readonly events: EventPublisher;
  /** The account's SendCloud (v2 or v3 behind the port). */
  readonly sendcloud: (account: string) => Promise<SendcloudPort>;
  readonly clock: () => Date;
  /** How long a cancel holds an order it takes before the worker does (the worker's own lock time). */
  readonly lockMs: number;
}

export interface CancelAnswer {
  /** 200: cancelled (now or before); 202: SendCloud queued the cancel, tracking completes it. */
  readonly status: 200 | 202;
  readonly body: z.infer<typeof CancelResponse>;
}

/** Orders with a shipment at SendCloud: a cancel is SendCloud's to grant. */
const WITH_SHIPMENT: readonly OrderStatus[] = [
  'announced',
  'label_stored',
  'shipped',
  'cancellation_requested',
];
/** Rounds of read → decide → conditional write before a cancel that keeps losing races gives up. */
const ROUNDS = 3;
const EVENT = 'Parcel Cancelled';

/**
 * `POST /orders/{orderId}/cancel`. An order that never reached SendCloud is cancelled here and nothing is
 * sent (one being announced is first taken from the worker, and anything an earlier attempt left at SendCloud
 * is cancelled too); an announced one is SendCloud's to cancel: cancelled (200), requested (202, tracking
 * completes it), too late (409 CANCEL_TOO_LATE with SendCloud's reason). A repeat sends nothing and answers
 * as before. Every write is conditional on the status it decided on, so a worker and a cancel never
 * overwrite each other; `Parcel Cancelled` is published once.
 */
export async function cancelOrder(
  orderId: string,
  channel: string | undefined,
  deps: CancelDeps,
): Promise<CancelAnswer> {
  const order = await findOrder(deps.store, orderId, channel);
  // Returns are cancelled as returns, not through their order's route.
  if (order.isReturn) throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${orderId}.`);
  return cancelRecord(order, deps);
}

/**
 * `POST /returns/{returnId}/cancel`: a return label is cancelled like an order's (v2: its return parcel;
 * v3: `PATCH /returns/{id}/cancel`, which SendCloud always queues — 202, tracking completes it).
 */
export async function cancelReturn(returnId: string, deps: CancelDeps): Promise<CancelAnswer> {
  const ret = await deps.store.get(returnKey(returnId));
  if (!ret?.isReturn) throw new HttpError(404, 'RETURN_NOT_FOUND', `No return ${returnId}.`);
  if (ret.status === 'accepted' || ret.status === 'creating')
    throw new HttpError(
      409,
      'RETURN_IN_PROGRESS',
      `Return ${returnId} is being created; cancel it once it has its label (GET /returns/${returnId}).`,
    );
  return cancelRecord(ret, deps);
}

async function cancelRecord(first: OrderRecord, deps: CancelDeps): Promise<CancelAnswer> {
  let order = first;
  const { orderId } = order;
  for (let round = 0; round < ROUNDS; round++) {
    const answer = await decide(order, deps);
    if (answer) return answer;
    const current = await deps.store.get(order);
    if (!current) throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${orderId}.`);
    order = current;
  }
  throw new HttpError(
    409,
    'ORDER_BUSY',
    `Order ${orderId} kept changing while it was being cancelled; try again in a few seconds.`,
  );
}

/** The answer for the order as read, or undefined when it changed meanwhile (read it again and decide again). */
async function decide(order: OrderRecord, deps: CancelDeps): Promise<CancelAnswer | undefined> {
  switch (order.status) {
    case 'cancelled':
      return repeat(order, deps);
    case 'cancellation_requested': {
      const tracked = order.tracking?.status;
      // Still waiting for SendCloud (or done): nothing to send. A failed cancel (94) or a moved parcel: ask again.
      if (
        !tracked ||
        tracked === 'cancelled' ||
        tracked === 'cancellation_requested' ||
        !hasCarrierScan(tracked)
      )
        return repeat(order, deps);
      return askSendcloud(order, deps);
    }
    case 'failed':
      throw new HttpError(
        409,
        'NOTHING_TO_CANCEL',
        `Order ${order.orderId} failed (${order.failure?.code ?? 'FAILED'}: ${order.failure?.reason ?? 'no parcel was made'}); it has no shipment at SendCloud, so there is nothing to cancel.`,
      );
    case 'ready':
      // Held for the end-of-day batch: cancelled unless a batch takes it first (that write needs `ready`).
      return settle(order, 'cancelled', notAnnounced(deps), { status: ['ready'] }, deps);
    case 'accepted':
    case 'creating':
      return cancelUnannounced(order, deps);
    case 'announced':
    case 'label_stored':
    case 'shipped':
      return askSendcloud(order, deps);
  }
}

/**
 * An order not announced yet. It is claimed first, as a worker would: a worker holding it is announcing it
 * right now (409, try again); once claimed, no worker can record a shipment for it (the attempt fence). An
 * order processed before may have reached SendCloud before a crash: every attempt's reference is looked up
 * and what SendCloud holds is cancelled too.
 */
async function cancelUnannounced(order: OrderRecord, deps: CancelDeps): Promise<CancelAnswer | undefined> {
  const claim = await deps.store.claim(order, { now: deps.clock(), lockMs: deps.lockMs });
  switch (claim.outcome) {
    case 'missing':
      throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${order.orderId}.`);
    case 'settled':
      return undefined;
    case 'busy':
      throw new HttpError(
        409,
        'ORDER_BEING_ANNOUNCED',
        `Order ${order.orderId} is being announced at SendCloud right now; try again in a few seconds.`,
      );
    case 'claimed':
      break;
  }
  const claimed = claim.order;
  const fence = { attempt: claimed.attempt };
  // The first claim: nobody has processed it, nothing reached SendCloud.
  if (isFirstAttempt(claimed)) return settle(claimed, 'cancelled', notAnnounced(deps), fence, deps);

  const port = await deps.sendcloud(claimed.account);
  if (shipsPerParcel(claimed)) return cancelBoxes(claimed, port, deps);
  let requested: { readonly shipment: Shipment; readonly result: CancelOutcome } | undefined;
  let said: CancelOutcome | undefined;
  for (const shipment of await earlierAttempts(claimed, port)) {
    if (shipment.state === 'cancelled') continue;
    const result = await port.cancel(targetOf(shipment));
    // A refused attempt carries no label: whatever SendCloud answers, it bills nothing.
    if (shipment.state === 'refused') continue;
    if (result.outcome === 'too_late') {
      // A live shipment that can no longer be cancelled: the worker takes the order back and records it.
      await deps.store.update(claimed, { lockUntil: deps.clock().toISOString() }, fence);
      throw tooLate(claimed, result.message);
    }
    if (result.outcome === 'requested') requested = { shipment, result };
    else said = result;
  }
  if (requested) {
    // Tracking finds the order by its parcel: the shipment is recorded, then its cancel.
    const recorded = await recordShipment(
      claimed,
      requested.shipment,
      claimed.routing ?? null,
      deps,
      fence,
      port.version,
    );
    if (!recorded) return undefined;
    return settle(recorded, 'cancellation_requested', asked(requested.result, deps), fence, deps);
  }
  return settle(claimed, 'cancelled', said ? asked(said, deps) : notAnnounced(deps), fence, deps);
}

/**
 * A claimed order of boxes shipped one by one, not (fully) announced: the boxes SendCloud holds are recorded
 * (some may be unrecorded after a crash; tracking finds them by their parcels), then every one is cancelled.
 */
async function cancelBoxes(
  claimed: OrderRecord,
  port: SendcloudPort,
  deps: CancelDeps,
): Promise<CancelAnswer | undefined> {
  const fence = { attempt: claimed.attempt };
  let order: OrderRecord | undefined = claimed;
  for (const [box, shipment] of await findBoxes(claimed, port, unrecordedBoxes(claimed))) {
    // a refused box carries no label: nothing to cancel
    if (!order || (shipment.state !== 'announced' && shipment.state !== 'cancelled')) continue;
    order = await recordBox(order, shipment, box, order.routing ?? null, deps, fence, port.version);
  }
  if (!order) return undefined;
  if (parcelsOf(order).length === 0) return settle(order, 'cancelled', notAnnounced(deps), fence, deps);
  const result = await cancelShipments(parcelsOf(order), port);
  if (result.outcome === 'too_late') {
    // A box that can no longer be cancelled: the worker takes the order back and announces the rest.
    await deps.store.update(order, { lockUntil: deps.clock().toISOString() }, fence);
    throw tooLate(order, result.message);
  }
  return settle(
    order,
    result.outcome === 'requested' ? 'cancellation_requested' : 'cancelled',
    asked(result, deps),
    fence,
    deps,
  );
}

/**
 * SendCloud decides for an announced order (its label exists or is being made): every shipment of it — one,
 * or one per box — is asked to cancel.
 */
async function askSendcloud(order: OrderRecord, deps: CancelDeps): Promise<CancelAnswer | undefined> {
  const parcel = order.parcel;
  if (!parcel)
    throw new HttpError(409, 'NOTHING_TO_CANCEL', `Order ${order.orderId} has no parcel to cancel.`);
  const port = await deps.sendcloud(order.account);
  const result = await cancelShipments(parcelsOf(order), port, order.isReturn === true);
  if (result.outcome === 'too_late') throw tooLate(order, result.message);
  return settle(
    order,
    result.outcome === 'requested' ? 'cancellation_requested' : 'cancelled',
    asked(result, deps),
    { status: WITH_SHIPMENT },
    deps,
  );
}

/** Writes the cancel if the order is still as decided on, publishes `Parcel Cancelled`, answers. */
async function settle(
  order: OrderRecord,
  status: 'cancelled' | 'cancellation_requested',
  cancellation: OrderCancellation,
  fence: UpdateFence,
  deps: CancelDeps,
): Promise<CancelAnswer | undefined> {
  const changes = { status, cancellation, updatedAt: cancellation.at };
  if (!(await deps.store.update(order, changes, fence))) return undefined;
  const cancelled = { ...order, ...changes };
  await publish(cancelled, deps);
  return answer(cancelled, true);
}

/** Cancelled (or requested) before: nothing is sent; an event a crash left unpublished is published now. */
async function repeat(order: OrderRecord, deps: CancelDeps): Promise<CancelAnswer> {
  await publish(order, deps);
  return answer(order, false);
}

async function publish(order: OrderRecord, deps: CancelDeps): Promise<void> {
  const c = order.cancellation;
  if (!c || order.events?.[EVENT]?.state === 'sent') return;
  const p = order.parcel;
  await emitOnce(
    order,
    EVENT,
    {
      ...orderRef(order),
      isReturn: order.isReturn === true,
      status: order.status === 'cancellation_requested' ? 'cancellation_requested' : 'cancelled',
      outcome: c.outcome,
      sentToSendcloud: c.sentToSendcloud,
      parcelId: p?.id ?? null,
      carrier: p?.carrier ?? null,
      trackingNumber: p ? p.trackingNumber || null : null,
      parcels: p ? colliRefs(order) : [],
      cancelledAt: c.at,
    },
    deps,
  );
}

function answer(order: OrderRecord, changed: boolean): CancelAnswer {
  // A requested cancel that tracking saw completed is cancelled.
  const done = order.status === 'cancelled' || order.tracking?.status === 'cancelled';
  const p = order.parcel;
  return {
    status: done ? 200 : 202,
    body: {
      orderId: order.orderId,
      channel: order.channel,
      account: order.account,
      status: done ? 'cancelled' : 'cancellation_requested',
      cancellation: order.cancellation ?? {
        outcome: 'cancelled',
        message: 'cancelled',
        sentToSendcloud: false,
        at: order.updatedAt,
      },
      changed,
      parcel: p ? { sendcloudId: p.id, trackingNumber: p.trackingNumber, carrier: p.carrier } : null,
      links: {
        self: `/orders/${encodeURIComponent(order.orderId)}?channel=${encodeURIComponent(order.channel)}`,
      },
    },
  };
}

const notAnnounced = (deps: CancelDeps): OrderCancellation => ({
  outcome: 'not_announced',
  message: 'The order had not reached SendCloud: cancelled here, nothing was sent.',
  sentToSendcloud: false,
  at: deps.clock().toISOString(),
});

const asked = (result: CancelOutcome, deps: CancelDeps): OrderCancellation => ({
  outcome: result.outcome === 'too_late' ? 'cancelled' : result.outcome,
  message: result.message,
  sentToSendcloud: true,
  at: deps.clock().toISOString(),
});

const tooLate = (order: OrderRecord, message: string): HttpError =>
  new HttpError(
    409,
    'CANCEL_TOO_LATE',
    `Order ${order.orderId} can no longer be cancelled: SendCloud refused (${message}). A parcel that is handed over, delivered or past the carrier's cancel deadline stays shipped.`,
  );

const targetOf = (shipment: Shipment): CancelTarget => ({
  id: shipment.id,
  parcelIds: shipment.parcels.map((p) => p.id),
});

/**
 * What SendCloud holds for an order's earlier attempts, newest first: v2 keeps every attempt on one parcel
 * (one reference); v3 makes a shipment per attempt (`attemptReference`).
 */
async function earlierAttempts(order: OrderRecord, port: SendcloudPort): Promise<Shipment[]> {
  const refusals = newShipmentPerAttempt(order, port.version)
    ? Object.keys(order.refusedMethods ?? {}).length
    : 0;
  const found: Shipment[] = [];
  for (let n = refusals; n >= 0; n--) {
    const shipment = await port.find(attemptReference(order, port.version, n));
    if (shipment) found.push(shipment);
  }
  return found;
}
