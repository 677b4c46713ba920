import type { OrderRecord } from '../orders/Order';
import type { SendcloudPort, SendcloudReturn } from '../sendcloud/port';
import type { OrderStore, TrackingStore } from '../store';
import { RETURNS_CHANNEL, type ReturnView, returnKey, returnView } from './ReturnView';

/** SendCloud's side of a return: its status and refund (the port's version-neutral form). */
export type SendcloudReturnData = SendcloudReturn;

export interface ListedReturn {
  /** Ours, when the return was created through this service. */
  readonly returnId: string | null;
  readonly order: { readonly channel: string; readonly orderId: string } | null;
  readonly sendcloud: SendcloudReturnData;
  readonly links: { readonly self: string; readonly label: string } | null;
}

/** One page of the account's returns from SendCloud, joined to ours by the return parcel. */
export async function listReturns(
  client: Pick<SendcloudPort, 'returnsPage'>,
  cursor: string | undefined,
  deps: { readonly store: OrderStore; readonly tracking: TrackingStore },
): Promise<{ returns: ListedReturn[]; next: string | null }> {
  const page = await client.returnsPage(cursor);
  const parcelIds = page.returns.flatMap((r) => (r.parcelId === null ? [] : [r.parcelId]));
  const pointers = await deps.tracking.pointers(parcelIds);
  const returns = await Promise.all(
    page.returns.map(async (r): Promise<ListedReturn> => {
      const pointer = r.parcelId === null ? undefined : pointers.get(r.parcelId);
      const ours = pointer?.channel === RETURNS_CHANNEL ? await deps.store.get(pointer) : undefined;
      const view = ours ? returnView(ours) : undefined;
      return {
        returnId: view?.returnId ?? null,
        order: view ? { channel: view.order.channel, orderId: view.order.orderId } : null,
        sendcloud: r,
        links: view?.links ?? null,
      };
    }),
  );
  return { returns, next: page.next };
}

/** Our return with SendCloud's status and refund (found among the newest returns by its parcel). */
export async function getReturn(
  returnId: string,
  client: (account: string) => Promise<Pick<SendcloudPort, 'returnsPage' | 'getReturn'>>,
  deps: { readonly store: OrderStore; readonly tracking: TrackingStore; readonly maxPages?: number },
): Promise<(ReturnView & { sendcloud: SendcloudReturnData | null; history: unknown[] }) | undefined> {
  const record: OrderRecord | undefined = await deps.store.get(returnKey(returnId));
  if (!record?.isReturn) return undefined;
  const view = returnView(record);
  const parcelId = record.parcel?.id;
  let found: SendcloudReturn | undefined;
  if (parcelId !== undefined) {
    const sendcloud = await client(record.account);
    if (record.sendcloudReturnId !== undefined) {
      // found once: asked for directly from then on (one GET, however old the return)
      found = await sendcloud.getReturn(record.sendcloudReturnId);
    } else {
      let cursor: string | undefined;
      for (let page = 0; page < (deps.maxPages ?? 5) && !found; page++) {
        const { returns, next } = await sendcloud.returnsPage(cursor);
        found = returns.find((r) => r.parcelId === parcelId);
        if (!next) break;
        cursor = next;
      }
      if (found?.id) await deps.store.update(record, { sendcloudReturnId: found.id });
    }
  }
  const history = parcelId === undefined ? [] : await deps.tracking.history(parcelId);
  return { ...view, sendcloud: found ?? null, history };
}
