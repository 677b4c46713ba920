import type { OrderKey, TrackingState } from '../orders/Order';
import type { Implausibility } from '../tracking/plausibility';

export interface ParcelPointer extends OrderKey {
  readonly account: string;
}

export interface HistoryEntry {
  readonly statusId: number;
  readonly message: string;
  readonly status: string;
  readonly observedAt: string;
  readonly ts: number;
  readonly carrierTimestamp: number | null;
  readonly source: 'webhook' | 'poll';
  readonly receivedAt: string;
  /** Set when the status was kept out of the current one: why it could not be true (never published). */
  readonly implausible?: Implausibility;
}

/** Tracking state: parcel → order pointers, status history, current status, webhook dedupe, poll watermarks. */
export interface TrackingStore {
  /** `awaitScan: false` keeps the parcel out of the stuck-parcel check (returns wait for the customer). */
  linkParcel(
    parcelId: number,
    pointer: ParcelPointer,
    announcedAt: string,
    options?: { readonly awaitScan?: boolean },
  ): Promise<void>;
  /**
   * Only the parcels' pointers, in as few writes as the store allows (the order's own recording puts it in
   * the awaiting-scan index: `OrderStep.awaitScanSince`). Repeating it writes the same pointers.
   */
  linkParcels(
    links: ReadonlyArray<{ readonly parcelId: number; readonly pointer: ParcelPointer }>,
  ): Promise<void>;
  pointer(parcelId: number): Promise<ParcelPointer | undefined>;
  pointers(parcelIds: readonly number[]): Promise<Map<number, ParcelPointer>>;
  /** False when this observation (status id at that time) is already in the history. */
  addHistory(parcelId: number, entry: HistoryEntry): Promise<boolean>;
  history(parcelId: number): Promise<HistoryEntry[]>;
  /**
   * Applies the status if it is newer than the current one: the order's (its first parcel's), or with
   * `colloParcelId` that of a later collo of a multicollo shipment (`colliTracking`).
   */
  applyCurrent(
    key: OrderKey,
    state: TrackingState,
    colloParcelId?: number,
  ): Promise<{ readonly applied: boolean }>;
  seenDelivery(hash: string): Promise<boolean>;
  rememberDelivery(hash: string, options: { readonly now: Date; readonly ttlDays: number }): Promise<void>;
  watermark(account: string): Promise<string | undefined>;
  setWatermark(account: string, at: string): Promise<void>;
  /** Announced parcels without a carrier scan, announced before `before`. */
  /** Parcels announced before `before` without a carrier scan, in pages, across every shard (no cap). */
  awaitingScan(options: { readonly before: Date }): AsyncIterable<readonly OrderKey[]>;
}
