import type { SimAccount } from '../accounts';
import { announce, failAnnouncement, type SimParcel } from '../parcels';
import type { Simulator } from '../Simulator';
import { ANNOUNCEMENT_FAILED, BEING_ANNOUNCED, READY_TO_SEND } from '../statuses';
import { errorObject } from './errors';
import type { ShipmentRecord, V3Store } from './store';

/**
 * The carrier's answer to an order's label request arrives later: the shipment's parcels stay `ANNOUNCING`
 * (no tracking number or label in v3) until `asyncAnnounceMs` has passed on the simulator's clock, then
 * become "Ready to send" — or "Announcement failed" with the carrier's message in the shipment's `errors[]`
 * when the request met a `carrier_reject` fault. Due answers are applied before every request the server
 * handles (and by a sweep), so a client that polls sees the change as soon as the clock allows; a timeline
 * step (`/__sim/tick`, `/__sim/parcels/{id}/advance`) applies one at once. Each change is a status webhook.
 */
interface Parties {
  readonly sim: Simulator;
  readonly store: V3Store;
}

export function queueAnnouncement(
  { sim, store }: Parties,
  shipment: {
    readonly account: SimAccount;
    readonly record: ShipmentRecord;
    readonly refusal: string | null;
  },
): void {
  const now = sim.now();
  const dueAt = now.getTime() + shipment.account.asyncAnnounceMs;
  for (const parcelId of shipment.record.parcelIds) {
    const parcel = sim.parcels.get(parcelId);
    if (!parcel) continue;
    announce(parcel, now, { async: true });
    store.announcing.set(parcelId, {
      parcelId,
      shipmentId: shipment.record.id,
      dueAt,
      refusal: shipment.refusal,
    });
  }
}

/** Applies the carrier's answer for this parcel if one is held; false when none is (an ordinary async parcel). */
export function settleAnnouncement({ sim, store }: Parties, parcel: SimParcel): boolean {
  const pending = store.announcing.get(parcel.id);
  if (!pending) return false;
  store.announcing.delete(parcel.id);
  // Cancelled (or moved by hand) while it waited: the answer has nothing left to change.
  if (parcel.status.id !== BEING_ANNOUNCED) return true;
  if (pending.refusal === null) {
    sim.setStatus(parcel, READY_TO_SEND);
    return true;
  }
  failAnnouncement(parcel, sim.now(), pending.refusal);
  sim.setStatus(parcel, ANNOUNCEMENT_FAILED);
  const record = store.shipments.get(pending.shipmentId);
  if (record) record.errors = [errorObject(500, 'parcel_announcement_error', pending.refusal)];
  return true;
}

/** Every answer whose time has come on the simulator's clock. */
export function settleDue(parties: Parties): void {
  if (parties.store.announcing.size === 0) return;
  const now = parties.sim.now().getTime();
  for (const pending of [...parties.store.announcing.values()]) {
    if (pending.dueAt > now) continue;
    const parcel = parties.sim.parcels.get(pending.parcelId);
    if (parcel) settleAnnouncement(parties, parcel);
    else parties.store.announcing.delete(pending.parcelId);
  }
}
