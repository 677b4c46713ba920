import { randomUUID } from 'node:crypto';
import { announceColli, asColli, createParcel, failAnnouncement } from '../parcels';
import type { SimResponse } from '../Simulator';
import type { V3Context, V3Handler, V3Request } from './context';
import { type ErrorObject, errorsResponse } from './errors';
import { type ReturnEntry, returnParcels } from './returnJson';
import { parseReturn } from './returnRequest';

/**
 * The v3 Returns API (S-v3returns, REFERENCE.md §8.3). A return's parcels are `SimParcel`s with `is_return`,
 * and the return an entry of `Simulator.returns`, so timelines, webhooks and v2's `GET /returns` see them.
 * The synchronous create answers its 400s in the `{"error": {code, request, message}}` form its document
 * gives (`components/responses/400`); the asynchronous one in JSON:API form.
 */
type Mode = 'async' | 'sync';

export const createReturn: V3Handler = (ctx, req) => create(ctx, req, 'async');
export const announceReturn: V3Handler = (ctx, req) => create(ctx, req, 'sync');

const syncError = (code: string, message: string): SimResponse => ({
  status: 400,
  json: { error: { code, request: 'api/v3/returns/announce-synchronously', message } },
});

function refused(mode: Mode, errors: readonly ErrorObject[]): SimResponse {
  if (mode === 'async') return errorsResponse(400, errors);
  const message = errors
    .map((e) => `${(e.source?.pointer ?? '').slice(1).replaceAll('/', '.')}: "${e.detail}"`)
    .join(', ');
  return syncError(errors[0]?.code ?? 'invalid', message);
}

function create(ctx: V3Context, req: V3Request, mode: Mode): SimResponse {
  const { account } = req;
  const parsed = parseReturn(req.body);
  if ('errors' in parsed) return refused(mode, parsed.errors);
  const { body, plan } = parsed;
  const reference = body.external_reference;
  const existing = reference
    ? ctx.sim.returns.find((r) => {
        const parcel = ctx.sim.parcels.get(r.parcelId);
        return r.accountId === account.id && parcel?.externalReference === reference;
      })
    : undefined;
  if (existing && account.duplicateExternalReference === 'reject')
    return refused(mode, [
      jsonError('External reference has already been used in another return.', '/external_reference'),
    ]);
  if (existing && account.duplicateExternalReference === 'return-existing')
    return { status: 201, json: createdJson(ctx, existing) };

  const now = ctx.sim.now();
  const shipment = randomUUID();
  const parcels = asColli(
    plan.drafts.map((draft) => createParcel(draft, account, ctx.sim.nextParcelId(), now)),
    shipment,
  );
  for (const parcel of parcels) ctx.sim.parcels.set(parcel.id, parcel);
  ctx.sim.countCreated(account.id, reference ?? '', parcels.length);
  const refusal = req.carrierReject ? `Service error: ${req.carrierReject}` : undefined;
  if (mode === 'sync' && refusal) {
    // As v2 does: the refused parcel stays behind (status 1002); there is no return to show for it.
    for (const parcel of parcels) failAnnouncement(parcel, now, refusal);
    return syncError('parcel_announcement_error', refusal);
  }
  announceColli(parcels, now, { async: mode === 'async' });
  const [first] = parcels;
  if (!first) throw new Error('a return has at least one parcel');
  const entry = ctx.sim.recordReturn(account, first);
  ctx.store.returns.set(entry.id, {
    returnId: entry.id,
    accountId: account.id,
    parcelIds: parcels.map((p) => p.id),
    request: body,
  });
  const answer = { status: 201, json: createdJson(ctx, entry) };
  if (refusal) for (const parcel of parcels) failAnnouncement(parcel, now, refusal);
  return answer;
}

const jsonError = (detail: string, at: string): ErrorObject => ({
  status: '400',
  code: 'invalid',
  detail,
  source: { pointer: at },
});

function createdJson(ctx: V3Context, entry: ReturnEntry) {
  const ids = returnParcels(ctx, entry).map((p) => p.id);
  return { return_id: entry.id, parcel_id: entry.parcelId, multi_collo_ids: ids.length > 1 ? ids : [] };
}
