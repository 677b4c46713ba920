import type { DetailType, EventDetail, EventPublisher } from '../../../shared/events';
import { type OrderKey, type OrderRecord, parcelsOf, type TrackingState } from '../../../shared/orders/Order';
import type { HistoryEntry, ParcelPointer } from '../../../shared/store';
import type { ReceiveDeps } from '../../../shared/tracking';

/**
 * In-memory stand-ins for what the tracking use cases touch, with the DynamoDB adapters' conditional
 * semantics: one history entry per status id and second, the current status only replaced by a newer one,
 * one publisher per event.
 */
const id = (key: OrderKey) => `${key.channel}#${key.orderId}`;

export class MemoryTracking {
  readonly orders = new Map<string, OrderRecord>();
  readonly pointers = new Map<number, ParcelPointer>();
  readonly histories = new Map<number, HistoryEntry[]>();
  readonly deliveries = new Set<string>();
  readonly watermarks = new Map<string, string>();
  readonly published: Array<{ detailType: DetailType; detail: unknown }> = [];

  add(order: OrderRecord): void {
    this.orders.set(id(order), structuredClone(order));
    for (const parcel of parcelsOf(order))
      this.pointers.set(parcel.id, {
        account: order.account,
        channel: order.channel,
        orderId: order.orderId,
      });
  }

  current(key: OrderKey): TrackingState | undefined {
    return this.orders.get(id(key))?.tracking;
  }

  history(parcelId: number): HistoryEntry[] {
    return this.histories.get(parcelId) ?? [];
  }

  deps(clock: () => Date): Omit<ReceiveDeps, 'secrets' | 'accounts'> & {
    tracking: ReceiveDeps['tracking'] & {
      watermark(account: string): Promise<string | undefined>;
      setWatermark(account: string, at: string): Promise<void>;
    };
  } {
    const events: EventPublisher = {
      publish: async <T extends DetailType>(detailType: T, detail: EventDetail<T>) => {
        this.published.push({ detailType, detail });
      },
    };
    return {
      clock,
      events,
      store: {
        get: async (key) => structuredClone(this.orders.get(id(key))),
        beginEmit: async (key, event, options) => {
          const order = this.orders.get(id(key));
          if (!order || order.events?.[event]) return false;
          this.orders.set(id(key), {
            ...order,
            events: { ...order.events, [event]: { state: 'sending', at: options.now.toISOString() } },
          });
          return true;
        },
        endEmit: async (key, event, options) => {
          const order = this.orders.get(id(key));
          if (!order) return;
          const events = { ...order.events };
          if (options.published) events[event] = { state: 'sent', at: options.now.toISOString() };
          else delete events[event];
          this.orders.set(id(key), { ...order, events });
        },
      },
      tracking: {
        pointer: async (parcelId) => this.pointers.get(parcelId),
        addHistory: async (parcelId, entry) => {
          const entries = this.histories.get(parcelId) ?? [];
          const second = (e: HistoryEntry) => Math.floor(Date.parse(e.observedAt) / 1000);
          if (entries.some((e) => e.statusId === entry.statusId && second(e) === second(entry))) return false;
          this.histories.set(
            parcelId,
            [...entries, structuredClone(entry)].sort((a, b) => a.ts - b.ts),
          );
          return true;
        },
        applyCurrent: async (key, state, collo) => {
          const order = this.orders.get(id(key));
          if (collo !== undefined) {
            const current = order?.colliTracking?.[String(collo)];
            if (!order?.colliTracking || (current && current.ts >= state.ts)) return { applied: false };
            this.orders.set(id(key), {
              ...order,
              colliTracking: { ...order.colliTracking, [String(collo)]: structuredClone(state) },
              updatedAt: state.receivedAt,
            });
            return { applied: true };
          }
          if (!order || (order.tracking && order.tracking.ts >= state.ts)) return { applied: false };
          this.orders.set(id(key), {
            ...order,
            tracking: structuredClone(state),
            updatedAt: state.receivedAt,
          });
          return { applied: true };
        },
        seenDelivery: async (hash) => this.deliveries.has(hash),
        rememberDelivery: async (hash) => {
          this.deliveries.add(hash);
        },
        watermark: async (account) => this.watermarks.get(account),
        setWatermark: async (account, at) => {
          this.watermarks.set(account, at);
        },
      },
    };
  }
}

/** A shipped order as the worker leaves it: announced parcel, no tracking yet. */
export function shippedOrder(
  overrides: Partial<OrderRecord> & { readonly parcelId: number; readonly createdAt: string },
): OrderRecord {
  const { parcelId, ...rest } = overrides;
  return {
    channel: 'webshop',
    orderId: `WEB-${parcelId}`,
    account: 'default',
    status: 'label_stored',
    bodyHash: 'a'.repeat(64),
    spec: {
      toCountry: 'NL',
      weightGrams: 1200,
      serviceLevel: 'standard',
      orderValue: { amount: '25.00', currency: 'EUR' },
      delivery: { type: 'home' },
    },
    attempt: 1,
    parcel: {
      id: parcelId,
      externalReference: `webshop:WEB-${parcelId}`,
      trackingNumber: `3SYZXG${parcelId}`,
      trackingUrl: null,
      carrier: 'postnl',
      shippingMethodId: 8,
      shippingMethodName: 'PostNL Standard 0-23kg',
      statusId: 1000,
      statusMessage: 'Ready to send',
      announcedAt: rest.createdAt,
    },
    updatedAt: rest.createdAt,
    ...rest,
  };
}
