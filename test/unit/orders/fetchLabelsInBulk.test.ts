import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { type LabelData, renderLabelPrinterPdf, renderZpl } from '../../../local/simulator/labels';
import { fetchLabelsInBulk } from '../../../shared/orders/fetchLabelsInBulk';
import type { OrderRecord } from '../../../shared/orders/Order';
import type { LabelFormat, SendcloudPort } from '../../../shared/sendcloud/port';
import { orderRecord } from '../../helpers/factories';
import { pdfText } from '../../helpers/pdfText';

const now = new Date('2030-01-01T12:00:00.000Z');

/** An end-of-day order SendCloud announced: parcel 100+n with tracking number TRACK000n. */
function announced(n: number, trackingNumber = `3STRACK000${n}`): OrderRecord {
  return orderRecord({
    orderId: `EOD-${n}`,
    status: 'announced',
    batchId: 'eod-1',
    parcel: {
      id: 100 + n,
      externalReference: `webshop:EOD-${n}`,
      trackingNumber,
      trackingUrl: null,
      carrier: 'postnl',
      shippingMethodId: 8,
      shippingMethodName: 'PostNL Standard',
      statusId: 1000,
      statusMessage: 'Ready to send',
      announcedAt: now.toISOString(),
    },
  });
}

const labelData = (parcelId: number, trackingNumber: string): LabelData => ({
  parcelId,
  trackingNumber,
  carrier: 'postnl',
  methodName: 'PostNL Standard',
  weight: '1.000',
  orderNumber: '',
  recipient: ['Sanne de Vries', 'Damrak 1'],
  sender: ['Voorbeeld Webwinkel B.V.'],
  servicePointId: null,
  isReturn: false,
});

/**
 * A v3-like port that merges the parcels it is asked for in reversed order, as SendCloud may; `draw` says
 * which tracking number each parcel's page shows (a wrong one for a parcel whose page cannot be matched).
 */
function reversingPort(
  orders: readonly OrderRecord[],
  draw: (o: OrderRecord) => string = (o) => o.parcel?.trackingNumber ?? '',
) {
  const calls: Array<{ ids: number[]; format: LabelFormat }> = [];
  const byParcel = new Map(orders.map((o) => [o.parcel?.id ?? 0, o]));
  const port: Pick<SendcloudPort, 'labels' | 'bulkLabels'> = {
    bulkLabels: { formats: ['a6', 'zpl'], maxParcels: 20 },
    labels: async (ids, format) => {
      calls.push({ ids: [...ids], format });
      const labels = [...ids].reverse().map((id) => {
        const order = byParcel.get(id);
        return labelData(id, order ? draw(order) : '');
      });
      return format === 'a6' ? renderLabelPrinterPdf(labels) : new TextEncoder().encode(renderZpl(labels));
    },
  };
  return { port, calls };
}

function harness() {
  const objects = new Map<string, Uint8Array>();
  return {
    objects,
    deps: {
      labels: {
        put: async (key: string, bytes: Uint8Array) => {
          objects.set(key, bytes);
          return { bucket: 'labels', key, sha256: 'a'.repeat(64), bytes: bytes.byteLength };
        },
      },
      clock: () => now,
      labelBulkSize: 2,
      zplAccounts: new Set(['default']) as ReadonlySet<string>,
    },
  };
}

describe('fetchLabelsInBulk', () => {
  it('asks in chunks, in a defined order, and stores each page where a single label goes, matched by its tracking number', async () => {
    const orders = [1, 2, 3].map((n) => announced(n));
    const { port, calls } = reversingPort(orders);
    const h = harness();
    const result = await fetchLabelsInBulk(orders, port, h.deps);
    expect(calls).toEqual([
      { ids: [101, 102], format: 'a6' },
      { ids: [103], format: 'a6' },
      { ids: [101, 102], format: 'zpl' },
      { ids: [103], format: 'zpl' },
    ]);
    for (const order of result) {
      const a6 = order.labels?.a6;
      expect(a6).toMatchObject({
        key: `labels/default/webshop/${order.orderId}/${order.parcel?.id}-a6.pdf`,
        format: 'a6',
      });
      const { text } = await pdfText(h.objects.get(a6?.key ?? '') ?? new Uint8Array());
      expect(text).toContain(order.parcel?.trackingNumber);
      const zpl = Buffer.from(h.objects.get(order.labels?.zpl?.key ?? '') ?? new Uint8Array()).toString();
      expect(zpl).toContain(`^FD${order.parcel?.trackingNumber}^FS`);
    }
  });

  it("keeps a batch's merged A6 file, named by its content, and records each label's page in it", async () => {
    const orders = [1, 2, 3].map((n) => announced(n));
    const { port } = reversingPort(orders);
    const h = harness();
    const result = await fetchLabelsInBulk(orders, port, h.deps);
    const kept = [...h.objects.keys()].filter((key) => key.startsWith('batches/'));
    // the chunks [101, 102] and [103]; the ZPL streams are not kept (merged ZPL is cut from each label)
    expect(kept).toHaveLength(2);
    for (const key of kept) expect(key).toMatch(/^batches\/default\/eod-1\/pages\/[0-9a-f]{64}\.pdf$/);
    for (const order of result) {
      const page = order.labels?.a6?.page;
      expect(kept).toContain(page?.key);
      expect(order.labels?.zpl?.page).toBeUndefined();
      // the page it records is its own, and only its own: the chunk came back reversed
      const file = await PDFDocument.load(h.objects.get(page?.key ?? '') ?? new Uint8Array());
      const single = await PDFDocument.create();
      for (const copy of await single.copyPages(file, [page?.index ?? -1])) single.addPage(copy);
      const { text } = await pdfText(await single.save());
      expect(text).toContain(order.parcel?.trackingNumber);
      for (const other of result.filter((o) => o !== order))
        expect(text).not.toContain(other.parcel?.trackingNumber);
    }
    expect(result.map((o) => o.labels?.a6?.page?.index)).toEqual([1, 0, 0]);
  });

  it('keeps no merged file for orders of no batch, or of two batches in one chunk', async () => {
    const loose = [1, 2].map((n) => {
      const { batchId: _, ...order } = announced(n);
      return order as OrderRecord;
    });
    const mixed = [3, 4].map((n) => ({ ...announced(n), batchId: `eod-${n}` }));
    const h = harness();
    for (const orders of [loose, mixed]) {
      const result = await fetchLabelsInBulk(orders, reversingPort(orders).port, h.deps);
      expect(result.every((o) => o.labels?.a6 && !o.labels.a6.page)).toBe(true);
    }
    expect([...h.objects.keys()].filter((key) => key.startsWith('batches/'))).toEqual([]);
  });

  it('leaves a parcel whose page shows no tracking number of the chunk to its single fetch, and its chunk mate too', async () => {
    const orders = [1, 2, 3].map((n) => announced(n));
    const { port } = reversingPort(orders, (o) =>
      o.orderId === 'EOD-2' ? 'UNREADABLE' : (o.parcel?.trackingNumber ?? ''),
    );
    const result = await fetchLabelsInBulk(orders, port, harness().deps);
    expect(result.map((o) => Boolean(o.labels?.a6))).toEqual([false, false, true]);
  });

  it('a merged call that fails leaves its parcels to the single path; the order record is not written', async () => {
    const orders = [1, 2].map((n) => announced(n));
    const port: Pick<SendcloudPort, 'labels' | 'bulkLabels'> = {
      bulkLabels: { formats: ['a6'], maxParcels: 100 },
      labels: async () => {
        throw new Error('503 from SendCloud');
      },
    };
    const result = await fetchLabelsInBulk(orders, port, harness().deps);
    expect(result).toEqual(orders);
  });

  it('never asks for a parcel without a tracking number, or one that shares its tracking number', async () => {
    const orders = [announced(1, ''), announced(2, 'SAME'), announced(3, 'SAME'), announced(4)];
    const { port, calls } = reversingPort(orders);
    await fetchLabelsInBulk(orders, port, { ...harness().deps, labelBulkSize: 20 });
    expect(calls.map((c) => c.ids)).toEqual([[104], [104]]);
  });
});
