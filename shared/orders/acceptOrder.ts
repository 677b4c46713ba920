import type { EventPublisher } from '../events';
import type { OrderStore } from '../store';
import { canonicalJson, sha256 } from './canonical';
import { emitOnce } from './emitOnce';
import { isCancelStatus, type OrderKey, type OrderRecord, type OrderSpec, orderKeyString } from './Order';
import type { OrderQueue } from './OrderQueue';
import type { OrderRequest } from './OrderRequest';

export interface AcceptDeps {
  readonly store: OrderStore;
  readonly queue: OrderQueue;
  readonly events: EventPublisher;
  readonly clock: () => Date;
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

/** What routing and the worker need from an order — everything but personal data. */
export function orderSpecOf(order: OrderRequest): OrderSpec {
  return {
    toCountry: order.recipient.country,
    weightGrams: order.parcel.weightGrams,
    ...(order.parcel.lengthCm && order.parcel.widthCm && order.parcel.heightCm
      ? {
          dimensionsCm: {
            length: order.parcel.lengthCm,
            width: order.parcel.widthCm,
            height: order.parcel.heightCm,
          },
        }
      : {}),
    serviceLevel: order.serviceLevel,
    orderValue: order.orderValue,
    delivery: order.delivery,
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
    spec: orderSpecOf(order),
    attempt: 0,
    events: {},
    createdAt: now,
    updatedAt: now,
  };
  const result = await deps.store.create(record, { recipient: order.recipient, items: order.items });
  const stored = result.created ? result.order : result.existing;
  // Shipping a cancelled order anew under the same id is not supported (yet): say so rather than a 202 that does nothing.
  if (!result.created && isCancelStatus(result.existing.status)) {
    return {
      outcome: 'conflict',
      message: `order ${orderKeyString(record)} was cancelled (${result.existing.status}); use a new orderId to ship it again`,
    };
  }
  if (!result.created && result.existing.bodyHash !== record.bodyHash) {
    return {
      outcome: 'conflict',
      message: `order ${orderKeyString(record)} was already accepted with different content; use a new orderId for a new order`,
    };
  }
  // End-of-day orders wait for their batch; the rest go to a worker now.
  if (!stored.enqueuedAt && !options.deferQueueing && stored.status !== 'ready') {
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
  // The same answer every time: what the order was accepted as, whatever it has become since.
  const acceptedAs = order.dispatch === 'end_of_day' ? 'ready' : 'accepted';
  return {
    outcome: 'accepted',
    body: acceptedBody({ ...stored, status: acceptedAs }),
    created: result.created,
  };
}
