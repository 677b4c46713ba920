import { FINAL_STATUSES, type NormalizedStatus } from './normalizedStatus';

/**
 * Where a parcel can still go once it is delivered, cancelled or returned to sender — only the moves SendCloud
 * really makes (REFERENCE.md §5). Everything else after a final status — back to `announced` (Ready to send),
 * `in_transit`, `out_for_delivery`, `exception`, `unknown` — is refused, however late it is stamped.
 *
 * - delivered → delivered: 11 Delivered and 93 Shipment collected by customer both end a delivery, and a
 *   service-point delivery can report one after the other.
 * - delivered → returned_to_sender: 62992, when the carrier takes a delivered parcel back (refused at the
 *   door, wrong address found after the scan). SendCloud has no "return in transit" status on the outbound
 *   parcel: a customer's return is a new parcel with its own id, tracked as its own (return) order.
 * - cancelled → cancelled: 2000 Cancelled and 1998 Cancelled upstream are the same end; nothing is
 *   un-cancelled (cancelling again answers 400, §2.7).
 * - returned_to_sender → returned_to_sender: the parcel is back with the shop; sending it again is a new parcel.
 */
export const TERMINAL_EXITS: Readonly<Partial<Record<NormalizedStatus, ReadonlySet<NormalizedStatus>>>> = {
  delivered: new Set(['delivered', 'returned_to_sender']),
  cancelled: new Set(['cancelled']),
  returned_to_sender: new Set(['returned_to_sender']),
};

/**
 * True when a newer `to` may replace the current `from`. Statuses that are not final may go anywhere (their
 * order is the timestamps' business); a final status without listed exits allows none.
 */
export function canMoveOn(from: NormalizedStatus, to: NormalizedStatus): boolean {
  const exits = TERMINAL_EXITS[from];
  return exits ? exits.has(to) : !FINAL_STATUSES.has(from);
}
