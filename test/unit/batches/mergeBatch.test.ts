import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { BatchFile, BatchRecord, BatchStore } from '../../../shared/batches/Batch';
import { type MergePartRef, mergeBatch } from '../../../shared/batches/mergeBatch';
import type { EventPublisher } from '../../../shared/events';
import type { LabelStore } from '../../../shared/labels';
import type { OrderRecord } from '../../../shared/orders/Order';
import type { SendcloudPort } from '../../../shared/sendcloud/port';
import { type OrderStore, orderKeyId } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';
import { pdfText } from '../../helpers/pdfText';
import { MemoryBatchStore } from './fakes';

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

/** The text each page of a PDF draws, page by page. */
async function pageTexts(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  const texts: string[] = [];
  for (const index of doc.getPageIndices()) {
    const single = await PDFDocument.create();
    for (const page of await single.copyPages(doc, [index])) single.addPage(page);
    texts.push((await pdfText(await single.save())).text);
  }
  return texts;
}

/** Stores a merged file of the orders' labels in `pages` order and records each label's page in it. */
async function mergedFile(
  labels: MemoryLabels,
  orders: Map<string, OrderRecord>,
  key: string,
  pages: readonly string[],
): Promise<void> {
  const file = await PDFDocument.create();
  for (const [index, orderId] of pages.entries()) {
    const order = orders.get(orderId);
    const a6 = order?.labels?.a6;
    if (!order || !a6) throw new Error(`no label for ${orderId}`);
    const own = await PDFDocument.load(labels.objects.get(a6.key) ?? new Uint8Array());
    for (const page of await file.copyPages(own, [0])) file.addPage(page);
    orders.set(orderId, { ...order, labels: { ...order.labels, a6: { ...a6, page: { key, index } } } });
  }
  labels.objects.set(key, await file.save());
}

class MemoryLabels implements LabelStore {
  readonly objects = new Map<string, Uint8Array>();
  puts: string[] = [];
  gets: string[] = [];
  failOn: RegExp | undefined;
  async put(key: string, bytes: Uint8Array) {
    if (this.failOn?.test(key)) throw new Error(`simulated crash while storing ${key}`);
    this.puts.push(key);
    this.objects.set(key, bytes);
    return { bucket: 'b', key, sha256: 'x', bytes: bytes.byteLength };
  }
  async get(key: string) {
    this.gets.push(key);
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
      if (batch.status !== 'merging') return false;
      batch = { ...batch, status: 'completed', files, completedAt: at };
      return true;
    },
  };
  const reads: number[] = [];
  const store: Pick<OrderStore, 'getMany' | 'update'> = {
    getMany: async (keys) => {
      reads.push(keys.length);
      return new Map(
        keys.flatMap((key) => {
          const order = orders.get(key.orderId);
          return order ? [[orderKeyId(key), order] as const] : [];
        }),
      );
    },
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
    store,
    batches: batches as BatchStore,
    labels,
    events,
    sendcloud: noSendcloud,
    clock: () => new Date('2026-11-25T16:05:00Z'),
    partSize: 2,
    zplAccounts: new Set(['default']) as ReadonlySet<string>,
  };
  return { deps, labels, orders, published, reads, batch: () => batch };
}

/** `format:part/parts:labels` of each file, sorted. */
const layoutOf = (files: readonly BatchFile[]) =>
  files.map((f) => `${f.format}:${f.part}/${f.parts}:${f.labels}`).sort();
/** Five labels in parts of two, for an account that prints ZPL. */
const FIVE_IN_PARTS_OF_TWO = ['a4', 'a6', 'zpl'].flatMap((format) =>
  ['1/3:2', '2/3:2', '3/3:1'].map((part) => `${format}:${part}`),
);

describe('mergeBatch', () => {
  it('merges stored labels into A6, A4 four-up and ZPL parts, from S3 only, and ships the orders', async () => {
    const { deps, orders, published, batch } = await setup(5);
    await mergeBatch('B1', deps);
    const files = batch().files ?? [];
    expect(layoutOf(files)).toEqual(FIVE_IN_PARTS_OF_TWO);
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

  it('makes no ZPL stream for an account whose printers take none, and resumes at the first part without its A4', async () => {
    const { deps, labels, batch } = await setup(5);
    const pdfOnly = { ...deps, zplAccounts: new Set<string>() };
    labels.failOn = /part2-a4/;
    await expect(mergeBatch('B1', pdfOnly)).rejects.toThrow(/simulated crash/);
    labels.failOn = undefined;
    labels.puts = [];
    await mergeBatch('B1', pdfOnly);
    // part 1 was complete (its A4, written last, exists): reused; parts 2 and 3 are made
    expect(labels.puts.some((k) => k.includes('part1'))).toBe(false);
    expect(labels.puts.filter((k) => k.includes('part2'))).toHaveLength(2);
    expect(batch().status).toBe('completed');
    expect((batch().files ?? []).map((f) => `${f.format}:${f.part}`).sort()).toEqual(
      ['a4:1', 'a4:2', 'a4:3', 'a6:1', 'a6:2', 'a6:3'].sort(),
    );
    expect([...labels.objects.keys()].some((k) => k.startsWith('batches/') && k.endsWith('.zpl'))).toBe(
      false,
    );
  });

  it('with queueParts makes each part a work item of its own: any order, any repeat, the last one completes the batch once', async () => {
    const { deps, labels, orders, published, reads, batch } = await setup(5);
    const queued: MergePartRef[] = [];
    const fanOut = {
      ...deps,
      queueParts: async (parts: readonly MergePartRef[]) => void queued.push(...parts),
    };
    await mergeBatch('B1', fanOut);
    expect(queued).toEqual([1, 2, 3].map((part) => ({ batchId: 'B1', split: 'all', part })));
    expect(labels.puts).toEqual(['batches/default/B1/plan.json']);
    expect(batch().status).toBe('merging');

    // Act: the parts' work items run out of order, one of them twice.
    reads.length = 0;
    for (const part of [3, 1, 3]) {
      await mergeBatch('B1', fanOut, { split: 'all', part });
      expect([part, batch().status, published.length]).toEqual([part, 'merging', 0]);
    }
    await mergeBatch('B1', fanOut, { split: 'all', part: 2 });
    await mergeBatch('B1', fanOut, { split: 'all', part: 2 });

    // Assess: every file once per part, each part read only its own orders, the batch completed once.
    expect(batch().status).toBe('completed');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ succeeded: 5, parcels: 5 });
    expect(layoutOf(batch().files ?? [])).toEqual(FIVE_IN_PARTS_OF_TWO);
    expect(reads).toEqual([1, 2, 2]);
    expect([...orders.values()].every((o) => o.status === 'shipped')).toBe(true);
    // Queued again (the stuck-batch sweep): nothing left to make or publish.
    queued.length = 0;
    await mergeBatch('B1', fanOut);
    expect([queued, published.length]).toEqual([[], 1]);
  });

  it('a part cut short after its orders were handed over is made again whole', async () => {
    const { deps, labels, orders, batch } = await setup(3);
    labels.failOn = /part1-zpl/;
    await expect(mergeBatch('B1', { ...deps, partSize: 3 })).rejects.toThrow(/simulated crash/);
    expect([...orders.values()].every((o) => o.status === 'shipped')).toBe(true);
    labels.failOn = undefined;
    await mergeBatch('B1', { ...deps, partSize: 3 });
    expect(batch().status).toBe('completed');
    expect(batch().files?.find((f) => f.format === 'a6')?.labels).toBe(3);
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

  it('fetches a label missing from S3 from SendCloud again and stores it back: the file holds every label', async () => {
    // Prepare
    const { deps, labels, published } = await setup(3);
    const lost = 'labels/default/webshop/O2/1002-a6.pdf';
    labels.objects.delete(lost);
    const asked: number[] = [];
    const sendcloud = async () =>
      ({
        label: async (parcelId: number) => {
          asked.push(parcelId);
          return labelPdf(parcelId);
        },
      }) as unknown as SendcloudPort;

    // Act
    await mergeBatch('B1', { ...deps, sendcloud, partSize: 3 });

    // Assess
    expect(asked).toEqual([1002]);
    expect(labels.objects.has(lost)).toBe(true);
    const a6 = labels.objects.get('batches/default/B1/all-part1-a6.pdf') ?? new Uint8Array();
    expect((await PDFDocument.load(a6)).getPageCount()).toBe(3);
    expect(published).toMatchObject([{ succeeded: 3 }]);
  });

  it("copies each label from its page of the batch's merged files, one read a file, in the part's order", async () => {
    // Prepare: SendCloud's merged files of 1001–1003 and 1004–1005, each with its pages in reverse
    const { deps, labels, orders, batch } = await setup(5);
    for (const [file, members] of [
      ['F1', ['O3', 'O2', 'O1']],
      ['F2', ['O5', 'O4']],
    ] as const)
      await mergedFile(labels, orders, `batches/default/B1/pages/${file}.pdf`, members);
    // the labels' own files are gone: only the merged files can give them (SendCloud would throw)
    for (const key of [...labels.objects.keys()]) if (key.endsWith('-a6.pdf')) labels.objects.delete(key);

    // Act
    await mergeBatch('B1', { ...deps, partSize: 5 });

    // Assess
    expect(batch().status).toBe('completed');
    expect(labels.gets.filter((key) => key.endsWith('.pdf'))).toEqual([
      'batches/default/B1/pages/F1.pdf',
      'batches/default/B1/pages/F2.pdf',
    ]);
    const a6 = labels.objects.get('batches/default/B1/all-part1-a6.pdf') ?? new Uint8Array();
    expect(await pageTexts(a6)).toEqual([1001, 1002, 1003, 1004, 1005].map((id) => `parcel ${id}`));
    const a4 = await PDFDocument.load(
      labels.objects.get('batches/default/B1/all-part1-a4.pdf') ?? new Uint8Array(),
    );
    expect(a4.getPageCount()).toBe(2);
  });

  it("reads a label's own file where its merged file is no longer stored", async () => {
    // Prepare
    const { deps, labels, orders, batch } = await setup(3);
    await mergedFile(labels, orders, 'batches/default/B1/pages/F1.pdf', ['O2', 'O1']);
    labels.objects.delete('batches/default/B1/pages/F1.pdf');

    // Act
    await mergeBatch('B1', { ...deps, partSize: 3 });

    // Assess
    expect(batch().status).toBe('completed');
    expect(labels.gets.filter((key) => key.endsWith('-a6.pdf'))).toHaveLength(3);
    const a6 = labels.objects.get('batches/default/B1/all-part1-a6.pdf') ?? new Uint8Array();
    expect(await pageTexts(a6)).toEqual(['parcel 1001', 'parcel 1002', 'parcel 1003']);
  });

  it('publishes nothing and fails to be retried when a label can be neither read nor fetched', async () => {
    // Prepare
    const { deps, labels, published, batch } = await setup(3);
    labels.objects.delete('labels/default/webshop/O3/1003-a6.pdf');
    const sendcloud = async () =>
      ({
        label: async () => {
          throw new Error('SendCloud is down');
        },
      }) as unknown as SendcloudPort;

    // Act
    const merge = mergeBatch('B1', { ...deps, sendcloud, partSize: 3 });

    // Assess
    await expect(merge).rejects.toThrow(/SendCloud is down/);
    expect(published).toEqual([]);
    expect(batch().status).toBe('merging');
    expect(labels.puts.some((k) => k.startsWith('batches/'))).toBe(false);
  });

  it('a second merge of the same batch (a redelivery that ran alongside) publishes nothing', async () => {
    // Prepare
    const { deps, published } = await setup(2);
    await mergeBatch('B1', deps);

    // Act
    await mergeBatch('B1', deps);

    // Assess
    expect(published).toHaveLength(1);
  });

  it('merges a running batch whose count a crash left one short, once its members show every order settled', async () => {
    // Prepare: both orders settled on their member items, the batch counted only one (the crash came between)
    const { deps, published } = await setup(2);
    const batches = new MemoryBatchStore();
    await batches.create({
      ...(await deps.batches.get('B1')),
      batchId: 'B1',
      status: 'starting',
      total: 0,
      done: 0,
    } as BatchRecord);
    await batches.claimMembers('B1', 0, [
      { channel: 'webshop', orderId: 'O1' },
      { channel: 'webshop', orderId: 'O2' },
    ]);
    const record = batches.records.get('B1');
    if (record) batches.records.set('B1', { ...record, status: 'running', total: 2, done: 1 });
    for (const orderId of ['O1', 'O2']) {
      const members = batches.memberItems.get('B1');
      const member = members?.get(`webshop#${orderId}`);
      if (member) members?.set(`webshop#${orderId}`, { ...member, outcome: 'done' });
    }

    // Act
    const merged = await mergeBatch('B1', { ...deps, batches });

    // Assess
    expect(merged).toMatchObject({ status: 'completed', done: 2 });
    expect(published).toMatchObject([{ succeeded: 2 }]);
  });
});

describe('mergeBatch with an order of several colli', () => {
  it('puts every collo’s label into the A6, A4 and ZPL files and counts labels per parcel', async () => {
    const { deps, orders, published, batch } = await setup(2);
    // O2 shipped as three colli: one stored file with a page (and a ZPL label) for each
    const o2 = orders.get('O2') as OrderRecord;
    const colli = [1002, 1102, 1202];
    const pdf = await PDFDocument.create();
    for (const id of colli) {
      const [page] = await pdf.copyPages(await PDFDocument.load(await labelPdf(id)), [0]);
      if (page) pdf.addPage(page);
    }
    deps.labels.objects.set(o2.labels?.a6?.key ?? '', await pdf.save());
    deps.labels.objects.set(
      o2.labels?.zpl?.key ?? '',
      Buffer.from(colli.map((id) => `^XA^FD${id}^FS^XZ`).join('\n')),
    );
    const parcel = o2.parcel as NonNullable<OrderRecord['parcel']>;
    orders.set('O2', {
      ...o2,
      parcels: colli.map((id, i) => ({ ...parcel, id, colloNumber: i + 1, colloCount: 3 })),
    });

    await mergeBatch('B1', { ...deps, partSize: 10 });

    const files = batch().files ?? [];
    expect(files.map((f) => `${f.format}:${f.labels}`).sort()).toEqual(['a4:4', 'a6:4', 'zpl:4']);
    const file = (format: string) =>
      deps.labels.objects.get(files.find((f) => f.format === format)?.key ?? '');
    expect((await PDFDocument.load(file('a6') ?? new Uint8Array())).getPageCount()).toBe(4);
    // four labels fill one A4 sheet four-up
    expect((await PDFDocument.load(file('a4') ?? new Uint8Array())).getPageCount()).toBe(1);
    expect(
      Buffer.from(file('zpl') ?? [])
        .toString()
        .match(/\^XA/g),
    ).toHaveLength(4);
    expect(published[0]).toMatchObject({ succeeded: 2, parcels: 4 });
  });
});

describe('mergeBatch with parcels leaving the EU customs territory', () => {
  it('prints their customs documents in one PDF per part, beside the A4 sheets', async () => {
    const { deps, orders, published, batch } = await setup(3);
    const o3 = orders.get('O3') as OrderRecord;
    const key = 'labels/default/webshop/O3/1003-customs.pdf';
    const papers = await PDFDocument.create();
    papers.addPage([595.28, 841.89]);
    papers.addPage([595.28, 841.89]);
    deps.labels.objects.set(key, await papers.save());
    orders.set('O3', {
      ...o3,
      customsDocument: { key, contentType: 'application/pdf', sha256: 'x', bytes: 1, storedAt: '' },
    });

    await mergeBatch('B1', { ...deps, partSize: 10 });

    const customs = (batch().files ?? []).filter((f) => f.format === 'customs');
    expect(customs.map((f) => [f.part, f.labels])).toEqual([[1, 1]]);
    const merged = await PDFDocument.load(deps.labels.objects.get(customs[0]?.key ?? '') ?? new Uint8Array());
    expect(merged.getPageCount()).toBe(2);
    expect((published[0] as { files: Array<{ format: string }> }).files.map((f) => f.format)).toContain(
      'customs',
    );
  });
});
