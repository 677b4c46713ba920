import { joinLabels } from '../labels/joinLabels';
import { customsDocumentKey, type LabelStore, labelKey } from '../labels/LabelStore';
import type { SendcloudPort } from '../sendcloud/port';
import type { OrderStore } from '../store';
import { needsCustomsDocument } from './needsCustomsDocument';
import { type OrderRecord, parcelsOf, type StoredLabel } from './Order';
import { putDocument } from './putDocument';

export interface StoreLabelsDeps {
  readonly store: Pick<OrderStore, 'update'> & Partial<Pick<OrderStore, 'record'>>;
  readonly labels: Pick<LabelStore, 'put'>;
  readonly sendcloud: (account: string, priority?: 'realtime' | 'batch') => Promise<SendcloudPort>;
  readonly clock: () => Date;
  /** Accounts whose print profile wants ZPL next to the A6 PDF. */
  readonly zplAccounts?: ReadonlySet<string>;
}

// Its own module: views and the label route ask it without bundling label storage (pdf-lib).
export { needsCustomsDocument };

/**
 * Whether the order's ZPL is stored beside its A6 PDF: the account's print profile wants it (its end-of-day
 * batches then also get a ZPL stream, made from S3). Others get none: a ZPL nobody prints is a SendCloud GET
 * per parcel (v2 merges PDFs only) that the end of day would wait for.
 */
export const wantsZpl = (
  order: Pick<OrderRecord, 'account'>,
  deps: Pick<StoreLabelsDeps, 'zplAccounts'>,
): boolean => Boolean(deps.zplAccounts?.has(order.account));

/**
 * Stores an announced order's files in S3 — the A6 label, ZPL where wanted, and the customs document of a
 * parcel leaving the EU — then marks it `label_stored`. Each file is fetched only while the order does not
 * record it, so a retry asks SendCloud for what is missing and nothing else (and labels a batch already cut
 * from a merged file are not asked for again). A customs document SendCloud
 * does not have (yet) leaves the order `announced`, with what was stored recorded: it is retried like a
 * label that could not be fetched, never shipped without its papers. Undefined means retry.
 */
export async function storeLabels(
  order: OrderRecord,
  deps: StoreLabelsDeps,
): Promise<OrderRecord | undefined> {
  return (await storeLabelsEmitting(order, deps))?.order;
}

/** What `storeLabelsEmitting` stored, and the events whose right to publish its write took. */
export interface LabelsStored {
  readonly order: OrderRecord;
  readonly emitting: readonly string[];
}

/**
 * `storeLabels`, whose `label_stored` write also takes the right to publish `beginEmit.events` (the outbox
 * of that step: one write instead of one per event). Where another publisher holds one of them, the order is
 * marked as `storeLabels` would and `emitting` is empty: the caller publishes them one by one (`emitOnce`).
 */
export async function storeLabelsEmitting(
  order: OrderRecord,
  deps: StoreLabelsDeps,
  options: {
    readonly beginEmit?: { readonly events: readonly string[]; readonly now: Date; readonly leaseMs: number };
  } = {},
): Promise<LabelsStored | undefined> {
  const parcel = order.parcel;
  if (!parcel) return undefined;
  // End-of-day orders fetch with batch priority: live orders keep their reserve of the budget.
  const port = await deps.sendcloud(order.account, order.batchId ? 'batch' : 'realtime');
  const where = {
    account: order.account,
    channel: order.channel,
    orderId: order.orderId,
    parcelId: parcel.id,
  };
  const put = (key: string, bytes: Uint8Array, contentType: string) =>
    putDocument(deps, { key, bytes, contentType });
  // Several colli: one file with every collo's label, in collo order (a page, or a ZPL label, each).
  const colli = parcelsOf(order);
  const labelOf = async (format: 'a6' | 'zpl') => {
    const files: Uint8Array[] = [];
    for (const collo of colli) files.push(await port.label(collo.id, format));
    return joinLabels(files, format);
  };
  const labels: Partial<Record<'a6' | 'zpl', StoredLabel>> = { ...order.labels };
  if (!labels.a6) {
    const key = labelKey({ ...where, format: 'a6' });
    labels.a6 = { ...(await put(key, await labelOf('a6'), 'application/pdf')), format: 'a6' };
  }
  if (wantsZpl(order, deps) && !labels.zpl) {
    const key = labelKey({ ...where, format: 'zpl' });
    labels.zpl = { ...(await put(key, await labelOf('zpl'), 'application/zpl')), format: 'zpl' };
  }
  let customsDocument = order.customsDocument;
  if (needsCustomsDocument(order) && !customsDocument) {
    const bytes = await port.customsDocument(parcel.id);
    if (!bytes) {
      // Keep the labels fetched so far; only an order still `announced` (a cancel meanwhile wins).
      await deps.store.update(
        order,
        { labels, updatedAt: deps.clock().toISOString() },
        { status: ['announced'] },
      );
      return undefined;
    }
    customsDocument = await put(customsDocumentKey(where), bytes, 'application/pdf');
  }
  const changes = {
    status: 'label_stored' as const,
    labels,
    ...(customsDocument ? { customsDocument } : {}),
    updatedAt: deps.clock().toISOString(),
  };
  // Only an order still `announced`: one cancelled meanwhile stays cancelled.
  const fence = { status: ['announced'] as const };
  const begin = options.beginEmit;
  if (begin && begin.events.length > 0 && deps.store.record) {
    if (await deps.store.record(order, { changes, fence, beginEmit: begin })) {
      const lease = { state: 'sending' as const, at: begin.now.toISOString() };
      const events = { ...order.events, ...Object.fromEntries(begin.events.map((e) => [e, lease])) };
      return { order: { ...order, ...changes, events }, emitting: begin.events };
    }
    // Refused: cancelled meanwhile, or another publisher holds one of the events; the plain write tells which.
  }
  if (!(await deps.store.update(order, changes, fence))) return undefined;
  return { order: { ...order, ...changes }, emitting: [] };
}
