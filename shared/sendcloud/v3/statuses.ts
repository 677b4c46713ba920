import type { Shipment, StatusObservation } from '../port';

/**
 * One table for both status vocabularies: the v2 id (which integration webhooks keep sending for v3
 * accounts), the v3 code and SendCloud's message. Ids and messages are the real `GET /api/v2/parcels/statuses`
 * list (REFERENCE.md §5); the codes are the v3 slugs in upper snake case — inferred by meaning, only
 * READY_TO_SEND, ANNOUNCING, ANNOUNCEMENT_FAILED, ANNOUNCED and CANCELLED appear in the v3 documents.
 */
const TABLE: ReadonlyArray<readonly [id: number, code: string | null, message: string]> = [
  [1, 'ANNOUNCED', 'Announced'],
  [3, 'TO_SORTING', 'En route to sorting center'],
  [4, 'DELAYED', 'Delivery delayed'],
  [5, 'SORTED', 'Sorted'],
  [6, 'UNSORTED', 'Not sorted'],
  [7, 'SORTING', 'Being sorted'],
  [8, 'DELIVERY_FAILED', 'Delivery attempt failed'],
  [11, 'DELIVERED', 'Delivered'],
  [12, 'AWAITING_CUSTOMER_PICKUP', 'Awaiting customer pickup'],
  [13, 'ANNOUNCED_UNCOLLECTED', 'Announced: not collected'],
  [15, 'COLLECT_ERROR', 'Error collecting'],
  [22, 'PICKED_UP_BY_DRIVER', 'Shipment picked up by driver'],
  [80, 'UNDELIVERABLE', 'Unable to deliver'],
  [91, 'SHIPMENT_ON_ROUTE', 'Parcel en route'],
  [92, 'DRIVER_ON_ROUTE', 'Driver en route'],
  [93, 'COLLECTED_BY_CUSTOMER', 'Shipment collected by customer'],
  // No v3 code is known for 94: it reads as UNKNOWN in v3 terms.
  [94, null, 'Parcel cancellation failed.'],
  [999, 'NO_LABEL', 'No label'],
  [1000, 'READY_TO_SEND', 'Ready to send'],
  [1001, 'ANNOUNCING', 'Being announced'],
  [1002, 'ANNOUNCEMENT_FAILED', 'Announcement failed'],
  [1337, 'UNKNOWN', 'Unknown status - check carrier track & trace page for more insights'],
  [1998, 'CANCELLED_UPSTREAM', 'Cancelled upstream'],
  [1999, 'CANCELLING', 'Cancellation requested'],
  [2000, 'CANCELLED', 'Cancelled'],
  [2001, 'CANCELLING_UPSTREAM', 'Submitting cancellation request'],
  [62989, 'AT_CUSTOMS', 'At Customs'],
  [62990, 'AT_SORTING_CENTRE', 'At sorting centre'],
  [62991, 'REFUSED_BY_RECIPIENT', 'Refused by recipient'],
  [62992, 'RETURNED_TO_SENDER', 'Returned to sender'],
  [62993, 'DELIVERY_METHOD_CHANGED', 'Delivery method changed'],
  [62994, 'DELIVERY_DATE_CHANGED', 'Delivery date changed'],
  [62995, 'DELIVERY_ADDRESS_CHANGED', 'Delivery address changed'],
  [62996, 'EXCEPTION', 'Exception'],
  [62997, 'ADDRESS_INVALID', 'Address invalid'],
];

export const UNKNOWN_STATUS_ID = 1337;

const byId = new Map(TABLE.map(([id, code, message]) => [id, { id, code: code ?? 'UNKNOWN', message }]));
const coded = TABLE.flatMap(([id, code, message]) => (code ? [{ id, code, message }] : []));
const byCode = new Map(coded.map((status) => [status.code, status]));
/** Codes, slugs (`ready-to-send`) and messages, lower case without separators. */
const byLabel = new Map(
  coded.flatMap((status) => [
    [squash(status.code), status],
    [squash(status.message), status],
  ]),
);

function squash(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A v3 status; a code outside the table keeps its code and message and reads as v2's "unknown" (1337). */
export function statusFromV3(code: string, message?: string | null): StatusObservation {
  const known = byCode.get(code.toUpperCase().replaceAll('-', '_'));
  if (known) return { ...known, message: message || known.message };
  return { id: UNKNOWN_STATUS_ID, code, message: message || code };
}

export function statusFromV2(id: number): StatusObservation {
  return byId.get(id) ?? { id, code: 'UNKNOWN', message: `Status ${id}` };
}

/** A status named by its code, slug or message (the returns' `parent_status`); undefined if not in the table. */
export function statusFromLabel(label: string | null | undefined): StatusObservation | undefined {
  return label ? byLabel.get(squash(label)) : undefined;
}

const CANCELLED_CODES = new Set(['CANCELLED', 'CANCELLED_UPSTREAM', 'CANCELLING', 'CANCELLING_UPSTREAM']);

/** A shipment's state from its parcels' statuses (any refused parcel refuses the shipment). */
export function shipmentState(statuses: readonly StatusObservation[]): Shipment['state'] {
  if (statuses.some((status) => status.code === 'ANNOUNCEMENT_FAILED')) return 'refused';
  if (statuses.length === 0 || statuses.every((status) => status.code === 'NO_LABEL')) return 'unannounced';
  if (statuses.every((status) => CANCELLED_CODES.has(status.code))) return 'cancelled';
  return 'announced';
}
