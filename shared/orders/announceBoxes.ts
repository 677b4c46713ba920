import type { RoutingDecision } from '../routing';
import {
  type AnnounceOutcome,
  type CancelOutcome,
  combineCancelOutcomes,
  type MethodRef,
  type SendcloudPort,
  type ShipmentDraft,
} from '../sendcloud/port';
import type { OrderStore, TrackingStore } from '../store';
import { boxReference, findBoxes, recordBox } from './announcement';
import type { Collo, OrderParcel, OrderRecord } from './Order';

/**
 * Announcing an order of several boxes that routing ships one shipment per box (`routing.shipments:
 * per_parcel`): box by box, in box order, each under its own derived reference (`boxReference`) and recorded
 * as soon as SendCloud announced it, so a crash or a lost answer between boxes is found again by reference —
 * no box is announced twice and none is lost.
 *
 * A carrier refusal of box k: the boxes already announced keep their labels (they are valid, and a warehouse
 * may already be printing them); box k and the ones after it fall back to the next method, like a refused
 * single parcel. Only when nothing is left for a box does the order fail — and then the boxes already
 * announced are cancelled at SendCloud (`abandonBoxes`), so a failed order leaves no billed label behind.
 */

export interface BoxDeps {
  readonly store: Pick<OrderStore, 'update'>;
  readonly tracking: Pick<TrackingStore, 'linkParcel'>;
  readonly clock: () => Date;
}

export type BoxesOutcome =
  /** Every box is recorded: the order is `announced`. */
  | { readonly outcome: 'announced'; readonly order: OrderRecord }
  /** The carrier refused `box` with this method: fall back (the order as recorded so far). */
  | {
      readonly outcome: 'carrier_refused';
      readonly order: OrderRecord;
      readonly box: number;
      readonly method: MethodRef;
      readonly reason: string;
    }
  /** SendCloud refused the data of `box`: the order fails. */
  | {
      readonly outcome: 'rejected';
      readonly order: OrderRecord;
      readonly box: number;
      readonly reason: string;
    };

/** The boxes (1-based) of an order that its record does not hold a parcel for yet. */
export const unrecordedBoxes = (order: OrderRecord): number[] => {
  const recorded = new Set((order.parcels ?? []).map((p) => p.colloNumber));
  return (order.spec.colli ?? []).map((_, i) => i + 1).filter((box) => !recorded.has(box));
};

/**
 * Announces every box not recorded yet with the decision's method; stops at the first box the carrier or
 * SendCloud refuses. Undefined when the fence was lost (another worker holds the order).
 */
export async function announceBoxes(
  order: OrderRecord,
  plan: {
    readonly port: Pick<SendcloudPort, 'announce' | 'version'>;
    readonly decision: RoutingDecision;
    /** The draft of one box under its reference, by the decision's method. */
    readonly draft: (box: number, reference: string) => ShipmentDraft;
    readonly fence: { readonly attempt: number };
  },
  deps: BoxDeps,
): Promise<BoxesOutcome | undefined> {
  const method = plan.decision.choice?.method;
  if (!method) throw new RangeError('announceBoxes needs a decision with a choice');
  const refusals = Object.keys(order.refusedMethods ?? {}).length;
  let current = order;
  for (const box of unrecordedBoxes(order)) {
    const reference = boxReference(order, plan.port.version, refusals, box);
    const outcome: AnnounceOutcome = await plan.port.announce(plan.draft(box, reference));
    switch (outcome.outcome) {
      case 'announced': {
        const recorded = await recordBox(
          current,
          outcome.shipment,
          box,
          plan.decision,
          deps,
          plan.fence,
          plan.port.version,
        );
        if (!recorded) return undefined;
        current = recorded;
        break;
      }
      case 'carrier_refused':
        return { outcome: 'carrier_refused', order: current, box, method, reason: outcome.reason };
      case 'rejected':
        return { outcome: 'rejected', order: current, box, reason: outcome.reason };
    }
  }
  return { outcome: 'announced', order: current };
}

/**
 * The boxes of an order shipped one by one that SendCloud holds but the record does not (a crash or a lost
 * answer after SendCloud announced them): recorded now; a box the carrier refused has its method marked
 * refused. Returns the order as recorded (`announced` once every box is), or undefined if fenced out.
 */
export async function reconcileBoxes(
  order: OrderRecord,
  port: Pick<SendcloudPort, 'find' | 'version'>,
  refused: Map<MethodRef, string>,
  deps: BoxDeps,
): Promise<OrderRecord | undefined> {
  const fence = { attempt: order.attempt };
  const count = order.spec.colli?.length ?? 1;
  let current: OrderRecord | undefined = order;
  for (const [box, shipment] of [...(await findBoxes(order, port, unrecordedBoxes(order)))].sort(
    ([a], [b]) => a - b,
  )) {
    if (!current) return undefined;
    if (shipment.state === 'announced' || shipment.state === 'cancelled')
      current = await recordBox(current, shipment, box, current.routing ?? null, deps, fence, port.version);
    else if (shipment.state === 'refused' && shipment.method && !refused.has(shipment.method)) {
      refused.set(shipment.method, `box ${box} of ${count}: ${shipment.refusal ?? 'refused by the carrier'}`);
      const refusedMethods = Object.fromEntries(refused);
      current = (await deps.store.update(current, { refusedMethods }, fence))
        ? { ...current, refusedMethods }
        : undefined;
    }
  }
  return current;
}

/**
 * One box's draft from the order's: that box's weight and size, no colli. The order's items travel with box 1
 * only, as with a multicollo shipment's first collo: they describe the order, not a box (its value, order
 * number and insurance per parcel go with every box).
 */
export function boxDraft(draft: ShipmentDraft, box: number, collo: Collo | undefined): ShipmentDraft {
  const { colli: _colli, dimensionsCm: _size, items, ...rest } = draft;
  return {
    ...rest,
    weightGrams: collo?.weightGrams ?? draft.weightGrams,
    ...(collo?.dimensionsCm ? { dimensionsCm: collo.dimensionsCm } : {}),
    ...(box === 1 && items ? { items } : {}),
  };
}

/** The recorded parcels of an order grouped by shipment (one external reference each), box 1 first. */
export function shipmentsOf(parcels: readonly OrderParcel[]): OrderParcel[][] {
  const groups = new Map<string, OrderParcel[]>();
  for (const parcel of parcels) {
    const group = groups.get(parcel.externalReference) ?? [];
    group.push(parcel);
    groups.set(parcel.externalReference, group);
  }
  return [...groups.values()];
}

/** Cancels each of these shipments at SendCloud; one outcome for them all (`combineCancelOutcomes`). */
export async function cancelShipments(
  parcels: readonly OrderParcel[],
  port: Pick<SendcloudPort, 'cancel'>,
  isReturn = false,
): Promise<CancelOutcome> {
  const outcomes: CancelOutcome[] = [];
  for (const group of shipmentsOf(parcels)) {
    const first = group[0];
    if (!first) continue;
    outcomes.push(
      await port.cancel({
        id: first.shipmentId ?? String(first.id),
        parcelIds: group.map((p) => p.id),
        isReturn,
      }),
    );
  }
  return combineCancelOutcomes(outcomes);
}

/**
 * Before an order of boxes shipped one by one fails: the boxes already announced are cancelled, so no label
 * of a failed order is billed. The failure is written first (the order stays `creating`), so a worker that
 * crashes here resumes the cancel rather than announcing the rest. Every cancel may be repeated (SendCloud
 * then answers "already cancelled"). Returns what to add to the failure's reason, or undefined if fenced out.
 */
export async function abandonBoxes(
  order: OrderRecord,
  failure: { readonly code: string; readonly reason: string },
  port: Pick<SendcloudPort, 'cancel'>,
  deps: BoxDeps,
): Promise<string | undefined> {
  const parcels = order.parcels ?? [];
  if (parcels.length === 0) return '';
  const at = deps.clock().toISOString();
  if (
    !order.failure &&
    !(await deps.store.update(
      order,
      { failure: { ...failure, at }, updatedAt: at },
      { attempt: order.attempt },
    ))
  )
    return undefined;
  const result = await cancelShipments(parcels, port);
  const boxes = parcels.map((p) => p.colloNumber ?? 1).join(', ');
  const what = parcels.length === 1 ? `box ${boxes}` : `boxes ${boxes}`;
  switch (result.outcome) {
    case 'cancelled':
    case 'already_cancelled':
    case 'not_found':
      return `; ${what}, already announced, cancelled at SendCloud`;
    case 'requested':
      return `; SendCloud was asked to cancel ${what}, already announced (${result.message})`;
    case 'too_late':
      return `; ${what}, already announced, could NOT be cancelled at SendCloud (${result.message}): cancel ${parcels.length === 1 ? 'it' : 'them'} in SendCloud`;
  }
}
