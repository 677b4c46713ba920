import { describe, expect, it } from 'vitest';
import { boxDraft } from '../../../shared/orders/announceBoxes';
import type { OrderKey, OrderRecord } from '../../../shared/orders/Order';
import { announce, type ProcessDeps } from '../../../shared/orders/processOrder';
import { defaultRules, RuleSet } from '../../../shared/routing';
import type {
  AnnounceOutcome,
  CancelTarget,
  CatalogMethod,
  SendcloudPort,
  Shipment,
  ShipmentDraft,
} from '../../../shared/sendcloud/port';
import type { OrderChanges, UpdateFence } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

const now = new Date('2030-01-01T12:00:00.000Z');

/** Two service-point products (neither carries several colli): a box refused by one falls back to the other. */
const method = (ref: string, carrier: string, price: number): CatalogMethod => ({
  ref,
  name: `${carrier} Service Point`,
  carrier,
  minWeightGrams: 1,
  maxWeightGrams: 20_000,
  servicePoint: true,
  multicollo: false,
  countries: [{ country: 'NL', priceEur: price }],
});
// Two products of the point's carrier: a service-point order never falls back to another carrier's.
const METHODS = [
  method('postnl:service_point', 'postnl', 5.7),
  method('postnl:service_point_insured', 'postnl', 6.95),
];
// Any carrier's point will do here: the fallback's carrier is what the test follows.
const RULES = RuleSet.parse({
  ...defaultRules(),
  rules: [{ name: 'service points', when: {}, choose: { carriers: ['postnl'] } }],
});

/**
 * SendCloud as these tests need it: shipments kept by external reference, announcements answered from a
 * script (`refuse`: the carrier refuses this reference), cancels recorded.
 */
class FakeSendcloud {
  readonly shipments = new Map<string, Shipment>();
  readonly cancelled: string[] = [];
  refuse = new Set<string>();
  #nextId = 100;

  readonly port = {
    version: 'v3',
    catalog: async () => ({ methods: METHODS, fromCountry: 'NL' }),
    servicePointCarrier: async () => 'postnl',
    find: async (reference: string) => this.shipments.get(reference),
    announce: async (draft: ShipmentDraft): Promise<AnnounceOutcome> => {
      const id = this.#nextId++;
      const refused = this.refuse.has(draft.externalReference);
      const shipment: Shipment = {
        id: `s-${id}`,
        externalReference: draft.externalReference,
        parcels: [
          {
            id,
            trackingNumber: refused ? null : `TN${id}`,
            trackingUrl: null,
            status: {
              id: refused ? 1002 : 1000,
              code: refused ? 'ANNOUNCEMENT_FAILED' : 'READY',
              message: '',
            },
          },
        ],
        carrier: draft.method.split(':')[0] ?? null,
        method: draft.method,
        methodName: null,
        state: refused ? 'refused' : 'announced',
      };
      this.shipments.set(draft.externalReference, shipment);
      return refused
        ? { outcome: 'carrier_refused', reason: 'Service not available', shipment }
        : { outcome: 'announced', shipment, reconciled: false };
    },
    cancel: async (target: CancelTarget) => {
      this.cancelled.push(target.id);
      return { outcome: 'requested' as const, message: 'Shipment cancellation has been queued' };
    },
  } satisfies Partial<SendcloudPort>;
}

/** The order store's attempt fence, in memory; `crashOn` throws on the first update it matches. */
function memoryStore(first: OrderRecord) {
  let order = structuredClone(first);
  const crash: { on?: ((changes: OrderChanges) => boolean) | undefined } = {};
  return {
    crash,
    current: () => order,
    /** What the next worker's claim hands it: the same order under the next attempt. */
    claim: () => {
      order = { ...order, attempt: order.attempt + 1 };
      return order;
    },
    store: {
      getRecipient: async () => ({
        recipient: {
          name: 'A',
          street: 'Damrak',
          houseNumber: '1',
          postalCode: '1012AB',
          city: 'Amsterdam',
          country: 'NL',
        },
        items: [],
      }),
      update: async (_key: OrderKey, changes: OrderChanges, fence?: UpdateFence) => {
        if (crash.on?.(changes)) {
          crash.on = undefined;
          throw new Error('Lambda died here');
        }
        if (fence?.attempt !== undefined && order.attempt !== fence.attempt) return false;
        order = { ...order, ...changes };
        return true;
      },
    },
  };
}

function setup() {
  const sendcloud = new FakeSendcloud();
  const memory = memoryStore(
    orderRecord({
      orderId: 'A-1',
      status: 'creating',
      attempt: 1,
      spec: {
        toCountry: 'NL',
        weightGrams: 4800,
        customsRequired: false,
        colli: [{ weightGrams: 1200 }, { weightGrams: 4800 }],
        serviceLevel: 'standard',
        orderValue: { amount: '10.00', currency: 'EUR' },
        delivery: { type: 'service_point', servicePointId: 7 },
      },
    }),
  );
  const deps = {
    store: memory.store,
    tracking: { linkParcel: async () => undefined },
    health: {
      failures: async () => new Map<string, string[]>(),
      recordFailure: async () => undefined,
      recordSuccess: async () => undefined,
    },
    rules: { current: async () => RULES },
    sendcloud: async () => sendcloud.port,
    clock: () => now,
    lockMs: 60_000,
  } as unknown as ProcessDeps; // only what announcing uses
  return { sendcloud, memory, deps };
}

describe('announcing an order one shipment per box', () => {
  it('a carrier refusal of box 2: box 1 keeps its label, box 2 falls back to the next method under its own reference', async () => {
    // Prepare
    const { sendcloud, memory, deps } = setup();
    sendcloud.refuse.add('webshop:A-1/2');

    // Act
    const order = await announce(memory.current(), deps);

    // Assess
    expect(order?.status).toBe('announced');
    expect(order?.routing?.shipments).toBe('per_parcel');
    expect(order?.parcels?.map((p) => [p.colloNumber, p.externalReference, p.carrier])).toEqual([
      [1, 'webshop:A-1/1', 'postnl'],
      [2, 'webshop:A-1~1/2', 'postnl'],
    ]);
    expect(Object.keys(order?.refusedMethods ?? {})).toEqual(['postnl:service_point']);
    expect(sendcloud.cancelled).toEqual([]);
  });

  it('nothing left for a refused box: the order fails and the box already announced is cancelled', async () => {
    // Prepare: both methods refuse box 2
    const { sendcloud, memory, deps } = setup();
    sendcloud.refuse = new Set(['webshop:A-1/2', 'webshop:A-1~1/2']);

    // Act
    const order = await announce(memory.current(), deps);

    // Assess
    expect(order?.status).toBe('failed');
    expect(order?.failure?.reason).toMatch(/SendCloud was asked to cancel box 1, already announced/);
    expect(sendcloud.cancelled).toEqual([sendcloud.shipments.get('webshop:A-1/1')?.id]);
  });

  it('a worker that dies after recording the failure, before cancelling: the next one cancels and announces nothing more', async () => {
    // Prepare: the failure is written, then the worker dies at the next write
    const { sendcloud, memory, deps } = setup();
    sendcloud.refuse = new Set(['webshop:A-1/2', 'webshop:A-1~1/2']);
    memory.crash.on = (changes) => changes.status === 'failed';
    await expect(announce(memory.current(), deps)).rejects.toThrow('Lambda died here');
    expect(memory.current()).toMatchObject({ status: 'creating', failure: { code: 'NO_ELIGIBLE_METHOD' } });
    const announced = sendcloud.shipments.size;

    // Act: the next worker, with the breakers closed and a method that would take box 2 now
    sendcloud.refuse.clear();
    const order = await announce(memory.claim(), deps);

    // Assess
    expect(order?.status).toBe('failed');
    expect(sendcloud.shipments.size).toBe(announced);
    expect(new Set(sendcloud.cancelled)).toEqual(new Set([sendcloud.shipments.get('webshop:A-1/1')?.id]));
  });

  it('a lost record of box 2: the next attempt finds it by its reference and announces nothing again', async () => {
    // Prepare
    const { sendcloud, memory, deps } = setup();
    memory.crash.on = (changes) => changes.parcels?.length === 2;
    await expect(announce(memory.current(), deps)).rejects.toThrow('Lambda died here');

    // Act
    const order = await announce(memory.claim(), deps);

    // Assess
    expect(order?.status).toBe('announced');
    expect(order?.parcels?.map((p) => p.externalReference)).toEqual(['webshop:A-1/1', 'webshop:A-1/2']);
    expect(sendcloud.shipments.size).toBe(2);
  });
});

describe('a box’s draft', () => {
  it('carries that box’s weight and size, and the order’s items with box 1 only', () => {
    const draft: ShipmentDraft = {
      externalReference: 'webshop:A-1/1',
      recipient: {
        name: 'A',
        company: null,
        street: 'Damrak',
        houseNumber: '1',
        addressLine2: null,
        postalCode: '1012AB',
        city: 'Amsterdam',
        country: 'NL',
        state: null,
        email: null,
        phone: null,
      },
      weightGrams: 4800,
      dimensionsCm: { length: 40, width: 30, height: 30 },
      colli: [{ weightGrams: 1200 }, { weightGrams: 4800 }],
      method: 'postnl:service_point',
      items: [
        {
          description: 'Mug',
          quantity: 1,
          unitPrice: '1.00',
          hsCode: null,
          originCountry: null,
          sku: null,
          weightGrams: 500,
        },
      ],
    };
    const first = boxDraft(draft, 1, {
      weightGrams: 1200,
      dimensionsCm: { length: 30, width: 20, height: 10 },
    });
    expect(first).toMatchObject({ weightGrams: 1200, dimensionsCm: { length: 30, width: 20, height: 10 } });
    expect(first.colli).toBeUndefined();
    expect(first.items).toHaveLength(1);
    const second = boxDraft(draft, 2, { weightGrams: 4800 });
    expect(second.dimensionsCm).toBeUndefined();
    expect(second.items).toBeUndefined();
  });
});
