import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { renderLabelPrinterPdf } from '../local/simulator/labels';
import type { BatchFile, BatchRecord, BatchStore } from '../shared/batches/Batch';
import { type MergePartRef, mergeBatch } from '../shared/batches/mergeBatch';
import type { EventPublisher } from '../shared/events';
import type { LabelStore } from '../shared/labels';
import type { OrderRecord } from '../shared/orders/Order';
import type { SendcloudPort } from '../shared/sendcloud/port';
import { type OrderStore, orderKeyId } from '../shared/store';

/**
 * The end-of-day merge alone, as the worker Lambdas run it (`mergeBatch`, parts of 1,000, each part a work
 * item of its own), over real label PDFs padded to a realistic size, kept on disk in place of S3, in a
 * process of its own: how long each part takes and the memory it peaks at — the figures to hold against
 * the worker's 300 s and 1 GB. `tsx --expose-gc bench/merge.ts --labels 10000 [--label-kb 60] [--json]`.
 */
const { values } = parseArgs({
  options: {
    labels: { type: 'string', default: '10000' },
    /** Each label padded to this size: real carrier labels are 24–61 KB (fonts, barcode images). */
    'label-kb': { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.labels);
const LABEL_BYTES = Number(values['label-kb']) * 1024;
const dir = mkdtempSync(join(tmpdir(), 'merge-bench-'));

class DiskLabels implements LabelStore {
  async put(key: string, bytes: Uint8Array) {
    const path = join(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return { bucket: 'disk', key, sha256: '', bytes: bytes.byteLength };
  }
  async get(key: string) {
    try {
      return new Uint8Array(readFileSync(join(dir, key)));
    } catch {
      return undefined;
    }
  }
  async size(key: string) {
    try {
      return statSync(join(dir, key)).size;
    } catch {
      return undefined;
    }
  }
}

// 50 distinct real labels (barcodes, text), stored once per parcel: the merge's work per label is the same.
const distinct = await Promise.all(
  Array.from({ length: 50 }, (_, i) =>
    renderLabelPrinterPdf([
      {
        parcelId: 400_000_000 + i,
        trackingNumber: `3SCLDB${String(100_000_000 + i)}`,
        carrier: 'postnl',
        methodName: 'PostNL Standard 0-23kg',
        weight: '1.200',
        orderNumber: `WEB-${i}`,
        recipient: ['Sanne Jansen', 'Damrak 1', '1012AB Amsterdam', 'NL'],
        sender: ['Voorbeeld Webwinkel B.V.', 'Insulindelaan 115', '5642 CV Eindhoven'],
        servicePointId: null,
        isReturn: false,
      },
    ]),
  ),
);
/** The label with an uncompressed content stream of comments added, to `LABEL_BYTES` (it travels with the page). */
async function padded(label: Uint8Array): Promise<Uint8Array> {
  const doc = await PDFDocument.load(label);
  const missing = Math.max(0, LABEL_BYTES - label.byteLength);
  const line = `% ${randomBytes(36).toString('base64')}\n`;
  const filler = doc.context.stream(line.repeat(Math.ceil(missing / line.length)));
  doc.getPage(0).node.addContentStream(doc.context.register(filler));
  return doc.save({ useObjectStreams: false });
}
for (const [i, label] of distinct.entries()) distinct[i] = await padded(label);
const labels = new DiskLabels();
const orders = new Map<string, OrderRecord>();
for (let i = 0; i < N; i++) {
  const a6 = `labels/default/webshop/M${i}/${i}-a6.pdf`;
  const zpl = `labels/default/webshop/M${i}/${i}-zpl.zpl`;
  await labels.put(a6, distinct[i % distinct.length] ?? new Uint8Array());
  await labels.put(zpl, Buffer.from(`^XA^FO50,50^BCN,100,Y,N,N^FD3SCLDB${i}^FS^XZ`));
  const stored = { sha256: '', bytes: 1, storedAt: '' };
  orders.set(`M${i}`, {
    channel: 'webshop',
    orderId: `M${i}`,
    account: 'default',
    status: 'label_stored',
    bodyHash: '',
    spec: {
      toCountry: 'NL',
      weightGrams: 1200,
      serviceLevel: 'standard',
      orderValue: { amount: '10.00', currency: 'EUR' },
      delivery: { type: 'home' },
    },
    attempt: 1,
    parcel: {
      id: i + 1,
      externalReference: `webshop:M${i}`,
      trackingNumber: `3SCLDB${i}`,
      trackingUrl: null,
      carrier: 'postnl',
      shippingMethodId: 1010,
      shippingMethodName: 'PostNL Standard 0-23kg',
      statusId: 1000,
      statusMessage: 'Ready to send',
      announcedAt: '',
    },
    labels: {
      a6: { key: a6, format: 'a6', contentType: 'application/pdf', ...stored },
      zpl: { key: zpl, format: 'zpl', contentType: 'application/zpl', ...stored },
    },
    createdAt: '',
    updatedAt: '',
  });
}
let batch: BatchRecord = {
  batchId: 'BENCH',
  account: 'default',
  status: 'merging',
  splitBy: 'none',
  total: N,
  done: N,
  failed: 0,
  createdAt: new Date().toISOString(),
};
const batches = {
  get: async () => batch,
  members: async () =>
    [...orders.values()].map((o) => ({ channel: o.channel, orderId: o.orderId, outcome: 'done' })),
  complete: async (_id: string, files: readonly BatchFile[], at: string) => {
    batch = { ...batch, status: 'completed', files, completedAt: at };
    return true;
  },
} as unknown as BatchStore;
const store: Pick<OrderStore, 'getMany' | 'update'> = {
  getMany: async (keys) => {
    const found = new Map<string, OrderRecord>();
    for (const key of keys) {
      const order = orders.get(key.orderId);
      if (order) found.set(orderKeyId(key), order);
    }
    return found;
  },
  update: async () => true,
};

const deps = {
  store,
  batches,
  labels,
  events: { publish: async () => undefined } as unknown as EventPublisher,
  sendcloud: async (): Promise<SendcloudPort> => {
    throw new Error('every ZPL is stored: the merge must not call SendCloud');
  },
  clock: () => new Date(),
  zplAccounts: new Set(['default']),
};

// The plan and its parts' work items, as the worker queues them; then each part as its own invocation.
const queued: MergePartRef[] = [];
const started = performance.now();
await mergeBatch('BENCH', { ...deps, queueParts: async (parts) => void queued.push(...parts) });
const perPart: Array<{ seconds: number; peakRssMiB: number }> = [];
for (const ref of queued) {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const partStarted = performance.now();
  await mergeBatch('BENCH', deps, ref);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  perPart.push({
    seconds: (performance.now() - partStarted) / 1000,
    peakRssMiB: Math.round((peak - baseline) / 2 ** 20),
  });
}
const seconds = (performance.now() - started) / 1000;
const a6Bytes = (batch.files ?? []).filter((f) => f.format === 'a6').reduce((sum, f) => sum + f.bytes, 0);
const result = {
  labels: N,
  labelKiB: Math.round(LABEL_BYTES / 1024),
  parts: batch.files?.filter((f) => f.format === 'a6').length ?? 0,
  completed: batch.status === 'completed',
  seconds: Math.round(seconds * 10) / 10,
  slowestPartSeconds: Math.round(Math.max(...perPart.map((p) => p.seconds)) * 10) / 10,
  partPeakRssGrowthMiB: Math.max(...perPart.map((p) => p.peakRssMiB)),
  a6FileMiB: Math.round(a6Bytes / (batch.files?.filter((f) => f.format === 'a6').length || 1) / 2 ** 20),
};
rmSync(dir, { recursive: true, force: true });
if (values.json) console.log(JSON.stringify(result));
else
  console.log(
    `merge of ${N} labels of ${result.labelKiB} KiB: ${result.parts} parts × (A6, A4, ZPL), each a work item: slowest ${result.slowestPartSeconds} s, peak RSS growth ${result.partPeakRssGrowthMiB} MiB a part (A6 part ≈${result.a6FileMiB} MiB); ${result.seconds} s in all, one after another`,
  );
