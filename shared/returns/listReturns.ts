import type { OrderRecord } from '../orders/Order';
import type { Return, SendcloudClient } from '../sendcloud';
import type { OrderStore, TrackingStore } from '../store';
import { RETURNS_CHANNEL, type ReturnView, returnKey, returnView } from './ReturnView';

/** SendCloud's side of a return: its status and refund. */
export interface SendcloudReturnData {
  readonly id: number;
  readonly createdAt: string;
  readonly parcelId: number | null;
  readonly trackingNumber: string | null;
  readonly parcelStatus: { readonly id: number; readonly message: string } | null;
  readonly deliveredAt: string | null;
  readonly refund: unknown;
  readonly isCancellable: boolean | null;
  readonly labelCost: { readonly amount: number; readonly currency: string | null } | null;
}

export const sendcloudReturnData = (r: Return): SendcloudReturnData => ({
  id: r.id,
  createdAt: r.created_at,
  parcelId: r.incoming_parcel,
  trackingNumber: r.incoming_parcel_data?.tracking_number ?? null,
  parcelStatus: r.incoming_parcel_status
    ? { id: r.incoming_parcel_status.id, message: r.incoming_parcel_status.message }
    : null,
  deliveredAt: r.delivered_at ?? null,
  refund: r.refund ?? null,
  isCancellable: r.is_cancellable ?? null,
  labelCost:
    typeof r.label_cost === 'number' ? { amount: r.label_cost, currency: r.label_currency ?? null } : null,
});

export interface ListedReturn {
  /** Ours, when the return was created through this service. */
  readonly returnId: string | null;
  readonly order: { readonly channel: string; readonly orderId: string } | null;
  readonly sendcloud: SendcloudReturnData;
  readonly links: { readonly self: string; readonly label: string } | null;
}

/** One page of the account's returns from SendCloud, joined to ours by the return parcel. */
export async function listReturns(
  client: SendcloudClient,
  cursor: string | undefined,
  deps: { readonly store: OrderStore; readonly tracking: TrackingStore },
): Promise<{ returns: ListedReturn[]; next: string | null }> {
  const page = await client.returns.page(cursor);
  const parcelIds = page.returns.flatMap((r) => (r.incoming_parcel === null ? [] : [r.incoming_parcel]));
  const pointers = await deps.tracking.pointers(parcelIds);
  const returns = await Promise.all(
    page.returns.map(async (r): Promise<ListedReturn> => {
      const pointer = r.incoming_parcel === null ? undefined : pointers.get(r.incoming_parcel);
      const ours = pointer?.channel === RETURNS_CHANNEL ? await deps.store.get(pointer) : undefined;
      const view = ours ? returnView(ours) : undefined;
      return {
        returnId: view?.returnId ?? null,
        order: view ? { channel: view.order.channel, orderId: view.order.orderId } : null,
        sendcloud: sendcloudReturnData(r),
        links: view?.links ?? null,
      };
    }),
  );
  return { returns, next: page.next ?? null };
}

/** Our return with SendCloud's status and refund (found among the newest returns by its parcel). */
export async function getReturn(
  returnId: string,
  client: (account: string) => Promise<SendcloudClient>,
  deps: { readonly store: OrderStore; readonly tracking: TrackingStore; readonly maxPages?: number },
): Promise<(ReturnView & { sendcloud: SendcloudReturnData | null; history: unknown[] }) | undefined> {
  const record: OrderRecord | undefined = await deps.store.get(returnKey(returnId));
  if (!record?.isReturn) return undefined;
  const view = returnView(record);
  const parcelId = record.parcel?.id;
  let found: Return | undefined;
  if (parcelId !== undefined) {
    const sendcloud = await client(record.account);
    if (record.sendcloudReturnId !== undefined) {
      // found once: asked for directly from then on (one GET, however old the return)
      found = await sendcloud.returns.get(record.sendcloudReturnId);
    } else {
      let cursor: string | undefined;
      for (let page = 0; page < (deps.maxPages ?? 5) && !found; page++) {
        const { returns, next } = await sendcloud.returns.page(cursor);
        found = returns.find((r) => r.incoming_parcel === parcelId);
        if (!next) break;
        cursor = next;
      }
      if (found) await deps.store.update(record, { sendcloudReturnId: found.id });
    }
  }
  const history = parcelId === undefined ? [] : await deps.tracking.history(parcelId);
  return { ...view, sendcloud: found ? sendcloudReturnData(found) : null, history };
}
