import { STATUSES } from '../statuses';

/**
 * v2 status ids ↔ v3 status codes, one table for the whole simulator. The codes are the slugs of the v3
 * returns filter `parent_parcel_status` in upper snake case (REFERENCE.md §5; the pairing by meaning is
 * inferred there, not documented). 94 has no slug anywhere: `CANCELLATION_FAILED` is our own reading of
 * its message.
 */
const CODES: Readonly<Record<number, string>> = {
  1: 'ANNOUNCED',
  3: 'TO_SORTING',
  4: 'DELAYED',
  5: 'SORTED',
  6: 'UNSORTED',
  7: 'SORTING',
  8: 'DELIVERY_FAILED',
  11: 'DELIVERED',
  12: 'AWAITING_CUSTOMER_PICKUP',
  13: 'ANNOUNCED_UNCOLLECTED',
  15: 'COLLECT_ERROR',
  22: 'PICKED_UP_BY_DRIVER',
  80: 'UNDELIVERABLE',
  91: 'SHIPMENT_ON_ROUTE',
  92: 'DRIVER_ON_ROUTE',
  93: 'COLLECTED_BY_CUSTOMER',
  94: 'CANCELLATION_FAILED',
  999: 'NO_LABEL',
  1000: 'READY_TO_SEND',
  1001: 'ANNOUNCING',
  1002: 'ANNOUNCEMENT_FAILED',
  1337: 'UNKNOWN',
  1998: 'CANCELLED_UPSTREAM',
  1999: 'CANCELLING',
  2000: 'CANCELLED',
  2001: 'CANCELLING_UPSTREAM',
  62989: 'AT_CUSTOMS',
  62990: 'AT_SORTING_CENTRE',
  62991: 'REFUSED_BY_RECIPIENT',
  62992: 'RETURNED_TO_SENDER',
  62993: 'DELIVERY_METHOD_CHANGED',
  62994: 'DELIVERY_DATE_CHANGED',
  62995: 'DELIVERY_ADDRESS_CHANGED',
  62996: 'EXCEPTION',
  62997: 'ADDRESS_INVALID',
};

export const v3Code = (id: number): string => CODES[id] ?? 'UNKNOWN';

/** A parcel's status as v3 renders it: `{code, message}`, the message being v2's. */
export const v3Status = (status: { readonly id: number; readonly message: string }) => ({
  code: v3Code(status.id),
  message: status.message,
});

/** `READY_TO_SEND` → `ready-to-send`, the form the returns filter takes. */
export const slugOf = (code: string): string => code.toLowerCase().replaceAll('_', '-');

/** `GET /parcels/statuses`: every status the simulator can report. */
export const V3_STATUSES = STATUSES.map(v3Status);

/** A v3 code, a slug or a v2 id (as `GET /shipments?parcel_status=` accepts) → the v2 id, if known. */
export function statusIdOf(value: string): number | undefined {
  if (/^\d+$/.test(value)) return CODES[Number(value)] ? Number(value) : undefined;
  const code = value.toUpperCase().replaceAll('-', '_');
  const found = Object.entries(CODES).find(([, c]) => c === code);
  return found ? Number(found[0]) : undefined;
}
