import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LabelStore } from '../../../shared/labels';
import type { OrderKey, OrderRecord } from '../../../shared/orders/Order';
import { dailyReport, type ReportUpload } from '../../../shared/reports/dailyReport';
import type { OrderStore } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

const clock = () => new Date('2030-01-02T00:30:00.000Z');

/** A day's orders as the store pages them (`createdOnPage`), counting the pages read. */
function dayOf(orders: readonly OrderRecord[]) {
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const store = {
    pages: 0,
    async createdOnPage(
      _account: string,
      _day: string,
      options: { limit: number; after?: Record<string, unknown> },
    ) {
      store.pages++;
      const from = Number(options.after?.at ?? 0);
      const keys = orders
        .slice(from, from + options.limit)
        .map((o) => ({ channel: o.channel, orderId: o.orderId }));
      const next = from + options.limit < orders.length ? { at: from + options.limit } : undefined;
      return { keys, ...(next ? { next } : {}) };
    },
    get: async (key: OrderKey) => byId.get(key.orderId),
  };
  return store;
}

/** Collects what is streamed, chunk by chunk. */
function collectingUpload() {
  const files = new Map<string, { type: string; chunks: string[] }>();
  const upload: ReportUpload = async (key, type, body: Readable) => {
    const chunks: string[] = [];
    for await (const chunk of body) chunks.push(String(chunk));
    files.set(key, { type, chunks });
  };
  return { files, upload };
}

const jsonFiles = () => {
  const put = new Map<string, string>();
  const files = {
    put: async (key: string, bytes: Uint8Array) => {
      put.set(key, Buffer.from(bytes).toString());
      return { key, bytes: bytes.length, sha256: '' };
    },
  } as unknown as LabelStore;
  return { put, files };
};

describe('the daily report', () => {
  it('reads the day page by page and streams a CSV row per order, with the summary tallied on the way', async () => {
    // Prepare: 1,201 orders, one failed, in pages of 100
    const orders = Array.from({ length: 1_201 }, (_, i) =>
      orderRecord(
        i === 0
          ? {
              orderId: 'F-0',
              status: 'failed',
              failure: { code: 'NO_ELIGIBLE_METHOD', reason: 'nothing fits', at: '' },
            }
          : {
              orderId: `A-${i}`,
              status: 'shipped',
              spec: { ...orderRecord({ orderId: 'x' }).spec, toCountry: i % 2 ? 'NL' : 'BE' },
            },
        '2030-01-01T10:00:00.000Z',
      ),
    );
    const store = dayOf(orders);
    const { files, upload } = collectingUpload();
    const json = jsonFiles();

    // Act
    const summary = await dailyReport('default', '2030-01-01', {
      store: store as unknown as OrderStore,
      files: json.files,
      upload,
      clock,
      pageSize: 100,
    });

    // Assess
    expect(store.pages).toBe(13);
    const csv = files.get('reports/default/2030-01-01.csv');
    expect(csv?.type).toBe('text/csv');
    // streamed as it was read: the header, then a chunk per page
    expect(csv?.chunks.length).toBeGreaterThanOrEqual(2);
    const lines = csv?.chunks.join('').trim().split('\n') ?? [];
    expect(lines).toHaveLength(1_202);
    expect(lines[1]).toMatch(/^F-0,webshop,NL,,,,failed,nothing fits,/);
    expect(summary).toMatchObject({
      orders: 1_201,
      // none was announced in this fixture: parcels count what SendCloud holds
      parcels: 0,
      failed: 1,
      byCountry: { NL: 601, BE: 600 },
      failures: { 'nothing fits': 1 },
    });
    expect(JSON.parse(json.put.get('reports/default/2030-01-01.json') ?? '{}')).toMatchObject({
      orders: 1_201,
    });
  });

  it('fails, instead of waiting for ever, when the upload breaks off while rows are still coming', async () => {
    // Prepare: an upload that reads one chunk and gives up
    const orders = Array.from({ length: 3_000 }, (_, i) =>
      orderRecord({ orderId: `A-${i}`, status: 'shipped' }),
    );
    const upload: ReportUpload = async (_key, _type, body) => {
      for await (const _chunk of body) throw new Error('connection reset');
    };

    // Act / Assess
    await expect(
      dailyReport('default', '2030-01-01', {
        store: dayOf(orders) as unknown as OrderStore,
        files: jsonFiles().files,
        upload,
        clock,
        pageSize: 500,
      }),
    ).rejects.toThrow(/connection reset|ended before/);
  });
});
