/**
 * The status vocabulary subscribers rely on, mapped from every SendCloud parcel status id
 * (REFERENCE.md §5, the real `GET /parcels/statuses` answer). Ids SendCloud adds later map to `unknown`.
 */
export const NORMALIZED_STATUSES = [
  'pending',
  'announced',
  'in_transit',
  'out_for_delivery',
  'awaiting_pickup',
  'delivered',
  'delivery_failed',
  'returned_to_sender',
  'cancellation_requested',
  'cancelled',
  'exception',
  'unknown',
] as const;
export type NormalizedStatus = (typeof NORMALIZED_STATUSES)[number];

const MAP: Readonly<Record<number, NormalizedStatus>> = {
  999: 'pending', // No label
  1001: 'pending', // Being announced
  1000: 'announced', // Ready to send
  1: 'announced', // Announced
  13: 'announced', // Announced: not collected
  22: 'in_transit', // Shipment picked up by driver
  3: 'in_transit', // En route to sorting center
  4: 'in_transit', // Delivery delayed
  5: 'in_transit', // Sorted
  6: 'in_transit', // Not sorted
  7: 'in_transit', // Being sorted
  91: 'in_transit', // Parcel en route
  62989: 'in_transit', // At Customs
  62990: 'in_transit', // At sorting centre
  62993: 'in_transit', // Delivery method changed
  62994: 'in_transit', // Delivery date changed
  62995: 'in_transit', // Delivery address changed
  92: 'out_for_delivery', // Driver en route
  12: 'awaiting_pickup', // Awaiting customer pickup
  11: 'delivered', // Delivered
  93: 'delivered', // Shipment collected by customer
  8: 'delivery_failed', // Delivery attempt failed
  80: 'delivery_failed', // Unable to deliver
  62991: 'delivery_failed', // Refused by recipient
  62997: 'delivery_failed', // Address invalid
  62992: 'returned_to_sender', // Returned to sender
  1999: 'cancellation_requested', // Cancellation requested
  2001: 'cancellation_requested', // Submitting cancellation request
  2000: 'cancelled', // Cancelled
  1998: 'cancelled', // Cancelled upstream
  1002: 'exception', // Announcement failed
  15: 'exception', // Error collecting
  94: 'exception', // Parcel cancellation failed.
  62996: 'exception', // Exception
  1337: 'unknown', // Unknown status - check carrier track & trace page
};

export function normalizeStatus(sendcloudStatusId: number): NormalizedStatus {
  return MAP[sendcloudStatusId] ?? 'unknown';
}

/** Statuses after which nothing is expected to happen. */
export const FINAL_STATUSES: ReadonlySet<NormalizedStatus> = new Set([
  'delivered',
  'returned_to_sender',
  'cancelled',
]);

/** A carrier has touched the parcel: anything beyond "label made". */
export const hasCarrierScan = (status: NormalizedStatus): boolean =>
  !['pending', 'announced', 'unknown'].includes(status);

export const mappedStatusIds = (): number[] => Object.keys(MAP).map(Number);
