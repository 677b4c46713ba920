import type { SimAccount } from '../accounts';
import { v2CustomsDeclaration } from '../customs';
import type { SimParcel } from '../parcels';
import type { V3Context } from './context';
import { labelFor } from './labelData';
import { kgString, toGrams } from './measures';
import { renderCustomsDeclaration } from './paper';

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
      const declaration = v2CustomsDeclaration(parcel, labelFor(ctx, account, parcel));
      if (!record) return declaration;
      return {
        ...declaration,
        invoiceNumber: record.request.customs_information?.invoice_number ?? declaration.invoiceNumber,
        exportReason: record.request.customs_information?.export_reason ?? 'commercial_goods',
        currency: request?.parcel_items?.[0]?.price.currency ?? declaration.currency,
        items: request?.parcel_items
          ? request.parcel_items.map((item) => ({
              description: item.description,
              quantity: item.quantity,
              weightKg: kgString(toGrams(item.weight.value, item.weight.unit)),
              value: item.price.value,
              hsCode: item.hs_code,
              originCountry: item.origin_country ?? '',
            }))
          : declaration.items,
      };
    }),
  );
}
