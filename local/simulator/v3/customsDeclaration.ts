import type { SimAccount } from '../accounts';
import type { SimParcel } from '../parcels';
import type { V3Context } from './context';
import { labelFor } from './labelData';
import { kgString, toGrams } from './measures';
import { type CustomsItem, renderCustomsDeclaration } from './paper';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The customs declaration of each parcel, from its v3 request when it has one, else from its v2 fields. */
export function renderCustomsDeclarations(
  ctx: V3Context,
  account: SimAccount,
  parcels: readonly SimParcel[],
): Promise<Uint8Array> {
  return renderCustomsDeclaration(
    parcels.map((parcel) => {
      const record = ctx.store.shipments.get(parcel.shipmentUuid);
      const request = record?.request.parcels[record.parcelIds.indexOf(parcel.id)];
      const v2Customs = (parcel.fields.customs_information ?? {}) as Record<string, unknown>;
      const label = labelFor(ctx, account, parcel);
      const items: CustomsItem[] = request?.parcel_items
        ? request.parcel_items.map((item) => ({
            description: item.description,
            quantity: item.quantity,
            weightKg: kgString(toGrams(item.weight.value, item.weight.unit)),
            value: item.price.value,
            hsCode: item.hs_code,
            originCountry: item.origin_country ?? '',
          }))
        : (Array.isArray(parcel.fields.parcel_items) ? parcel.fields.parcel_items : []).map(
            (item: Record<string, unknown>) => ({
              description: text(item.description),
              quantity: Number(item.quantity),
              weightKg: Number(item.weight).toFixed(3),
              value: Number(item.value).toFixed(2),
              hsCode: text(item.hs_code),
              originCountry: text(item.origin_country),
            }),
          );
      return {
        parcelId: parcel.id,
        trackingNumber: parcel.trackingNumber,
        invoiceNumber:
          record?.request.customs_information?.invoice_number ?? text(v2Customs.customs_invoice_nr),
        exportReason: record?.request.customs_information?.export_reason ?? 'commercial_goods',
        currency:
          request?.parcel_items?.[0]?.price.currency ??
          (text(parcel.fields.total_order_value_currency) || 'EUR'),
        sender: label.sender,
        recipient: label.recipient,
        items,
      };
    }),
  );
}
