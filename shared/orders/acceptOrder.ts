import type { EventPublisher } from '../events';
import { HttpError } from '../http/errors';
import type { OrderStore } from '../store';
import { canonicalJson, sha256 } from './canonical';
import { customsBorder } from './customsTerritory';
import { emitOnce } from './emitOnce';
import { findOrder } from './findOrder';
import {
  type Collo,
  type DeliveryExtras,
  isCancelStatus,
  type OrderKey,
  type OrderRecord,
  type OrderSpec,
  orderKeyString,
  type PreviousGeneration,
} from './Order';
import type { OrderQueue } from './OrderQueue';
import { boxesOf, type OrderRequest, type ParcelSpec } from './OrderRequest';

export interface AcceptDeps {
  readonly store: OrderStore;
  readonly queue: OrderQueue;
  readonly events: EventPublisher;
  readonly clock: () => Date;
  /** The country the order's account ships from (customs are decided from it). Default NL. */
  readonly shipsFrom?: (account: string) => string;
}

export interface AcceptedBody {
  readonly orderId: string;
  readonly channel: string;
  readonly account: string;
  readonly status: 'accepted' | 'ready';
  readonly links: { readonly self: string; readonly label: string };
}

export type AcceptOutcome =
  | { readonly outcome: 'accepted'; readonly body: AcceptedBody; readonly created: boolean }
  | { readonly outcome: 'conflict'; readonly message: string };

export const bodyHashOf = (order: OrderRequest): string => sha256(canonicalJson(order));

/** The answer to an accepted order: `ready` when it waits for the end-of-day batch, else `accepted`. */
export function acceptedBody(
  key: OrderKey & { account: string; status: 'accepted' | 'ready' },
): AcceptedBody {
  const q = `?channel=${encodeURIComponent(key.channel)}`;
  const id = encodeURIComponent(key.orderId);
  return {
    orderId: key.orderId,
    channel: key.channel,
    account: key.account,
    status: key.status,
    links: { self: `/orders/${id}${q}`, label: `/orders/${id}/label${q}` },
  };
}

/** The delivery extras an order asks for (only those set), or undefined for none. */
function extrasOf(order: OrderRequest): DeliveryExtras | undefined {
  const o = order.deliveryOptions;
  if (!o) return undefined;
  const extras: DeliveryExtras = {
    ...(o.signature ? { signature: true } : {}),
    ...(o.ageCheck ? { ageCheck: o.ageCheck } : {}),
    ...(o.noNeighbourDelivery ? { noNeighbourDelivery: true } : {}),
  };
  return Object.keys(extras).length > 0 ? extras : undefined;
}

const colloOf = (box: ParcelSpec): Collo => ({
  weightGrams: box.weightGrams,
  ...(box.lengthCm && box.widthCm && box.heightCm
    ? { dimensionsCm: { length: box.lengthCm, width: box.widthCm, height: box.heightCm } }
    : {}),
});

/** What routing and the worker need from an order — everything but personal data. */
export function orderSpecOf(order: OrderRequest, shipsFrom = 'NL'): OrderSpec {
  const boxes = boxesOf(order).map(colloOf);
  const heaviest = boxes.reduce((a, b) => (b.weightGrams > a.weightGrams ? b : a));
  return {
    toCountry: order.recipient.country,
    customsRequired: customsBorder(shipsFrom, order.recipient.country, order.recipient.postalCode).customs,
    shipsFrom,
    weightGrams: heaviest.weightGrams,
    ...(heaviest.dimensionsCm ? { dimensionsCm: heaviest.dimensionsCm } : {}),
    ...(boxes.length > 1 ? { colli: boxes } : {}),
    serviceLevel: order.serviceLevel,
    orderValue: order.orderValue,
    delivery: order.delivery,
    ...(order.insuredValue ? { insuredValueEur: Number(order.insuredValue) } : {}),
    ...(extrasOf(order) ? { extras: extrasOf(order) as DeliveryExtras } : {}),
    ...(order.shippingMethodId ? { shippingMethodId: order.shippingMethodId } : {}),
    ...(order.shippingMethod ? { shippingMethod: order.shippingMethod } : {}),
    ...(order.packingStation ? { packingStation: order.packingStation } : {}),
  };
}

/**
 * Accepts a validated order: stored once per channel + orderId (a repeat with the same content gets the
 * original answer, different content is a conflict), queued for a worker, announced as `Order Accepted`.
 * If queueing failed last time, a repeat queues it again — the worker is safe under duplicates.
 */
export async function acceptOrder(
  order: OrderRequest,
  deps: AcceptDeps,
  options: {
    /** The caller queues it (batches go out as one message per group). */ readonly deferQueueing?: boolean;
  } = {},
): Promise<AcceptOutcome> {
  const now = deps.clock().toISOString();
  const record: OrderRecord = {
    channel: order.channel,
    orderId: order.orderId,
    account: order.account,
    status: order.dispatch === 'end_of_day' ? 'ready' : 'accepted',
    bodyHash: bodyHashOf(order),
    spec: orderSpecOf(order, deps.shipsFrom?.(order.account)),
    attempt: 0,
    events: {},
    createdAt: now,
    updatedAt: now,
  };
  const personal = {
    recipient: order.recipient,
    items: order.items,
    ...(order.customs ? { customs: order.customs } : {}),
  };
  const result = await deps.store.create(record, personal);
  let stored = result.created ? result.order : result.existing;
  let created = result.created;
  if (!result.created && shipsAnew(result.existing, record)) {
    // Cancelled, or failed and corrected: the order ships anew as its next generation.
    const next = nextGeneration(result.existing, record, now);
    const expected = { status: result.existing.status, generation: result.existing.generation ?? 1 };
    if (await deps.store.reopen(next, expected, personal)) {
      stored = next;
      created = true;
    } else {
      const current = await deps.store.get(record);
      if (!current || current.bodyHash !== record.bodyHash)
        return {
          outcome: 'conflict',
          message: `order ${orderKeyString(record)} changed while it was posted again; retry in a moment`,
        };
      stored = current;
    }
  } else if (!result.created && isCancelStatus(result.existing.status)) {
    return {
      outcome: 'conflict',
      message: `order ${orderKeyString(record)} is being cancelled at SendCloud (${result.existing.status}); post it again once it is cancelled`,
    };
  } else if (!result.created && result.existing.bodyHash !== record.bodyHash) {
    return {
      outcome: 'conflict',
      message: `order ${orderKeyString(record)} was already accepted with different content; use a new orderId for a new order`,
    };
  }
  await dispatch(stored, deps, options.deferQueueing === true);
  // The same answer every time: what the order was accepted as, whatever it has become since.
  const acceptedAs = order.dispatch === 'end_of_day' ? 'ready' : 'accepted';
  return {
    outcome: 'accepted',
    body: acceptedBody({ ...stored, status: acceptedAs }),
    created,
  };
}

/**
 * `POST /orders/{orderId}/retry`: a failed order ships again with the content it was accepted with, as its
 * next generation (its own SendCloud reference) — for failures that were passing (a carrier down, every
 * method unavailable for a day). 409 for an order that did not fail, or whose personal data has expired.
 */
export async function retryOrder(
  orderId: string,
  channel: string | undefined,
  deps: AcceptDeps,
): Promise<AcceptedBody> {
  const order = await findOrder(deps.store, orderId, channel);
  if (order.isReturn) throw new HttpError(404, 'ORDER_NOT_FOUND', `No order ${orderId}.`);
  if (order.status !== 'failed')
    throw new HttpError(
      409,
      'ORDER_NOT_FAILED',
      `Order ${orderId} is ${order.status}; only a failed order can be retried.`,
    );
  const personal = await deps.store.getRecipient(order);
  if (!personal)
    throw new HttpError(
      409,
      'RECIPIENT_EXPIRED',
      `Order ${orderId} no longer has its address (retention period passed); post the order again with its content.`,
    );
  const now = deps.clock().toISOString();
  const again: OrderRecord = {
    channel: order.channel,
    orderId: order.orderId,
    account: order.account,
    status: 'accepted',
    bodyHash: order.bodyHash,
    spec: order.spec,
    attempt: 0,
    events: {},
    createdAt: now,
    updatedAt: now,
  };
  const next = nextGeneration(order, again, now);
  if (!(await deps.store.reopen(next, { status: 'failed', generation: order.generation ?? 1 }, personal)))
    throw new HttpError(409, 'ORDER_BUSY', `Order ${orderId} changed meanwhile; read it and try again.`);
  await dispatch(next, deps, false);
  return acceptedBody({ ...next, status: 'accepted' });
}

/** Queues the order (end-of-day orders wait for their batch) and publishes `Order Accepted`, each once. */
async function dispatch(stored: OrderRecord, deps: AcceptDeps, deferQueueing: boolean): Promise<void> {
  // End-of-day orders wait for their batch; the rest go to a worker now.
  if (!stored.enqueuedAt && !deferQueueing && stored.status !== 'ready') {
    await deps.queue.send([{ kind: 'order', channel: stored.channel, orderId: stored.orderId }]);
    await deps.store.update(stored, { enqueuedAt: deps.clock().toISOString() });
  }
  if (stored.events?.['Order Accepted']?.state !== 'sent') {
    await emitOnce(
      stored,
      'Order Accepted',
      {
        orderId: stored.orderId,
        channel: stored.channel,
        account: stored.account,
        toCountry: stored.spec.toCountry,
        serviceLevel: stored.spec.serviceLevel,
        deliveryType: stored.spec.delivery.type,
        acceptedAt: stored.createdAt,
      },
      deps,
    );
  }
}

/**
 * A posted order replaces the one stored under its id when that one ended without a live shipment: it was
 * cancelled (any content: shipping a cancelled order again is what posting it again means), or it failed and
 * comes corrected (the same content again is a repeat and gets the first answer).
 */
function shipsAnew(existing: OrderRecord, posted: OrderRecord): boolean {
  if (existing.isReturn) return false;
  // A queued cancel is done once tracking shows it cancelled (the order's status stays as it was asked).
  const cancelled =
    existing.status === 'cancelled' ||
    (existing.status === 'cancellation_requested' && existing.tracking?.status === 'cancelled');
  return cancelled || (existing.status === 'failed' && existing.bodyHash !== posted.bodyHash);
}

/** Earlier generations kept on the order, newest last. */
const MAX_PREVIOUS = 10;

function nextGeneration(existing: OrderRecord, posted: OrderRecord, now: string): OrderRecord {
  const generation = (existing.generation ?? 1) + 1;
  const ended: PreviousGeneration = {
    generation: existing.generation ?? 1,
    status: existing.status === 'cancellation_requested' ? 'cancelled' : existing.status,
    parcelId: existing.parcel?.id ?? null,
    trackingNumber: existing.parcel?.trackingNumber || null,
    failure: existing.failure ? { code: existing.failure.code, reason: existing.failure.reason } : null,
    cancelledAt: existing.cancellation?.at ?? null,
    createdAt: existing.createdAt,
    endedAt: existing.updatedAt,
  };
  return {
    ...posted,
    attempt: existing.attempt,
    firstAttempt: existing.attempt + 1,
    generation,
    previous: [...(existing.previous ?? []), ended].slice(-MAX_PREVIOUS),
    ...(existing.returnIds ? { returnIds: existing.returnIds } : {}),
    createdAt: now,
    updatedAt: now,
  };
}
