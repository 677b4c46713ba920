import { PDFDocument } from 'pdf-lib';
import type { EventPublisher } from '../events';
import type { LabelStore } from '../labels';
import { joinLabels } from '../labels/joinLabels';
import { mapLimit } from '../orders/mapLimit';
import { isCancelStatus, type OrderRecord, parcelsOf } from '../orders/Order';
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
}

const A4: readonly [number, number] = [595.28, 841.89];

/** Labels of these orders: one per parcel (an order of several colli has a label for each). */
const labelsIn = (orders: readonly OrderRecord[]): number =>
  orders.reduce((sum, order) => sum + parcelsOf(order).length, 0);

/**
 * The batch's printable files: per split (carrier, packing station or all), an A6 label-printer PDF, an A4
 * four-up PDF and, for an account whose printers take ZPL, a ZPL stream, in parts of `partSize` labels. Then the orders are handed over (`shipped`)
 * and `Batch Completed` is published. Safe to repeat: files are overwritten, handover is idempotent, and only
 * the merge that completes the batch publishes. A part is stored only with every label it claims: a label
 * missing from S3 is fetched from SendCloud again and stored back; if that fails, the merge fails
 * (`MergeIncompleteError`, retried) instead of publishing a short file. A `running` batch is recounted first
 * and merged only if every order is settled (`resumeStuckBatches` asks so).
 */
export async function mergeBatch(batchId: string, deps: MergeDeps): Promise<BatchRecord | undefined> {
  let batch = await deps.batches.get(batchId);
  // Asked by the stuck-batch sweep: a running batch whose count a crash left short merges once recounted.
  if (batch?.status === 'running') {
    const counted = await deps.batches.recount(batchId);
    if (counted?.status !== 'running' || counted.done + counted.failed < counted.total) return counted;
    await deps.batches.startMerging(batchId);
    batch = await deps.batches.get(batchId);
  }
  if (batch?.status !== 'merging') return batch;
  const members = await deps.batches.members(batchId);
  const orders: OrderRecord[] = [];
  const done = members.filter((m) => m.outcome === 'done');
  // Every order in a few strongly consistent reads (100 a call), in the members' order.
  const read = await deps.store.getMany(done);
  const loaded = done.map((member) => read.get(orderKeyId(member)));
  // An order cancelled before the merge leaves the batch's files.
  for (const order of loaded)
    if (order?.parcel && order.labels?.a6 && !isCancelStatus(order.status)) orders.push(order);
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
  // Only a label whose ZPL is not stored needs SendCloud (orders from before ZPL was stored with the A6).
  let client: Promise<SendcloudPort> | undefined;
  const sendcloud = () => {
    client ??= deps.sendcloud(batch.account, 'batch');
    return client;
  };
  const partSize = deps.partSize ?? 1_000;
  const withZpl = deps.zplAccounts?.has(batch.account) ?? false;
  const files: BatchFile[] = [];
  for (const [split, group] of groups) {
    const parts = Math.ceil(group.length / partSize);
    for (let part = 1; part <= parts; part++) {
      const slice = group.slice((part - 1) * partSize, part * partSize);
      const prefix = `batches/${batch.account}/${batchId}/${split}-part${part}`;
      const formats = withZpl
        ? ([
            ['a6', 'pdf'],
            ['a4', 'pdf'],
            ['zpl', 'zpl'],
          ] as const)
        : ([
            ['a6', 'pdf'],
            ['a4', 'pdf'],
          ] as const);
      // A merge that was cut short (timeout, redelivery) resumes: parts already stored are not made again.
      const sizes = await Promise.all(formats.map(([f, ext]) => deps.labels.size(`${prefix}-${f}.${ext}`)));
      if (sizes.every((size) => size !== undefined)) {
        formats.forEach(([format, ext], i) => {
          files.push({
            split,
            format,
            part,
            parts,
            labels: labelsIn(slice),
            key: `${prefix}-${format}.${ext}`,
            bytes: sizes[i] ?? 0,
          });
        });
        const customsSize = await deps.labels.size(`${prefix}-customs.pdf`);
        if (customsSize !== undefined)
          files.push({
            split,
            format: 'customs',
            part,
            parts,
            labels: slice.filter((o) => o.customsDocument).length,
            key: `${prefix}-customs.pdf`,
            bytes: customsSize,
          });
        continue;
      }
      const { a6, a4, merged } = await mergePdfs(slice, sendcloud, deps.labels);
      if (merged !== slice.length)
        throw new MergeIncompleteError(batchId, `${split}-${part}`, { expected: slice.length, got: merged });
      const zpl = withZpl ? await zplStream(slice, sendcloud, deps.labels) : undefined;
      // The customs papers of the part's parcels leaving the EU customs territory, printed with its A4 sheets.
      const customs = await customsFile(slice, sendcloud, deps.labels, batchId, `${split}-${part}`);
      if (customs) {
        const key = `${prefix}-customs.pdf`;
        const put = await deps.labels.put(key, customs.bytes, 'application/pdf');
        files.push({
          split,
          format: 'customs',
          part,
          parts,
          labels: customs.documents,
          key,
          bytes: put.bytes,
        });
      }
      // The last format stored (ZPL where made, else A4) marks the part as complete.
      const printable = [
        ['a6', a6, 'pdf', 'application/pdf'],
        ['a4', a4, 'pdf', 'application/pdf'],
        ...(zpl ? ([['zpl', zpl, 'zpl', 'application/zpl']] as const) : []),
      ] as const;
      for (const [format, bytes, ext, type] of printable) {
        const key = `${prefix}-${format}.${ext}`;
        const put = await deps.labels.put(key, bytes, type);
        files.push({ split, format, part, parts, labels: labelsIn(slice), key, bytes: put.bytes });
      }
    }
  }
  const now = deps.clock().toISOString();
  for (const order of orders)
    if (order.status === 'label_stored')
      await deps.store.update(order, { status: 'shipped', updatedAt: now }, { status: ['label_stored'] });
  const claimed = files.filter((f) => f.format === 'a6').reduce((sum, f) => sum + f.labels, 0);
  if (claimed !== labelsIn(orders))
    throw new MergeIncompleteError(batchId, 'all', { expected: labelsIn(orders), got: claimed });
  // A second merge of the same batch (a redelivery, the stuck-batch sweep) that finishes later publishes nothing.
  if (!(await deps.batches.complete(batchId, files, now))) return deps.batches.get(batchId);
  const failures = members
    .filter((m) => m.outcome === 'failed')
    .slice(0, 100)
    .map((m) => ({ orderId: m.orderId, channel: m.channel, reason: m.reason ?? 'failed' }));
  await deps.events.publish('Batch Completed', {
    batchId,
    account: batch.account,
    total: batch.total,
    succeeded: orders.length,
    parcels: labelsIn(orders),
    failed: members.filter((m) => m.outcome === 'failed').length,
    files: files.map((f) => ({
      split: f.split,
      format: f.format,
      part: f.part,
      parts: f.parts,
      labels: f.labels,
      key: f.key,
    })),
    failures,
    completedAt: now,
  });
  return deps.batches.get(batchId);
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
  for (const order of orders) {
    const bytes = await storedOrRestored(order, client, labels);
    if (!bytes) continue;
    const source = await PDFDocument.load(bytes);
    for (const page of await a6.copyPages(source, source.getPageIndices())) a6.addPage(page);
    // every collo's label (a page each) takes a quarter of the A4 sheet
    for (const embedded of await a4.embedPages(source.getPages())) {
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
  return { a6: await a6.save(), a4: await a4.save(), merged };
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
    const source = await PDFDocument.load(bytes);
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return { bytes: await merged.save(), documents: withPapers.length };
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
