import type { SimParcel } from '../parcels';
import type { Simulator } from '../Simulator';
import type { ErrorObject } from './errors';
import type { OrderInput } from './orderRequest';
import type { ReturnBody } from './returnRequest';
import type { ShipmentBody } from './shipmentRequest';

/**
 * What v3 knows beyond the shared parcels. A v3 shipment is the group of an account's `SimParcel`s that
 * share a `shipmentUuid` (a v2 parcel is a shipment of one), so v2 reads, timelines, webhooks and counts see
 * v3 parcels as they see their own; this store only keeps the request as v3 received it and its errors.
 */
export interface ShipmentRecord {
  readonly id: string;
  readonly accountId: string;
  readonly parcelIds: readonly number[];
  readonly request: ShipmentBody;
  errors: ErrorObject[];
  /** Set when `POST /orders/create-labels-async` made it: the order it ships (its external reference stays null). */
  readonly order?: { readonly id: number; readonly orderId: string; readonly integrationId: number };
}

/** An order of the Orders API, upserted on `order_id` + `integration.id`. */
export interface OrderRecord {
  readonly id: number;
  readonly accountId: string;
  order: OrderInput;
  readonly createdAt: string;
  modifiedAt: string;
}

/** A parcel an order's label request left `ANNOUNCING`: when and how the carrier answers. */
export interface PendingAnnouncement {
  readonly parcelId: number;
  readonly shipmentId: string;
  /** ms on the simulator's clock. */
  readonly dueAt: number;
  /** The carrier's refusal (a `carrier_reject` fault on the request), or null: announced. */
  readonly refusal: string | null;
}

export interface ReturnRecord {
  /** The id in `Simulator.returns`, shared with v2's `GET /returns`. */
  readonly returnId: number;
  readonly accountId: string;
  readonly parcelIds: readonly number[];
  readonly request: ReturnBody;
}

export interface V3Snapshot {
  readonly shipments: readonly ShipmentRecord[];
  readonly returns: readonly ReturnRecord[];
  /** Absent in files written before the Orders API. */
  readonly orders?: readonly OrderRecord[];
  readonly announcing?: readonly PendingAnnouncement[];
}

const FIRST_ORDER_ID = 664;

export class V3Store {
  readonly shipments = new Map<string, ShipmentRecord>();
  readonly returns = new Map<number, ReturnRecord>();
  readonly orders = new Map<number, OrderRecord>();
  /** By parcel id. */
  readonly announcing = new Map<number, PendingAnnouncement>();
  #nextOrderId = FIRST_ORDER_ID;

  nextOrderId(): number {
    return this.#nextOrderId++;
  }

  snapshot(): V3Snapshot {
    return {
      shipments: [...this.shipments.values()],
      returns: [...this.returns.values()],
      orders: [...this.orders.values()],
      announcing: [...this.announcing.values()],
    };
  }

  restore(snapshot: V3Snapshot): void {
    for (const record of snapshot.shipments) this.shipments.set(record.id, record);
    for (const record of snapshot.returns) this.returns.set(record.returnId, record);
    for (const record of snapshot.orders ?? []) this.orders.set(record.id, record);
    for (const pending of snapshot.announcing ?? []) this.announcing.set(pending.parcelId, pending);
    this.#nextOrderId = Math.max(FIRST_ORDER_ID, ...[...this.orders.keys()].map((id) => id + 1));
  }

  reset(): void {
    this.shipments.clear();
    this.returns.clear();
    this.orders.clear();
    this.announcing.clear();
    this.#nextOrderId = FIRST_ORDER_ID;
  }
}

export interface Shipment {
  readonly id: string;
  readonly parcels: readonly SimParcel[];
}

/** The account's shipments: its parcels grouped by shipment id, each group in parcel-id order. */
export function shipmentsOf(sim: Simulator, accountId: string): Shipment[] {
  const groups = new Map<string, SimParcel[]>();
  for (const parcel of sim.parcels.values()) {
    if (parcel.accountId !== accountId) continue;
    const group = groups.get(parcel.shipmentUuid) ?? [];
    group.push(parcel);
    groups.set(parcel.shipmentUuid, group);
  }
  return [...groups].map(([id, parcels]) => ({ id, parcels: parcels.sort((a, b) => a.id - b.id) }));
}

export function shipmentById(sim: Simulator, accountId: string, id: string): Shipment | undefined {
  const parcels = [...sim.parcels.values()]
    .filter((p) => p.accountId === accountId && p.shipmentUuid === id)
    .sort((a, b) => a.id - b.id);
  return parcels.length > 0 ? { id, parcels } : undefined;
}

/** Return parcels are the Returns API's: not shipments, though they live in the same parcel map. */
export const isShipment = (shipment: Shipment): boolean => shipment.parcels[0]?.fields.is_return !== true;

/** Shipments (not parcels, not returns) of the account with this external reference, oldest first. */
export function shipmentsWithReference(sim: Simulator, accountId: string, reference: string): Shipment[] {
  return shipmentsOf(sim, accountId)
    .filter((s) => isShipment(s) && s.parcels[0]?.externalReference === reference)
    .sort((a, b) => (a.parcels[0]?.id ?? 0) - (b.parcels[0]?.id ?? 0));
}
