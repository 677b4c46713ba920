import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderLabelPrinterPdf } from '../local/simulator/labels';
import type { BatchFile, BatchRecord, BatchStore } from '../shared/batches/Batch';
import { mergeBatch } from '../shared/batches/mergeBatch';
import type { EventPublisher } from '../shared/events';
import type { LabelStore } from '../shared/labels';
import type { OrderRecord } from '../shared/orders/Order';
import type { SendcloudPort } from '../shared/sendcloud/port';
import { type OrderStore, orderKeyId } from '../shared/store';

/**
 * The end-of-day merge alone, as the worker Lambda runs it (`mergeBatch`, parts of 1,000), over real label
 * PDFs kept on disk in place of S3, in a process of its own: how long it takes and the memory it peaks at —
 * the figure to hold against the worker's 1 GB. `tsx bench/merge.ts --labels 10000 [--json]`.
 */
const { values } = parseArgs({
  options: { labels: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } },
});
const N = Number(values.labels);
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

global.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const started = performance.now();
await mergeBatch('BENCH', {
  store,
  batches,
  labels,
  events: { publish: async () => undefined } as unknown as EventPublisher,
  sendcloud: async (): Promise<SendcloudPort> => {
    throw new Error('every ZPL is stored: the merge must not call SendCloud');
  },
  clock: () => new Date(),
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const result = {
  labels: N,
  parts: batch.files?.filter((f) => f.format === 'a6').length ?? 0,
  seconds: Math.round(seconds * 10) / 10,
  peakRssMiB: Math.round(peak / 2 ** 20),
  baselineRssMiB: Math.round(baseline / 2 ** 20),
};
rmSync(dir, { recursive: true, force: true });
if (values.json) console.log(JSON.stringify(result));
else
  console.log(
    `merge of ${N} labels: ${result.parts} parts × (A6, A4, ZPL) in ${result.seconds} s, peak RSS ${result.peakRssMiB} MiB (${result.baselineRssMiB} MiB before)`,
  );
