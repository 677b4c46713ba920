import { createHash } from 'node:crypto';
import { type LabelStore, labelKey, mergedLabelsKey } from '../labels/LabelStore';
import type { BulkParcel } from '../labels/matchPages';
import type { LabelFormat, SendcloudPort } from '../sendcloud/port';
import { mapLimit } from './mapLimit';
import type { OrderRecord, StoredLabel } from './Order';
import { putDocument } from './putDocument';
import { wantsZpl } from './storeLabels';

export interface FetchLabelsInBulkDeps {
  readonly labels: Pick<LabelStore, 'put'>;
  readonly clock: () => Date;
  /** Accounts whose print profile wants ZPL next to the A6 PDF. */
  readonly zplAccounts?: ReadonlySet<string>;
  /** Parcels per merged call; default 20 (v3's documented maximum), never more than the API takes. */
  readonly labelBulkSize?: number;
}

export const DEFAULT_LABEL_BULK_SIZE = 20;
const CONTENT_TYPES: Readonly<Record<LabelFormat, string>> = {
  a6: 'application/pdf',
  zpl: 'application/zpl',
};
/** Merged calls in flight: a few, as the batch's recording and single downloads run. */
const BULK_CALLS_IN_FLIGHT = 4;
/** Cut pages stored at once, per merged file. */
const PUTS_IN_FLIGHT = 5;

/**
 * Fetches announced orders' labels in merged calls (A6, and ZPL where the order wants it and the API merges
 * it), parcels asked for in a defined order, and stores each parcel's page cut from the merged file where
 * `storeLabels` stores a single label — only pages matched to their parcel by content (`splitBulkLabels`).
 * A merged A6 file of one end-of-day batch's orders is stored too, and each label cut from it records its
 * page there (`StoredLabel.page`): the batch's files are merged from a few such files, not from every label.
 * Returns the orders with what was stored in `labels`; `finish` records it with `label_stored` and fetches
 * alone, as today, whatever is missing: a page not matched, a merged call that failed, a customs document.
 */
export async function fetchLabelsInBulk(
  orders: readonly OrderRecord[],
  port: Pick<SendcloudPort, 'labels' | 'bulkLabels'>,
  deps: FetchLabelsInBulkDeps,
): Promise<OrderRecord[]> {
  const stored = new Map<OrderRecord, Partial<Record<LabelFormat, StoredLabel>>>();
  const size = Math.max(
    1,
    Math.min(deps.labelBulkSize ?? DEFAULT_LABEL_BULK_SIZE, port.bulkLabels.maxParcels),
  );
  for (const format of port.bulkLabels.formats) {
    const wanted = orders.filter(
      (o) =>
        o.status === 'announced' &&
        o.parcel &&
        !o.parcels && // several colli: their labels are joined into one file by `storeLabels`
        !o.labels?.[format] &&
        (format === 'a6' || wantsZpl(o, deps)),
    );
    const chunks = chunksOf(unambiguous(wanted), size);
    await mapLimit(chunks, BULK_CALLS_IN_FLIGHT, async (chunk) => {
      for (const [order, label] of await fetchChunk(chunk, format, port, deps))
        stored.set(order, { ...stored.get(order), [format]: label });
    });
  }
  return orders.map((order) => {
    const labels = stored.get(order);
    return labels ? { ...order, labels: { ...order.labels, ...labels } } : order;
  });
}

async function fetchChunk(
  chunk: ReadonlyArray<{ readonly order: OrderRecord; readonly parcel: BulkParcel }>,
  format: LabelFormat,
  port: Pick<SendcloudPort, 'labels'>,
  deps: FetchLabelsInBulkDeps,
): Promise<Array<[OrderRecord, StoredLabel]>> {
  let merged: Uint8Array;
  try {
    merged = await port.labels(
      chunk.map((c) => c.parcel.id),
      format,
    );
  } catch {
    // A GET: nothing to reconcile. Each parcel of the chunk is fetched alone by `finish`, which retries.
    return [];
  }
  // pdf-lib is loaded with the first merged file to cut, not with the worker.
  const { splitBulkLabels } = await import('../labels/splitBulkLabels');
  const cut = await splitBulkLabels(merged, { format, parcels: chunk.map((c) => c.parcel) });
  const matched = chunk.flatMap(({ order, parcel }) => {
    const label = cut.get(parcel.id);
    return label ? [{ order, parcel, ...label }] : [];
  });
  // The merged A6 file of one batch's parcels is stored beside the cuts (its key is known before it is).
  const mergedKey = format === 'a6' && matched.length > 0 ? batchFileOf(chunk, merged) : undefined;
  const storingMerged = mergedKey && deps.labels.put(mergedKey, merged, 'application/pdf');
  // A few S3 writes at a time: one after another, a chunk's twenty would be twenty round trips.
  const storingCuts = mapLimit(matched, PUTS_IN_FLIGHT, async ({ order, parcel, bytes, page }) => {
    const key = labelKey({
      account: order.account,
      channel: order.channel,
      orderId: order.orderId,
      parcelId: parcel.id,
      format,
    });
    const document = await putDocument(deps, { key, bytes, contentType: CONTENT_TYPES[format] });
    const label: StoredLabel = {
      ...document,
      format,
      ...(mergedKey ? { page: { key: mergedKey, index: page } } : {}),
    };
    return [order, label] as [OrderRecord, StoredLabel];
  });
  const [labels] = await Promise.all([storingCuts, storingMerged]);
  return labels;
}

/**
 * Where a merged A6 file is kept when every parcel in it belongs to one end-of-day batch, for the batch's
 * files to copy their pages from; undefined for other orders' files (no merge reads them).
 */
function batchFileOf(
  chunk: ReadonlyArray<{ readonly order: OrderRecord }>,
  bytes: Uint8Array,
): string | undefined {
  const [first] = chunk;
  const batchId = first?.order.batchId;
  if (!first || !batchId || chunk.some(({ order }) => order.batchId !== batchId)) return undefined;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return mergedLabelsKey({ account: first.order.account, batchId, sha256 });
}

/**
 * The orders whose parcel can be told apart by its tracking number: one without a tracking number, or
 * sharing it with another, could never be matched, so it is left to its single fetch.
 */
function unambiguous(
  orders: readonly OrderRecord[],
): Array<{ readonly order: OrderRecord; readonly parcel: BulkParcel }> {
  const seen = new Map<string, number>();
  for (const o of orders) {
    const tn = o.parcel?.trackingNumber;
    if (tn) seen.set(tn, (seen.get(tn) ?? 0) + 1);
  }
  return orders.flatMap((order) => {
    const parcel = order.parcel;
    return parcel?.trackingNumber && seen.get(parcel.trackingNumber) === 1
      ? [{ order, parcel: { id: parcel.id, trackingNumber: parcel.trackingNumber } }]
      : [];
  });
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
