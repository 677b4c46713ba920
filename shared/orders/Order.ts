import type { RoutingDecision } from '../routing';
import type { NormalizedStatus } from '../tracking/normalizedStatus';
import type { CustomsInput, Delivery, OrderItem, Recipient, ServiceLevel } from './OrderRequest';

/**
 * Where an order is in its life: `accepted` → `creating` → `announced` → `label_stored` (→ `shipped` when an
 * end-of-day batch hands it over), or `failed`. End-of-day orders wait as `ready` until their batch runs.
 * `POST /orders/{orderId}/cancel` ends it as `cancelled`, or `cancellation_requested` while SendCloud
 * completes a queued cancel (tracking then shows `cancelled`).
 */
export const ORDER_STATUSES = [
  'ready',
  'accepted',
  'creating',
  'announced',
  'label_stored',
  'shipped',
  'failed',
  'cancellation_requested',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses a cancel leaves an order in: nothing more is announced, labelled or batched for it. */
export const CANCEL_STATUSES: ReadonlySet<OrderStatus> = new Set(['cancellation_requested', 'cancelled']);
export const isCancelStatus = (status: OrderStatus): boolean => CANCEL_STATUSES.has(status);

/**
 * How a cancel ended: `cancelled` / `requested` / `already_cancelled` / `not_found` as SendCloud answered,
 * `not_announced` when nothing had reached SendCloud (cancelled here, nothing sent).
 */
export const CANCEL_OUTCOMES = [
  'cancelled',
  'requested',
  'already_cancelled',
  'not_found',
  'not_announced',
] as const;
export type CancelRecordOutcome = (typeof CANCEL_OUTCOMES)[number];

export interface OrderCancellation {
  readonly outcome: CancelRecordOutcome;
  /** SendCloud's message, or ours when nothing was sent. */
  readonly message: string;
  /** Whether SendCloud was asked (false: the order never reached it). */
  readonly sentToSendcloud: boolean;
  readonly at: string;
}

export interface OrderKey {
  readonly channel: string;
  readonly orderId: string;
}

export const orderKeyString = (key: OrderKey): string => `${key.channel}/${key.orderId}`;

/** What a delivery must do beyond handing the parcel over. */
export interface DeliveryExtras {
  readonly signature?: boolean;
  readonly ageCheck?: 16 | 18;
  readonly noNeighbourDelivery?: boolean;
}

export interface DimensionsCm {
  readonly length: number;
  readonly width: number;
  readonly height: number;
}

/** One box of an order of several. */
export interface Collo {
  readonly weightGrams: number;
  readonly dimensionsCm?: DimensionsCm;
}

/** What the service needs to route and ship an order — no personal data (that lives in `OrderRecipient`). */
export interface OrderSpec {
  readonly toCountry: string;
  /** The box's weight; for an order of several boxes, the heaviest one's (each must fit the method). */
  readonly weightGrams: number;
  /** The box's size; for several boxes, the heaviest one's (each box is checked in `colli`). */
  readonly dimensionsCm?: DimensionsCm;
  /**
   * Goods cross a customs border (decided at intake from country and postal code: special territories such
   * as the Canary Islands count); absent on records from before, which read the country alone.
   */
  readonly customsRequired?: boolean;
  /** The sender country intake decided customs from (`accounts.<id>.shipsFrom`); absent on older orders. */
  readonly shipsFrom?: string;
  /** An order of several boxes (2–20): each one, in the order given. Absent for one box. */
  readonly colli?: readonly Collo[];
  readonly serviceLevel: ServiceLevel;
  readonly orderValue: { readonly amount: string; readonly currency: string };
  readonly delivery: Delivery;
  /** Insured for this much, EUR (per parcel), when the order asks. */
  readonly insuredValueEur?: number;
  /** Delivery extras the order asks for; only methods that offer them are taken. */
  readonly extras?: DeliveryExtras;
  /** The order system's own choice: a v2 method id. */
  readonly shippingMethodId?: number;
  /** The order system's own choice as a method reference (a v3 shipping option code). */
  readonly shippingMethod?: string;
  readonly packingStation?: string;
}

/** A file stored in the label bucket for an order's parcel. */
export interface StoredDocument {
  readonly key: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly storedAt: string;
}

export interface StoredLabel extends StoredDocument {
  readonly format: 'a6' | 'a4' | 'zpl';
  /**
   * The same label as page `index` of the merged file SendCloud returned for the end-of-day batch, stored at
   * `key` (the page proved this parcel's by its tracking number): the batch's files copy it from there
   * instead of reading every label back.
   */
  readonly page?: { readonly key: string; readonly index: number };
}

export interface OrderParcel {
  readonly id: number;
  readonly externalReference: string;
  readonly trackingNumber: string;
  readonly trackingUrl: string | null;
  readonly carrier: string;
  /** The v2 method id; 0 on records of v3 shipments (read `method`). */
  readonly shippingMethodId: number;
  /**
   * The method, version-neutral (a v2 id as a string or a v3 shipping option code); absent on records
   * written before v3 — read them through `methodRefOf`.
   */
  readonly method?: string;
  readonly shippingMethodName: string;
  /** The SendCloud API the parcel was made with; absent on records written before v3 (v2). */
  readonly api?: 'v2' | 'v3';
  /**
   * The shipment the parcel belongs to: v3's shipment id; for an order shipped one shipment per box, each
   * box's own shipment (on v2 its parcel id), so a cancel reaches every one.
   */
  readonly shipmentId?: string;
  readonly statusId: number;
  /** The v3 code of the status (absent on records written before v3). */
  readonly statusCode?: string;
  readonly statusMessage: string;
  readonly announcedAt: string;
  /**
   * Position among the order's boxes, 1-based: in its multicollo shipment, or — shipped one shipment per box
   * — the box's number (absent for one box).
   */
  readonly colloNumber?: number;
  readonly colloCount?: number;
}

/**
 * Every parcel of an order, box 1 first: the colli of a multicollo shipment, the boxes of an order shipped one
 * shipment per box (while it is being announced: those recorded so far), or its one parcel.
 */
export const parcelsOf = (order: Pick<OrderRecord, 'parcel' | 'parcels'>): readonly OrderParcel[] =>
  order.parcels && order.parcels.length > 0 ? order.parcels : order.parcel ? [order.parcel] : [];

/** The method of a recorded parcel, also for records written before v3 (a numeric v2 id). */
export const methodRefOf = (parcel: OrderParcel): string => parcel.method ?? String(parcel.shippingMethodId);

export interface OrderRecord extends OrderKey {
  readonly account: string;
  readonly status: OrderStatus;
  /** A return shipment (issue: returns); tracked like outbound ones. */
  readonly isReturn?: boolean;
  /** For a return: the shipped order and parcel it sends back. */
  readonly returnOf?: OrderKey & { readonly parcelId: number };
  /** For a return: the shop's own return number, if it gave one. */
  readonly returnReference?: string;
  /** For a return: where the customer manages it, when the account has a return portal. */
  readonly returnPortalUrl?: string | null;
  /** For an order: the returns made for it (ids of `returns` records), oldest first. */
  readonly returnIds?: readonly string[];
  /** For a return: SendCloud's id of it (from `/returns`), once it has been looked up. */
  readonly sendcloudReturnId?: number;
  /** For a return: what comes back and why (no personal data). */
  readonly returnItems?: ReadonlyArray<{
    readonly description: string;
    readonly quantity: number;
    readonly sku: string | null;
    readonly reason: string;
    readonly message: string | null;
  }>;
  /** sha256 of the accepted request, to tell a repeat from a conflicting order. */
  readonly bodyHash: string;
  readonly spec: OrderSpec;
  /** Processing attempts so far; a worker holds the order while `lockUntil` is in the future. */
  readonly attempt: number;
  readonly lockUntil?: string;
  readonly routing?: RoutingDecision;
  /** Methods refused at announcement for this order, with why. */
  readonly refusedMethods?: Readonly<Record<string, string>>;
  /** When the order first found every method that fits it unavailable (breaker open); it fails a day later. */
  readonly waitingForMethodSince?: string;
  /** The (first) parcel: an order of several boxes has its first collo here and all of them in `parcels`. */
  readonly parcel?: OrderParcel;
  /**
   * Every parcel of an order of several boxes, box 1 first (absent for one box): the colli of its multicollo
   * shipment, or one parcel per box when routing ships each box as a shipment of its own
   * (`routing.shipments: per_parcel`), each recorded as soon as SendCloud announced it.
   */
  readonly parcels?: readonly OrderParcel[];
  /** The latest applied tracking status of each collo after the first (the first's is `tracking`). */
  readonly colliTracking?: Readonly<Record<string, TrackingState>>;
  readonly labels?: Readonly<Partial<Record<'a6' | 'zpl', StoredLabel>>>;
  /** The customs document (PDF) of a parcel leaving the EU customs union, stored next to its label. */
  readonly customsDocument?: StoredDocument;
  readonly failure?: { readonly code: string; readonly reason: string; readonly at: string };
  /** Set when the order was cancelled (`POST /orders/{orderId}/cancel`). */
  readonly cancellation?: OrderCancellation;
  readonly enqueuedAt?: string;
  /** The end-of-day batch this order was shipped in. */
  readonly batchId?: string;
  /** The parcel's latest applied tracking status (the order's status follows it once shipped). */
  readonly tracking?: TrackingState;
  /** Events published (or being published) for this order: a retried step never publishes twice. */
  readonly events?: Readonly<Record<string, { readonly state: 'sending' | 'sent'; readonly at: string }>>;
  /**
   * 1 for the order as first posted; a cancelled or failed order posted again under its id ships anew as the
   * next generation, with its own SendCloud reference (`<channel>:<orderId>#<generation>`).
   */
  readonly generation?: number;
  /** The first processing attempt of this generation (attempts keep counting across generations). */
  readonly firstAttempt?: number;
  /** What earlier generations ended as, oldest first (no personal data). */
  readonly previous?: readonly PreviousGeneration[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An earlier generation of an order, as it ended. */
export interface PreviousGeneration {
  readonly generation: number;
  readonly status: OrderStatus;
  readonly parcelId: number | null;
  readonly trackingNumber: string | null;
  readonly failure: { readonly code: string; readonly reason: string } | null;
  readonly cancelledAt: string | null;
  readonly createdAt: string;
  readonly endedAt: string;
}

/** Personal data, kept apart with a TTL. */
export interface OrderRecipient {
  readonly recipient: Recipient;
  readonly items: readonly OrderItem[];
  /** The order's customs block (tax numbers and importer of record are kept with the personal data). */
  readonly customs?: CustomsInput;
}

export interface TrackingState {
  readonly statusId: number;
  readonly message: string;
  readonly status: NormalizedStatus;
  /** Ordering key: the webhook's millisecond `timestamp`, or `date_updated` for polled statuses. */
  readonly ts: number;
  readonly observedAt: string;
  readonly source: 'webhook' | 'poll';
  readonly receivedAt: string;
  /** The status this one replaced, for the event. */
  readonly previousStatus?: NormalizedStatus | null;
}
