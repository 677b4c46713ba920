import type { SimAccount } from '../accounts';
import type { LabelData } from '../labels';
import { isAnnounced, labelData, type SimParcel } from '../parcels';
import { BEING_ANNOUNCED } from '../statuses';
import type { V3Context } from './context';
import { shipmentSender } from './shipmentJson';

/**
 * Whether the parcel's label exists yet. v2's asynchronous announce hands out the tracking number at once;
 * v3 shows an `ANNOUNCING` parcel without tracking number, documents or label (the asynchronous create's
 * example), so v3 waits for "Ready to send".
 */
export const hasLabel = (parcel: SimParcel): boolean =>
  isAnnounced(parcel) && parcel.status.id !== BEING_ANNOUNCED;

/** The label's data, with the sender the v3 shipment named (v2's `labelData` knows saved sender addresses only). */
export function labelFor(ctx: V3Context, account: SimAccount, parcel: SimParcel): LabelData {
  const label = labelData(parcel, account);
  if (parcel.fields.is_return === true) return label;
  const sender = shipmentSender(account, parcel.fields, ctx.store.shipments.get(parcel.shipmentUuid));
  return {
    ...label,
    sender: [
      sender.company_name || sender.name,
      `${sender.address_line_1} ${sender.house_number ?? ''}`.trim(),
      `${sender.postal_code} ${sender.city}`,
    ],
  };
}
