import { describe, expect, it } from 'vitest';
import { formatSendcloudDate, Parcel } from '../../../shared/sendcloud';
import { V2Port } from '../../../shared/sendcloud/V2Port';
import { pollStatuses } from '../../../shared/tracking';
import { parcelJson } from '../../helpers/factories';
import { MemoryTracking, shippedOrder } from './fakes';

const HOUR = 3_600_000;
const NOW = new Date('2025-03-14T12:00:00.000Z');
const created = new Date(NOW.getTime() - 24 * HOUR).toISOString();

/** SendCloud's parcel list as one account's keys see it, through the v2 adapter. */
const listing = (...parcels: Array<{ id: number; statusId: number; message: string; updatedAt: Date }>) =>
  new V2Port(v2Listing(...parcels) as unknown as ConstructorParameters<typeof V2Port>[0]);

const v2Listing = (
  ...parcels: Array<{ id: number; statusId: number; message: string; updatedAt: Date }>
) => ({
  parcels: {
    async *list() {
      yield parcels.map((p) =>
        Parcel.parse(
          parcelJson({
            id: p.id,
            external_reference: null,
            status: { id: p.statusId, message: p.message },
            date_updated: formatSendcloudDate(p.updatedAt),
          }),
        ),
      );
    },
  },
});

describe('polling speaks for its own account only', () => {
  it('applies the polled account’s parcel and leaves another account’s alone', async () => {
    // Prepare
    const memory = new MemoryTracking();
    const own = shippedOrder({ parcelId: 5001, account: 'shopb', createdAt: created });
    const foreign = shippedOrder({ parcelId: 5002, account: 'default', createdAt: created });
    memory.add(own);
    memory.add(foreign);
    const client = listing(
      { id: 5001, statusId: 22, message: 'Shipment picked up by driver', updatedAt: NOW },
      { id: 5002, statusId: 11, message: 'Delivered', updatedAt: NOW },
    );
    // Act
    const { counts, ignored } = await pollStatuses('shopb', { ...memory.deps(() => NOW), client });
    // Assess
    expect(counts).toMatchObject({ applied: 1, account_mismatch: 1 });
    expect(ignored).toEqual([{ outcome: 'account_mismatch', owner: 'default', parcelId: 5002 }]);
    expect(memory.current(own)?.statusId).toBe(22);
    expect(memory.current(foreign)).toBeUndefined();
    expect(memory.history(5002)).toEqual([]);
    expect(memory.published).toHaveLength(1);
  });

  it('a polled status from before the order, or ahead of our clock, stays in history only', async () => {
    const memory = new MemoryTracking();
    const order = shippedOrder({ parcelId: 5010, createdAt: created });
    memory.add(order);
    const client = listing(
      { id: 5010, statusId: 1000, message: 'Ready to send', updatedAt: new Date(NOW.getTime() - 48 * HOUR) },
      { id: 5010, statusId: 11, message: 'Delivered', updatedAt: new Date(NOW.getTime() + HOUR) },
    );
    const { counts } = await pollStatuses('default', { ...memory.deps(() => NOW), client });
    expect(counts).toMatchObject({ applied: 0, implausible: 2 });
    expect(memory.history(5010).map((h) => h.implausible)).toEqual(['beforeParcel', 'future']);
    expect(memory.current(order)).toBeUndefined();
    expect(memory.published).toEqual([]);
  });
});
