/** The real `GET /parcels/statuses` answer (recorded 2024-01-23, REFERENCE.md §5). */
export const STATUSES: ReadonlyArray<{ readonly id: number; readonly message: string }> = [
  { id: 1, message: 'Announced' },
  { id: 3, message: 'En route to sorting center' },
  { id: 4, message: 'Delivery delayed' },
  { id: 5, message: 'Sorted' },
  { id: 6, message: 'Not sorted' },
  { id: 7, message: 'Being sorted' },
  { id: 8, message: 'Delivery attempt failed' },
  { id: 11, message: 'Delivered' },
  { id: 12, message: 'Awaiting customer pickup' },
  { id: 13, message: 'Announced: not collected' },
  { id: 15, message: 'Error collecting' },
  { id: 22, message: 'Shipment picked up by driver' },
  { id: 80, message: 'Unable to deliver' },
  { id: 91, message: 'Parcel en route' },
  { id: 92, message: 'Driver en route' },
  { id: 93, message: 'Shipment collected by customer' },
  { id: 94, message: 'Parcel cancellation failed.' },
  { id: 999, message: 'No label' },
  { id: 1000, message: 'Ready to send' },
  { id: 1001, message: 'Being announced' },
  { id: 1002, message: 'Announcement failed' },
  { id: 1337, message: 'Unknown status - check carrier track & trace page for more insights' },
  { id: 1998, message: 'Cancelled upstream' },
  { id: 1999, message: 'Cancellation requested' },
  { id: 2000, message: 'Cancelled' },
  { id: 2001, message: 'Submitting cancellation request' },
  { id: 62989, message: 'At Customs' },
  { id: 62990, message: 'At sorting centre' },
  { id: 62991, message: 'Refused by recipient' },
  { id: 62992, message: 'Returned to sender' },
  { id: 62993, message: 'Delivery method changed' },
  { id: 62994, message: 'Delivery date changed' },
  { id: 62995, message: 'Delivery address changed' },
  { id: 62996, message: 'Exception' },
  { id: 62997, message: 'Address invalid' },
];

export function status(id: number): { id: number; message: string } {
  return (
    STATUSES.find((s) => s.id === id) ?? {
      id,
      message: 'Unknown status - check carrier track & trace page for more insights',
    }
  );
}

export const NO_LABEL = 999;
export const READY_TO_SEND = 1000;
export const BEING_ANNOUNCED = 1001;
export const ANNOUNCEMENT_FAILED = 1002;
export const CANCELLED = 2000;
export const CANCELLATION_REQUESTED = 1999;
export const DELIVERED = 11;
export const COLLECTED = 93;

/** What carriers report after "Ready to send", in order (home delivery, then service point, then returns). */
export const TIMELINES = {
  home: [22, 3, 7, 5, 91, 92, 11],
  servicePoint: [22, 3, 7, 5, 91, 12, 93],
  return: [22, 3, 5, 91, 11],
} as const;

export const isFinal = (id: number): boolean => [DELIVERED, COLLECTED, CANCELLED, 1998, 62992].includes(id);
