import { PDFDocument } from 'pdf-lib';
import type { EventPublisher } from '../events';
import type { LabelStore } from '../labels';
import { joinLabels } from '../labels/joinLabels';
import { LOAD_AT_ONCE, SAVE_AT_ONCE } from '../labels/pdfOptions';
import { mapLimit } from '../orders/mapLimit';
import { isCancelStatus, type OrderKey, type OrderRecord, parcelsOf } from '../orders/Order';
import type { SendcloudPort } from '../sendcloud/port';
import { type OrderStore, orderKeyId } from '../store';
import type { BatchFile, BatchRecord, BatchStore } from './Batch';
import { MergeIncompleteError } from './errors';

export interface MergeDeps {
  readonly store: Pick<OrderStore, 'getMany' | 'update'>;
  readonly batches: BatchStore;
  readonly labels: LabelStore;
  readonly events: EventPublisher;
  readonly sendcloud: (account: string, priority?: 'realtime' | 'batch') => Promise<SendcloudPort>;
  readonly clock: () => Date;
  /** Labels per merged file; bounds memory (a 1 GB Lambda merges thousands of real labels per part). */
  readonly partSize?: number;
  /** Accounts whose printers take ZPL: their batches also get a ZPL stream. */
  readonly zplAccounts?: ReadonlySet<string>;
  /** Queues parts as work items of their own; absent, every part is made by the one call. */
  readonly queueParts?: (parts: readonly MergePartRef[]) => Promise<void>;
}

const A4: readonly [number, number] = [595.28, 841.89];
/**
 * Labels read from S3 at once while a part is merged, and orders handed over at once: a part's 1,000 reads
 * one after another would take 1,000 round trips (≈ 15 s in a Lambda); a window keeps memory to a few labels.
 */
const READ_AHEAD = 16;
const HANDOVERS_AT_ONCE = 10;

/** Labels of these orders: one per parcel (an order of several colli has a label for each). */
const labelsIn = (orders: readonly OrderRecord[]): number =>
  orders.reduce((sum, order) => sum + parcelsOf(order).length, 0);

/** One part of a batch's files: which orders' labels it prints, in which order. */
export interface MergePart {
  readonly split: string;
  readonly part: number;
  readonly parts: number;
  readonly orders: readonly OrderKey[];
  /** Labels it holds (one per parcel) and customs documents. */
  readonly labels: number;
  readonly customs: number;
}

/** A part as a work item of its own (`merge-part` on the batch queue). */
export interface MergePartRef {
  readonly batchId: string;
  readonly split: string;
  readonly part: number;
}

/**
 * The batch's printable files: per split (carrier, packing station or all), an A6 label-printer PDF, an A4
 * four-up PDF and, for an account whose printers take ZPL, a ZPL stream, in parts of `partSize` labels; each
 * part's orders are then handed over (`shipped`), and once every part is stored `Batch Completed` is
 * published. The parts are planned once (the plan is stored beside the files). With `queueParts`, a batch of
 * several parts has each part made by a work item of its own (`mergeBatch(id, deps, part)`), in parallel and
 * each well inside a worker's time and memory; the part that finds every other part stored completes the
 * batch. Safe to repeat: files are overwritten, handover is idempotent, and only the merge that completes the
 * batch publishes. A part is stored only with every label it claims: a label missing from S3 is fetched
 * from SendCloud again and stored back; if that fails, the merge fails (`MergeIncompleteError`, retried)
 * instead of publishing a short file. A `running` batch is recounted first and merged only if every order is
 * settled (`resumeStuckBatches` asks so).
 */
export async function mergeBatch(
  batchId: string,
  deps: MergeDeps,
  only?: Pick<MergePartRef, 'split' | 'part'>,
): Promise<BatchRecord | undefined> {
  let batch = await deps.batches.get(batchId);
  // Asked by the stuck-batch sweep: a running batch whose count a crash left short merges once recounted.
  if (batch?.status === 'running' && !only) {
    const counted = await deps.batches.recount(batchId);
    if (counted?.status !== 'running' || counted.done + counted.failed < counted.total) return counted;
    await deps.batches.startMerging(batchId);
    batch = await deps.batches.get(batchId);
  }
  if (batch?.status !== 'merging') return batch;
  const current = batch;
  const formats = formatsOf(current, deps);
  const planned = await planOf(current, deps);
  const { plan } = planned;
  const missing: MergePart[] = [];
  for (const part of plan) {
    if (only && (part.split !== only.split || part.part !== only.part)) continue;
    if (await storedFiles(current, part, formats, deps)) continue;
    missing.push(part);
  }
  if (!only && missing.length > 1 && deps.queueParts) {
    // Each part a work item of its own; the last one stored completes the batch.
    await deps.labels.put(planKey(current), Buffer.from(JSON.stringify(plan)), 'application/json');
    await deps.queueParts(missing.map((p) => ({ batchId, split: p.split, part: p.part })));
    return current;
  }
  for (const part of missing) await makePart(current, part, formats, planned.orders, deps);
  const files: BatchFile[] = [];
  for (const part of plan) {
    const stored = await storedFiles(current, part, formats, deps);
    // Another part still being made (by its own work item): that one completes the batch.
    if (!stored) return current;
    files.push(...stored);
  }
  const now = deps.clock().toISOString();
  const claimed = files.filter((f) => f.format === 'a6').reduce((sum, f) => sum + f.labels, 0);
  const labels = plan.reduce((sum, p) => sum + p.labels, 0);
  if (claimed !== labels) throw new MergeIncompleteError(batchId, 'all', { expected: labels, got: claimed });
  // A second merge of the same batch (a redelivery, the stuck-batch sweep) that finishes later publishes nothing.
  if (!(await deps.batches.complete(batchId, files, now))) return deps.batches.get(batchId);
  const members = await deps.batches.members(batchId);
  const failed = members.filter((m) => m.outcome === 'failed');
  await deps.events.publish('Batch Completed', {
    batchId,
    account: current.account,
    total: current.total,
    succeeded: plan.reduce((sum, p) => sum + p.orders.length, 0),
    parcels: labels,
    failed: failed.length,
    files: files.map((f) => ({
      split: f.split,
      format: f.format,
      part: f.part,
      parts: f.parts,
      labels: f.labels,
      key: f.key,
    })),
    failures: failed
      .slice(0, 100)
      .map((m) => ({ orderId: m.orderId, channel: m.channel, reason: m.reason ?? 'failed' })),
    completedAt: now,
  });
  return deps.batches.get(batchId);
}

type Format = readonly ['a6' | 'a4' | 'zpl', 'pdf' | 'zpl'];

function formatsOf(batch: BatchRecord, deps: MergeDeps): readonly Format[] {
  const pdf: Format[] = [
    ['a6', 'pdf'],
    ['a4', 'pdf'],
  ];
  return deps.zplAccounts?.has(batch.account) ? [...pdf, ['zpl', 'zpl']] : pdf;
}

const prefixOf = (batch: BatchRecord, part: Pick<MergePart, 'split' | 'part'>) =>
  `batches/${batch.account}/${batch.batchId}/${part.split}-part${part.part}`;
const planKey = (batch: BatchRecord) => `batches/${batch.account}/${batch.batchId}/plan.json`;

/**
 * The batch's parts: its labelled, not cancelled orders by split, in parcel order, `partSize` labels a part.
 * A part's work item reads the plan its batch stored (and only its own orders); the first merge makes it.
 */
async function planOf(
  batch: BatchRecord,
  deps: MergeDeps,
): Promise<{ plan: readonly MergePart[]; orders?: ReadonlyMap<string, OrderRecord> }> {
  const stored = await deps.labels.get(planKey(batch));
  if (stored) return { plan: JSON.parse(Buffer.from(stored).toString('utf8')) as MergePart[] };
  const done = (await deps.batches.members(batch.batchId)).filter((m) => m.outcome === 'done');
  // Every order in a few strongly consistent reads (100 a call), in the members' order.
  const read = await deps.store.getMany(done);
  const orders: OrderRecord[] = [];
  // An order cancelled before the merge leaves the batch's files.
  for (const member of done) {
    const order = read.get(orderKeyId(member));
    if (order?.parcel && order.labels?.a6 && !isCancelStatus(order.status)) orders.push(order);
  }
  const groups = new Map<string, OrderRecord[]>();
  for (const order of orders.sort((a, b) => (a.parcel?.id ?? 0) - (b.parcel?.id ?? 0))) {
    const split =
      batch.splitBy === 'carrier'
        ? (order.parcel?.carrier ?? 'unknown')
        : batch.splitBy === 'packingStation'
          ? (order.spec.packingStation ?? 'unassigned')
          : 'all';
    groups.set(split, [...(groups.get(split) ?? []), order]);
  }
  const partSize = deps.partSize ?? 1_000;
  const plan: MergePart[] = [];
  for (const [split, group] of groups) {
    const parts = Math.ceil(group.length / partSize);
    for (let part = 1; part <= parts; part++) {
      const slice = group.slice((part - 1) * partSize, part * partSize);
      plan.push({
        split,
        part,
        parts,
        orders: slice.map((o) => ({ channel: o.channel, orderId: o.orderId })),
        labels: labelsIn(slice),
        customs: slice.filter((o) => o.customsDocument && o.parcel).length,
      });
    }
  }
  return { plan, orders: new Map(orders.map((o) => [orderKeyId(o), o])) };
}

/** The part's files if all of them are stored (a merge cut short resumes at the first part not stored). */
async function storedFiles(
  batch: BatchRecord,
  part: MergePart,
  formats: readonly Format[],
  deps: MergeDeps,
): Promise<BatchFile[] | undefined> {
  const prefix = prefixOf(batch, part);
  const sizes = await Promise.all(formats.map(([f, ext]) => deps.labels.size(`${prefix}-${f}.${ext}`)));
  if (!sizes.every((size) => size !== undefined)) return undefined;
  const { split, part: n, parts } = part;
  const files: BatchFile[] = formats.map(([format, ext], i) => ({
    split,
    format,
    part: n,
    parts,
    labels: part.labels,
    key: `${prefix}-${format}.${ext}`,
    bytes: sizes[i] ?? 0,
  }));
  const customsSize = part.customs > 0 ? await deps.labels.size(`${prefix}-customs.pdf`) : undefined;
  if (customsSize !== undefined)
    files.push({
      split,
      format: 'customs',
      part: n,
      parts,
      labels: part.customs,
      key: `${prefix}-customs.pdf`,
      bytes: customsSize,
    });
  return files;
}

/**
 * Makes and stores one part's files — customs papers, A6, A4, then ZPL: the last format stored marks the part
 * made — and hands its orders over (`shipped`) while they are made, done before that last one is stored.
 */
async function makePart(
  batch: BatchRecord,
  part: MergePart,
  formats: readonly Format[],
  known: ReadonlyMap<string, OrderRecord> | undefined,
  deps: MergeDeps,
): Promise<void> {
  const unknown = part.orders.filter((key) => !known?.has(orderKeyId(key)));
  const read = unknown.length > 0 ? await deps.store.getMany(unknown) : new Map<string, OrderRecord>();
  const slice: OrderRecord[] = [];
  for (const key of part.orders) {
    const order = known?.get(orderKeyId(key)) ?? read.get(orderKeyId(key));
    if (!order)
      throw new MergeIncompleteError(batch.batchId, `${part.split}-${part.part}`, {
        expected: part.orders.length,
        got: slice.length,
      });
    slice.push(order);
  }
  // Only a label whose ZPL is not stored needs SendCloud (orders from before ZPL was stored with the A6).
  let client: Promise<SendcloudPort> | undefined;
  const sendcloud = () => {
    client ??= deps.sendcloud(batch.account, 'batch');
    return client;
  };
  const name = `${part.split}-${part.part}`;
  const prefix = prefixOf(batch, part);
  // The handover runs while the files are made; it ends before the last file is stored (below).
  const now = deps.clock().toISOString();
  const handover = mapLimit(
    slice.filter((order) => order.status === 'label_stored'),
    HANDOVERS_AT_ONCE,
    (order) => deps.store.update(order, { status: 'shipped', updatedAt: now }, { status: ['label_stored'] }),
  );
  // A failed handover is thrown where it is awaited; a failed merge leaves it to finish on its own.
  handover.catch(() => undefined);
  const { a6, a4, merged } = await mergePdfs(slice, sendcloud, deps.labels);
  if (merged !== slice.length)
    throw new MergeIncompleteError(batch.batchId, name, { expected: slice.length, got: merged });
  // The customs papers of the part's parcels leaving the EU customs territory, printed with its A4 sheets.
  const customs = await customsFile(slice, sendcloud, deps.labels, batch.batchId, name);
  if (customs) await deps.labels.put(`${prefix}-customs.pdf`, customs.bytes, 'application/pdf');
  for (const [n, [format, ext]] of formats.entries()) {
    // Handed over before the last file, whose presence marks the part made: a crash in between remakes it.
    if (n === formats.length - 1) await handover;
    const bytes =
      format === 'a6' ? a6 : format === 'a4' ? a4 : await zplStream(slice, sendcloud, deps.labels);
    const type = ext === 'pdf' ? 'application/pdf' : 'application/zpl';
    await deps.labels.put(`${prefix}-${format}.${ext}`, bytes, type);
  }
}

/** One document a page per label (A6), and the same labels four to an A4 page; `merged` counts the labels in. */
async function mergePdfs(
  orders: readonly OrderRecord[],
  client: () => Promise<SendcloudPort>,
  labels: LabelStore,
): Promise<{ a6: Uint8Array; a4: Uint8Array; merged: number }> {
  const a6 = await PDFDocument.create();
  const a4 = await PDFDocument.create();
  let sheet = a4.addPage([...A4]);
  let slot = 0;
  let merged = 0;
  const pagesOf = labelPages(client, labels);
  // READ_AHEAD labels read at once, then merged in the part's order.
  for (let start = 0; start < orders.length; start += READ_AHEAD) {
    const window = orders.slice(start, start + READ_AHEAD);
    for (const pages of await mapLimit(window, READ_AHEAD, pagesOf)) {
      if (!pages) continue;
      for (const page of await a6.copyPages(pages.doc, [...pages.indices])) a6.addPage(page);
      // every collo's label (a page each) takes a quarter of the A4 sheet
      for (const embedded of await a4.embedPages(pages.indices.map((i) => pages.doc.getPage(i)))) {
        if (slot === 4) {
          sheet = a4.addPage([...A4]);
          slot = 0;
        }
        const scale = Math.min(A4[0] / 2 / embedded.width, A4[1] / 2 / embedded.height);
        const x = (slot % 2) * (A4[0] / 2);
        const y = slot < 2 ? A4[1] / 2 : 0;
        sheet.drawPage(embedded, { x, y, xScale: scale, yScale: scale });
        slot++;
      }
      merged++;
    }
  }
  return { a6: await a6.save(SAVE_AT_ONCE), a4: await a4.save(SAVE_AT_ONCE), merged };
}

/** Merged files SendCloud returned kept open while a part is made: a few MB each with real labels. */
const MERGED_FILES_OPEN = 4;

/** An order's label as pages of a document: its page of a merged file, or every page of its own file. */
interface LabelPages {
  readonly doc: PDFDocument;
  readonly indices: readonly number[];
}

/**
 * Where each order's A6 label is copied from: its page of the merged file SendCloud returned for the batch
 * (`StoredLabel.page`, one read for the twenty labels in it), else its own stored file (one read each, a
 * label missing from S3 fetched again and stored back). A merged file no longer stored falls back to that.
 */
function labelPages(
  client: () => Promise<SendcloudPort>,
  labels: LabelStore,
): (order: OrderRecord) => Promise<LabelPages | undefined> {
  const open = new Map<string, Promise<PDFDocument | undefined>>();
  const mergedFile = (key: string) => {
    const opened =
      open.get(key) ??
      labels.get(key).then((bytes) => (bytes ? PDFDocument.load(bytes, LOAD_AT_ONCE) : undefined));
    // the most recently used last; the least recently used is let go beyond MERGED_FILES_OPEN
    open.delete(key);
    open.set(key, opened);
    for (const oldest of open.keys()) if (open.size > MERGED_FILES_OPEN) open.delete(oldest);
    return opened;
  };
  return async (order) => {
    const page = order.labels?.a6?.page;
    const doc = page && (await mergedFile(page.key));
    if (page && doc && page.index < doc.getPageCount()) return { doc, indices: [page.index] };
    const bytes = await storedOrRestored(order, client, labels);
    if (!bytes) return undefined;
    const own = await PDFDocument.load(bytes, LOAD_AT_ONCE);
    return { doc: own, indices: own.getPageIndices() };
  };
}

/**
 * One PDF of the part's customs documents (each on its own pages, in the part's order), or undefined when no
 * parcel of it leaves the EU customs territory. One missing from S3 is fetched again and stored back; one
 * SendCloud no longer has fails the merge (retried) rather than print a part without its papers.
 */
async function customsFile(
  orders: readonly OrderRecord[],
  client: () => Promise<SendcloudPort>,
  labels: LabelStore,
  batchId: string,
  part: string,
): Promise<{ bytes: Uint8Array; documents: number } | undefined> {
  const withPapers = orders.filter((o) => o.customsDocument && o.parcel);
  if (withPapers.length === 0) return undefined;
  const merged = await PDFDocument.create();
  for (const order of withPapers) {
    const stored = order.customsDocument as NonNullable<OrderRecord['customsDocument']>;
    let bytes = await labels.get(stored.key);
    if (!bytes) {
      bytes = await (await client()).customsDocument((order.parcel as NonNullable<OrderRecord['parcel']>).id);
      if (!bytes)
        throw new MergeIncompleteError(batchId, `${part}-customs`, {
          expected: withPapers.length,
          got: withPapers.indexOf(order),
        });
      await labels.put(stored.key, bytes, stored.contentType);
    }
    const source = await PDFDocument.load(bytes, LOAD_AT_ONCE);
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return { bytes: await merged.save(SAVE_AT_ONCE), documents: withPapers.length };
}

/** The order's stored A6 label; one missing from S3 is fetched from SendCloud (a GET) and stored back. */
async function storedOrRestored(
  order: OrderRecord,
  client: () => Promise<SendcloudPort>,
  labels: LabelStore,
): Promise<Uint8Array | undefined> {
  const stored = order.labels?.a6;
  if (!stored || !order.parcel) return undefined;
  const bytes = await labels.get(stored.key);
  if (bytes) return bytes;
  const fetched = await labelOfEveryCollo(order, client, 'a6');
  await labels.put(stored.key, fetched, stored.contentType);
  return fetched;
}

/** The order's label fetched again: one file with a label for each of its parcels. */
async function labelOfEveryCollo(
  order: OrderRecord,
  client: () => Promise<SendcloudPort>,
  format: 'a6' | 'zpl',
): Promise<Uint8Array> {
  const port = await client();
  const files: Uint8Array[] = [];
  for (const parcel of parcelsOf(order)) files.push(await port.label(parcel.id, format));
  return joinLabels(files, format);
}

/** ZPL streams concatenate: the stored ZPL where the print profile made it, else fetched once and stored. */
async function zplStream(
  orders: readonly OrderRecord[],
  client: () => Promise<SendcloudPort>,
  labels: LabelStore,
): Promise<Uint8Array> {
  const streams = await mapLimit(orders, 8, async (order) => {
    if (!order.parcel) return Buffer.alloc(0);
    const stored = order.labels?.zpl ? await labels.get(order.labels.zpl.key) : undefined;
    return Buffer.concat([
      Buffer.from(stored ?? (await labelOfEveryCollo(order, client, 'zpl'))),
      Buffer.from('\n'),
    ]);
  });
  return Buffer.concat(streams);
}
