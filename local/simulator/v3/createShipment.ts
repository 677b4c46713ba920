import { randomUUID } from 'node:crypto';
import type { SimAccount } from '../accounts';
import { renderLabelPrinterPdf, renderPng, renderZpl } from '../labels';
import { announceColli, asColli, createParcel, failAnnouncement, type SimParcel } from '../parcels';
import type { SimResponse } from '../Simulator';
import type { V3Context, V3Handler, V3Request } from './context';
import { type ErrorObject, errorObject, errorsResponse } from './errors';
import { hasLabel, labelFor } from './labelData';
import { shipmentJson } from './shipmentJson';
import { planShipment, type ShipmentPlan } from './shipmentPlan';
import { MAX_PARCELS, parseShipmentBody, type ShipmentBody } from './shipmentRequest';
import { type ShipmentRecord, shipmentsWithReference } from './store';

/**
 * `POST /shipments/announce` (synchronous, ≤15 parcels) and `POST /shipments` (asynchronous, ≤50). Each
 * parcel becomes a `SimParcel` of the shared model with the shipment's id as its `shipmentUuid`.
 *
 * A carrier refusal (the `carrier_reject` fault, as for v2) is no error status: the synchronous announce
 * answers 201 with the parcels `ANNOUNCEMENT_FAILED` and the carrier's message in `errors[]` (the document's
 * `DomesticSingleParcelShipmentAnnouncementFailed` example); the asynchronous one answers 201 `ANNOUNCING` and
 * the refusal shows on the next read. A reused `external_reference_id` is answered as the account's
 * `duplicateExternalReference` mode says: `reject` → 409 with the existing shipment (the field's
 * description), `return-existing` → 201 with it, `accept` → a second shipment.
 */
type Mode = keyof typeof MAX_PARCELS;

export const announceShipment: V3Handler = (ctx, req) => createShipment(ctx, req, 'announce');
export const createShipmentAsync: V3Handler = (ctx, req) => createShipment(ctx, req, 'create');

async function createShipment(ctx: V3Context, req: V3Request, mode: Mode): Promise<SimResponse> {
  const { account } = req;
  const invalid = (errors: readonly ErrorObject[]) =>
    errorsResponse(400, mode === 'create' ? asAttributes(errors) : errors);
  // The schema first, then what needs a valid body (option, countries, limits), as a serializer would.
  const parsed = parseShipmentBody(req.body, MAX_PARCELS[mode]);
  if ('errors' in parsed) return invalid(parsed.errors);
  const { body } = parsed;
  const planned = planShipment(account, body);
  if ('errors' in planned) return invalid(planned.errors);

  const reference = body.external_reference_id;
  const [existing] = reference ? shipmentsWithReference(ctx.sim, account.id, reference) : [];
  if (existing && account.duplicateExternalReference !== 'accept')
    return {
      status: account.duplicateExternalReference === 'reject' ? 409 : 201,
      json: { data: shipmentJson(ctx, account, existing) },
    };

  const record = commitShipment(ctx, { account, body, plan: planned.plan });
  const parcels = record.parcelIds.map((id) => ctx.sim.parcels.get(id)).filter((p): p is SimParcel => !!p);
  const now = ctx.sim.now();
  const refusal = req.carrierReject ? `Service error: ${req.carrierReject}` : undefined;
  const refuse = (detail: string) => {
    for (const parcel of parcels) failAnnouncement(parcel, now, detail);
    record.errors = [errorObject(500, 'parcel_announcement_error', detail)];
  };
  if (mode === 'create') {
    announceColli(parcels, now, { async: true });
    const answer = { status: 201, json: { data: shipmentJson(ctx, account, { id: record.id, parcels }) } };
    if (refusal) refuse(refusal);
    return answer;
  }
  if (refusal) refuse(refusal);
  else announceColli(parcels, now);
  const labelFiles = new Map<number, string | null>();
  const [only] = parcels;
  if (only && parcels.length === 1 && hasLabel(only))
    labelFiles.set(only.id, await labelFile(ctx, account, only, body.label_details?.mime_type));
  return {
    status: 201,
    json: { data: shipmentJson(ctx, account, { id: record.id, parcels }, { labelFiles }) },
  };
}

/**
 * The shipment's parcels in the shared model, counted once per shipment under its reference — or, for one an
 * order's label request made, under the order's `order_id` (its external reference stays null).
 */
export function commitShipment(
  ctx: V3Context,
  shipment: {
    readonly account: SimAccount;
    readonly body: ShipmentBody;
    readonly plan: ShipmentPlan;
    readonly order?: ShipmentRecord['order'];
  },
): ShipmentRecord {
  const { account, body, plan, order } = shipment;
  const id = randomUUID();
  const now = ctx.sim.now();
  const parcels = asColli(
    plan.drafts.map((draft) => createParcel(draft, account, ctx.sim.nextParcelId(), now)),
    id,
  );
  for (const parcel of parcels) ctx.sim.parcels.set(parcel.id, parcel);
  ctx.sim.countCreated(account.id, order?.orderId ?? body.external_reference_id ?? '', parcels.length);
  const record: ShipmentRecord = {
    id,
    accountId: account.id,
    parcelIds: parcels.map((p) => p.id),
    request: body,
    errors: [],
    ...(order ? { order } : {}),
  };
  ctx.store.shipments.set(id, record);
  return record;
}

/** `label_file`: the label in the format `label_details` asked for, base64 (only for single-parcel shipments). */
async function labelFile(
  ctx: V3Context,
  account: SimAccount,
  parcel: SimParcel,
  mimeType: string | undefined,
): Promise<string> {
  const label = labelFor(ctx, account, parcel);
  const bytes =
    mimeType === 'application/zpl'
      ? renderZpl([label])
      : mimeType === 'image/png'
        ? await renderPng(label)
        : await renderLabelPrinterPdf([label]);
  return Buffer.from(bytes).toString('base64');
}

/** The asynchronous endpoint points into a JSON:API document (`/data/attributes/to_address/name`, its example). */
const asAttributes = (errors: readonly ErrorObject[]): ErrorObject[] =>
  errors.map((e) =>
    e.source?.pointer ? { ...e, source: { pointer: `/data/attributes${e.source.pointer}` } } : e,
  );
