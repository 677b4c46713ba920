import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../../shared/orders/Order';
import { type StoreLabelsDeps, storeLabels } from '../../../shared/orders/storeLabels';
import type { SendcloudPort } from '../../../shared/sendcloud/port';
import type { OrderChanges, UpdateFence } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

const now = new Date('2030-01-01T12:00:00.000Z');

/** An announced order's parcel, as the worker recorded it. */
const parcel = {
  id: 7,
  externalReference: 'webshop:W-1',
  trackingNumber: '1ZTRACK',
  trackingUrl: null,
  carrier: 'ups',
  shippingMethodId: 1061,
  shippingMethodName: 'UPS Express Saver 0-70kg',
  statusId: 1000,
  statusMessage: 'Ready to send',
  announcedAt: now.toISOString(),
};

function announced(toCountry: string): OrderRecord {
  const base = orderRecord({ orderId: 'W-1', status: 'announced', parcel });
  return { ...base, spec: { ...base.spec, toCountry } };
}

/** One order in memory with the status fence, an S3 stand-in, and a port whose customs answers a test scripts. */
function harness(order: OrderRecord, customs: ReadonlyArray<Uint8Array | undefined>) {
  let current = order;
  const objects = new Map<string, Uint8Array>();
  const asked: string[] = [];
  let customsCalls = 0;
  const port = {
    label: async (_id: number, format: string) => {
      asked.push(format);
      return new TextEncoder().encode(`label-${format}`);
    },
    customsDocument: async () => {
      asked.push('customs');
      return customs[Math.min(customsCalls++, customs.length - 1)];
    },
  } as Pick<SendcloudPort, 'label' | 'customsDocument'>;
  const deps: StoreLabelsDeps = {
    store: {
      update: async (_key, changes: OrderChanges, fence?: UpdateFence) => {
        if (fence?.status && !fence.status.includes(current.status)) return false;
        current = { ...current, ...changes };
        return true;
      },
    },
    labels: {
      put: async (key, bytes) => {
        objects.set(key, bytes);
        return { bucket: 'labels', key, sha256: 'a'.repeat(64), bytes: bytes.byteLength };
      },
    },
    sendcloud: async () => port as SendcloudPort,
    clock: () => now,
  };
  return { deps, objects, asked, current: () => current };
}

describe('storeLabels', () => {
  it('fetches ZPL only for an account whose printers take it, end-of-day order or not', async () => {
    const endOfDay = { ...announced('NL'), batchId: 'eod-1' };
    const pdfOnly = harness(endOfDay, []);
    await storeLabels(pdfOnly.current(), pdfOnly.deps);
    expect(pdfOnly.asked).toEqual(['a6']);
    expect(pdfOnly.current().labels?.zpl).toBeUndefined();

    const zpl = harness(endOfDay, []);
    await storeLabels(zpl.current(), { ...zpl.deps, zplAccounts: new Set(['default']) });
    expect(zpl.asked).toEqual(['a6', 'zpl']);
    expect(zpl.current().labels?.zpl).toMatchObject({ key: 'labels/default/webshop/W-1/7-zpl.zpl' });
  });

  it('stores a US parcel’s customs document next to its label, then marks the order label_stored', async () => {
    const pdf = new TextEncoder().encode('%PDF-customs');
    const h = harness(announced('US'), [pdf]);
    const stored = await storeLabels(h.current(), h.deps);
    expect(stored?.status).toBe('label_stored');
    expect(h.current().customsDocument).toMatchObject({
      key: 'labels/default/webshop/W-1/7-customs.pdf',
      contentType: 'application/pdf',
    });
    expect(h.objects.get('labels/default/webshop/W-1/7-customs.pdf')).toEqual(pdf);
    expect([...h.objects.keys()]).toContain('labels/default/webshop/W-1/7-a6.pdf');
  });

  it('keeps a US order announced while SendCloud has no customs document, and the retry asks only for that', async () => {
    const h = harness(announced('US'), [undefined, new TextEncoder().encode('%PDF-customs')]);
    expect(await storeLabels(h.current(), h.deps)).toBeUndefined();
    expect(h.current().status).toBe('announced');
    expect(h.current().labels?.a6).toBeDefined();
    expect(h.current().customsDocument).toBeUndefined();

    const retried = await storeLabels(h.current(), h.deps);
    expect(retried?.status).toBe('label_stored');
    expect(h.asked).toEqual(['a6', 'customs', 'customs']);
  });

  it('never asks for a customs document of a parcel staying in the EU', async () => {
    const h = harness(announced('BE'), [undefined]);
    expect((await storeLabels(h.current(), h.deps))?.status).toBe('label_stored');
    expect(h.asked).toEqual(['a6']);
    expect(h.current().customsDocument).toBeUndefined();
  });

  it('leaves an order cancelled meanwhile cancelled', async () => {
    const h = harness(announced('US'), [undefined]);
    const seen = h.current();
    await h.deps.store.update(seen, { status: 'cancelled' });
    expect(await storeLabels(seen, h.deps)).toBeUndefined();
    expect(h.current().status).toBe('cancelled');
  });
});
