import type { EventPublisher } from '../events';
import { parcelRef } from '../orders/eventRefs';
import { type OrderParcel, type OrderRecord, parcelsOf, type TrackingState } from '../orders/Order';
import type { OrderStore, TrackingStore } from '../store';
import { normalizeStatus } from './normalizedStatus';
import {
  type Implausibility,
  implausibility,
  PLAUSIBILITY_DEFAULTS,
  type PlausibilityWindows,
} from './plausibility';

/** One sighting of a parcel's status, from a webhook or a poll. */
export interface StatusObservation {
  /**
   * The account that vouches for it: whose secret verified the webhook, or whose keys the poll used. Parcel
   * ids are SendCloud-wide and sequential, so the id alone says nothing about whose parcel it is.
   */
  readonly account: string;
  readonly parcelId: number;
  readonly externalReference: string | null;
  readonly statusId: number;
  readonly message: string;
  /** The parcel's `date_updated` (UTC): the same change seen by a webhook and a poll shares it. */
  readonly observedAt: string;
  /** Ordering: the webhook's millisecond `timestamp`, or `observedAt` for polls. */
  readonly ts: number;
  readonly carrierTimestamp: number | null;
  readonly source: 'webhook' | 'poll';
}

export type ApplyResult =
  | { readonly outcome: 'applied' | 'stale' | 'duplicate' | 'unknown_parcel' }
  /** In history, marked; never the current status, no event. */
  | { readonly outcome: 'implausible'; readonly implausible: Implausibility }
  /** Another account's parcel: nothing written. `owner` is for our logs only, never for the caller. */
  | { readonly outcome: 'account_mismatch'; readonly owner: string };
export type ApplyOutcome = ApplyResult['outcome'];

export interface ApplyDeps {
  readonly store: Pick<OrderStore, 'get' | 'beginEmit' | 'endEmit'>;
  readonly tracking: Pick<TrackingStore, 'pointer' | 'addHistory' | 'applyCurrent'>;
  readonly events: EventPublisher;
  readonly clock: () => Date;
  /** From `plausibilityWindows()` (merged and checked once, at cold start); default PLAUSIBILITY_DEFAULTS. */
  readonly windows?: PlausibilityWindows;
}

/**
 * The one path every status takes. Only the owning account's sightings count. The history write is
 * conditional (a repeat of the same sighting — a duplicate delivery, or the poller seeing what a webhook
 * brought — changes nothing); an implausible sighting (see `implausibility`) stays in history; the current
 * status only moves forward in time (an older status lands in history, never on top); exactly one
 * `Parcel Status Changed` per applied change, re-attempted if a crash came between applying and publishing.
 */
export async function applyStatus(observation: StatusObservation, deps: ApplyDeps): Promise<ApplyResult> {
  const order = await findOrder(observation, deps);
  // A parcel of an earlier generation (the order was cancelled or failed, then shipped anew) moves nothing.
  const parcel = order ? parcelsOf(order).find((p) => p.id === observation.parcelId) : undefined;
  if (!order || !parcel) return { outcome: 'unknown_parcel' };
  if (order.account !== observation.account) return { outcome: 'account_mismatch', owner: order.account };
  // A later collo of a multicollo shipment keeps its own current status; the order follows collo 1.
  const collo = parcel.id === order.parcel?.id ? undefined : parcel;
  const current = collo ? order.colliTracking?.[String(collo.id)] : order.tracking;
  const now = deps.clock();
  const receivedAt = now.toISOString();
  const status = normalizeStatus(observation.statusId);
  const implausible = implausibility(
    { ts: observation.ts, source: observation.source, status },
    {
      createdAt: order.createdAt,
      current,
      now,
      windows: deps.windows ?? PLAUSIBILITY_DEFAULTS,
    },
  );
  const state: TrackingState = {
    statusId: observation.statusId,
    message: observation.message,
    status,
    ts: observation.ts,
    observedAt: observation.observedAt,
    source: observation.source,
    receivedAt,
    previousStatus: current?.status ?? null,
  };
  const isNew = await deps.tracking.addHistory(observation.parcelId, {
    statusId: state.statusId,
    message: state.message,
    status: state.status,
    observedAt: state.observedAt,
    ts: state.ts,
    carrierTimestamp: observation.carrierTimestamp,
    source: state.source,
    receivedAt,
    ...(implausible ? { implausible } : {}),
  });
  if (!isNew) {
    // Applied before, but maybe the event was not published (crash in between): finish that, once.
    if (current && current.statusId === state.statusId && current.ts === state.ts)
      await publish(order, current, deps, collo);
    return { outcome: 'duplicate' };
  }
  if (implausible) return { outcome: 'implausible', implausible };
  const result = await deps.tracking.applyCurrent(order, state, collo?.id);
  if (!result.applied) return { outcome: 'stale' };
  await publish(order, state, deps, collo);
  return { outcome: 'applied' };
}

async function findOrder(observation: StatusObservation, deps: ApplyDeps): Promise<OrderRecord | undefined> {
  const pointer = await deps.tracking.pointer(observation.parcelId);
  if (pointer) return deps.store.get(pointer);
  // Parcels created before pointers existed: our external reference is "<channel>:<orderId>".
  const match = /^([a-z0-9_-]+):(.+?)(?:#\d+)?(?:~\d+)?$/.exec(observation.externalReference ?? '');
  if (!match?.[1] || !match[2]) return undefined;
  const order = await deps.store.get({ channel: match[1], orderId: match[2] });
  return order && parcelsOf(order).some((p) => p.id === observation.parcelId) ? order : undefined;
}

async function publish(
  order: OrderRecord,
  state: TrackingState,
  deps: ApplyDeps,
  collo?: OrderParcel,
): Promise<void> {
  const ref = parcelRef(order, {}, collo);
  if (!ref) return;
  // A later collo's events are told apart by its parcel id (collo 1 keeps the name it always had).
  const eventName = `Parcel Status Changed#${collo ? `${collo.id}#` : ''}${state.statusId}#${state.ts}`;
  if (order.events?.[eventName]?.state === 'sent') return;
  if (!(await deps.store.beginEmit(order, eventName, { now: deps.clock(), leaseMs: 60_000 }))) return;
  try {
    await deps.events.publish('Parcel Status Changed', {
      ...ref,
      isReturn: order.isReturn === true,
      previousStatus: state.previousStatus ?? null,
      status: state.status,
      sendcloudStatus: { id: state.statusId, message: state.message },
      source: state.source,
      occurredAt: new Date(state.ts).toISOString(),
    });
  } catch (error) {
    await deps.store.endEmit(order, eventName, { now: deps.clock(), published: false });
    throw error;
  }
  await deps.store.endEmit(order, eventName, { now: deps.clock(), published: true });
}
