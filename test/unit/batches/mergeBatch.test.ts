import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { BatchFile, BatchRecord, BatchStore } from '../../../shared/batches/Batch';
import { mergeBatch } from '../../../shared/batches/mergeBatch';
import type { EventPublisher } from '../../../shared/events';
import type { LabelStore } from '../../../shared/labels';
import type { OrderRecord } from '../../../shared/orders/Order';
import type { SendcloudPort } from '../../../shared/sendcloud/port';
import type { OrderStore } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

/** An A6 label PDF with its parcel id written on it. */
async function labelPdf(parcelId: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([297.64, 419.53]);
  page.drawText(`parcel ${parcelId}`, {
    x: 20,
    y: 380,
    size: 14,
    font: await doc.embedFont(StandardFonts.Helvetica),
  });
  return doc.save();
}

class MemoryLabels implements LabelStore {
  readonly objects = new Map<string, Uint8Array>();
  puts: string[] = [];
  failOn: RegExp | undefined;
  async put(key: string, bytes: Uint8Array) {
    if (this.failOn?.test(key)) throw new Error(`simulated crash while storing ${key}`);
    this.puts.push(key);
    this.objects.set(key, bytes);
    return { bucket: 'b', key, sha256: 'x', bytes: bytes.byteLength };
  }
  async get(key: string) {
    return this.objects.get(key);
  }
  async size(key: string) {
    return this.objects.get(key)?.byteLength;
  }
}

async function setup(count: number) {
  const labels = new MemoryLabels();
  const orders = new Map<string, OrderRecord>();
  for (let i = 1; i <= count; i++) {
    const parcelId = 1000 + i;
    const a6 = `labels/default/webshop/O${i}/${parcelId}-a6.pdf`;
    const zpl = `labels/default/webshop/O${i}/${parcelId}-zpl.zpl`;
    labels.objects.set(a6, await labelPdf(parcelId));
    labels.objects.set(zpl, Buffer.from(`^XA^FD${parcelId}^FS^XZ`));
    const order = orderRecord(
      {
        orderId: `O${i}`,
        status: 'label_stored',
        attempt: 1,
        parcel: {
          id: parcelId,
          externalReference: `webshop:O${i}`,
          trackingNumber: `T${i}`,
          trackingUrl: null,
          carrier: 'postnl',
          shippingMethodId: 1010,
          shippingMethodName: 'PostNL Standard',
          statusId: 1000,
          statusMessage: 'Ready to send',
          announcedAt: '2026-11-25T15:00:00Z',
        },
        labels: {
          a6: { key: a6, format: 'a6', contentType: 'application/pdf', sha256: 'x', bytes: 1, storedAt: '' },
          zpl: {
            key: zpl,
            format: 'zpl',
            contentType: 'application/zpl',
            sha256: 'x',
            bytes: 1,
            storedAt: '',
          },
        },
      },
      '2026-11-25T10:00:00Z',
    );
    orders.set(`O${i}`, order);
  }
  let batch: BatchRecord = {
    batchId: 'B1',
    account: 'default',
    status: 'merging',
    splitBy: 'none',
    total: count,
    done: count,
    failed: 0,
    createdAt: '2026-11-25T16:00:00Z',
  };
  const batches: Pick<BatchStore, 'get' | 'members' | 'complete'> = {
    get: async () => batch,
    members: async () =>
      [...orders.values()].map((o) => ({ channel: o.channel, orderId: o.orderId, outcome: 'done' })),
    complete: async (_id: string, files: readonly BatchFile[], at: string) => {
      batch = { ...batch, status: 'completed', files, completedAt: at };
    },
  };
  const store: Pick<OrderStore, 'get' | 'update'> = {
    get: async (key) => orders.get(key.orderId),
    update: async (key, changes) => {
      const order = orders.get(key.orderId);
      if (order) orders.set(key.orderId, { ...order, ...changes } as OrderRecord);
      return true;
    },
  };
  const published: unknown[] = [];
  const events = {
    publish: async (_type: string, detail: unknown) => void published.push(detail),
  } as EventPublisher;
  const noSendcloud = async (): Promise<SendcloudPort> => {
    throw new Error('the merge must not call SendCloud when every label is stored');
  };
  const deps = {
    store: store as OrderStore,
    batches: batches as BatchStore,
    labels,
    events,
    sendcloud: noSendcloud,
    clock: () => new Date('2026-11-25T16:05:00Z'),
    partSize: 2,
  };
  return { deps, labels, orders, published, batch: () => batch };
}

describe('mergeBatch', () => {
  it('merges stored labels into A6, A4 four-up and ZPL parts, from S3 only, and ships the orders', async () => {
    const { deps, orders, published, batch } = await setup(5);
    await mergeBatch('B1', deps);
    const files = batch().files ?? [];
    expect(files.map((f) => `${f.format}:${f.part}/${f.parts}:${f.labels}`).sort()).toEqual(
      [
        'a4:1/3:2',
        'a4:2/3:2',
        'a4:3/3:1',
        'a6:1/3:2',
        'a6:2/3:2',
        'a6:3/3:1',
        'zpl:1/3:2',
        'zpl:2/3:2',
        'zpl:3/3:1',
      ].sort(),
    );
    const a6 = await PDFDocument.load(
      deps.labels.objects.get(files.find((f) => f.format === 'a6')?.key ?? '') ?? new Uint8Array(),
    );
    expect(a6.getPageCount()).toBe(2);
    const zpl = Buffer.from(
      deps.labels.objects.get(files.find((f) => f.format === 'zpl' && f.part === 3)?.key ?? '') ?? [],
    ).toString();
    expect(zpl).toContain('^FD1005^FS');
    expect([...orders.values()].every((o) => o.status === 'shipped')).toBe(true);
    expect(published).toHaveLength(1);
  });

  it('resumes after a crash: parts already stored are not made again, and nothing is lost', async () => {
    const { deps, labels, batch } = await setup(5);
    labels.failOn = /part2-zpl/;
    await expect(mergeBatch('B1', deps)).rejects.toThrow(/simulated crash/);
    expect(batch().status).toBe('merging');
    const firstRun = [...labels.puts];
    expect(firstRun.filter((k) => k.includes('part1'))).toHaveLength(3);
    labels.failOn = undefined;
    labels.puts = [];
    await mergeBatch('B1', deps);
    // part 1 was complete (its ZPL, written last, exists): reused; part 2 (no ZPL yet) and part 3 are made
    expect(labels.puts.some((k) => k.includes('part1'))).toBe(false);
    expect(labels.puts.filter((k) => k.includes('part2'))).toHaveLength(3);
    expect(labels.puts.filter((k) => k.includes('part3'))).toHaveLength(3);
    expect(batch().status).toBe('completed');
    expect(batch().files).toHaveLength(9);
    expect(batch().files?.every((f) => f.bytes > 0)).toBe(true);
  });
});
