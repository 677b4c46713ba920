import { describe, expect, it } from 'vitest';
import type { DetailType, EventDetail, EventPublisher } from '../../../shared/events';
import { HttpError } from '../../../shared/http/errors';
import { type CancelDeps, cancelOrder } from '../../../shared/orders/cancelOrder';
import type { OrderKey, OrderParcel, OrderRecord } from '../../../shared/orders/Order';
import type { CancelOutcome, CancelTarget, SendcloudPort, Shipment } from '../../../shared/sendcloud/port';
import type { ClaimResult, OrderChanges, UpdateFence } from '../../../shared/store';
import { orderRecord } from '../../helpers/factories';

const now = new Date('2030-01-01T12:00:00.000Z');
const id = (key: OrderKey) => `${key.channel}#${key.orderId}`;

/** The order store's conditional semantics the cancel relies on: claim, the attempt and status fences, emit once. */
class MemoryOrders {
  readonly orders = new Map<string, OrderRecord>();
  /** Runs before each update is applied: a worker racing the cancel. */
  beforeUpdate: ((key: OrderKey) => void) | undefined;

  add(order: OrderRecord): void {
    this.orders.set(id(order), structuredClone(order));
  }

  current(key: OrderKey): OrderRecord {
    const order = this.orders.get(id(key));
    if (!order) throw new Error('no such order');
    return order;
  }

  readonly store: CancelDeps['store'] = {
    get: async (key) => structuredClone(this.orders.get(id(key))),
    findByOrderId: async (orderId) =>
      [...this.orders.values()].filter((o) => o.orderId === orderId).map((o) => structuredClone(o)),
    claim: async (key, options): Promise<ClaimResult> => {
      const order = this.orders.get(id(key));
      if (!order) return { outcome: 'missing' };
      const free =
        order.status === 'accepted' ||
        (order.status === 'creating' && (order.lockUntil ?? '') < options.now.toISOString());
      if (!free)
        return order.status === 'creating' || order.status === 'ready'
          ? { outcome: 'busy', order }
          : { outcome: 'settled', order };
      const claimed: OrderRecord = {
        ...order,
        status: 'creating',
        attempt: order.attempt + 1,
        lockUntil: new Date(options.now.getTime() + options.lockMs).toISOString(),
      };
      this.orders.set(id(key), claimed);
      return { outcome: 'claimed', order: structuredClone(claimed) };
    },
    update: async (key: OrderKey, changes: OrderChanges, fence?: UpdateFence) => {
      this.beforeUpdate?.(key);
      const order = this.orders.get(id(key));
      if (!order) return false;
      if (fence?.attempt !== undefined && order.attempt !== fence.attempt) return false;
      if (fence?.status && !fence.status.includes(order.status)) return false;
      this.orders.set(id(key), { ...order, ...changes });
      return true;
    },
    // Index keys are the DynamoDB store's; here a step is its changes under its fence.
    record: (key, step) => this.store.update(key, step.changes, step.fence),
    beginEmit: async (key, event, options) => {
      const order = this.current(key);
      if (order.events?.[event]) return false;
      this.orders.set(id(key), {
        ...order,
        events: { ...order.events, [event]: { state: 'sending', at: options.now.toISOString() } },
      });
      return true;
    },
    endEmit: async (key, event, options) => {
      const order = this.current(key);
      const events = { ...order.events };
      if (options.published) events[event] = { state: 'sent', at: options.now.toISOString() };
      else delete events[event];
      this.orders.set(id(key), { ...order, events });
    },
  };
}

/** A port that answers cancels from a script and finds what the test put at "SendCloud". */
class FakePort {
  readonly cancels: CancelTarget[] = [];
  readonly finds: string[] = [];
  readonly shipments = new Map<string, Shipment>();
  answer: CancelOutcome = { outcome: 'cancelled', message: 'Parcel has been cancelled' };

  readonly port: SendcloudPort;

  constructor(version: 'v2' | 'v3' = 'v2') {
    this.port = {
      version,
      cancel: async (target: CancelTarget) => {
        this.cancels.push(target);
        return this.answer;
      },
      find: async (reference: string) => {
        this.finds.push(reference);
        return this.shipments.get(reference);
      },
    } as unknown as SendcloudPort;
  }
}

function setup(version: 'v2' | 'v3' = 'v2') {
  const orders = new MemoryOrders();
  const sendcloud = new FakePort(version);
  const published: Array<{ detailType: DetailType; detail: unknown }> = [];
  const events: EventPublisher = {
    publish: async <T extends DetailType>(detailType: T, detail: EventDetail<T>) => {
      published.push({ detailType, detail });
    },
  };
  const linked: number[] = [];
  const deps: CancelDeps = {
    store: orders.store,
    tracking: {
      linkParcel: async (parcelId) => {
        linked.push(parcelId);
      },
      linkParcels: async (links) => {
        linked.push(...links.map((link) => link.parcelId));
      },
    },
    events,
    sendcloud: async () => sendcloud.port,
    clock: () => now,
    lockMs: 60_000,
  };
  const cancelledEvents = () => published.filter((e) => e.detailType === 'Parcel Cancelled');
  return { orders, sendcloud, deps, published, cancelledEvents, linked };
}

const parcel = (overrides: Partial<OrderParcel> = {}): OrderParcel => ({
  id: 4242,
  externalReference: 'webshop:A-1',
  trackingNumber: '3SCLDB0001',
  trackingUrl: null,
  carrier: 'postnl',
  shippingMethodId: 8,
  method: '8',
  shippingMethodName: 'PostNL Standard',
  api: 'v2',
  statusId: 1000,
  statusMessage: 'Ready to send',
  announcedAt: '2030-01-01T11:00:00.000Z',
  ...overrides,
});

const shipment = (overrides: Partial<Shipment> = {}): Shipment => ({
  id: '4242',
  externalReference: 'webshop:A-1',
  parcels: [
    {
      id: 4242,
      trackingNumber: '3SCLDB0001',
      trackingUrl: null,
      status: { id: 1000, code: 'READY_TO_SEND', message: 'Ready to send' },
    },
  ],
  carrier: 'postnl',
  method: '8',
  methodName: 'PostNL Standard',
  state: 'announced',
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe('cancelOrder: an announced order is SendCloud’s to cancel', () => {
  it('cancelled at once: 200, the order cancelled, one Parcel Cancelled without personal data', async () => {
    // Prepare
    const { orders, sendcloud, deps, cancelledEvents } = setup();
    orders.add(orderRecord({ orderId: 'A-1', status: 'label_stored', parcel: parcel() }));

    // Act
    const answer = await cancelOrder('A-1', undefined, deps);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'cancelled',
      changed: true,
      cancellation: { outcome: 'cancelled', sentToSendcloud: true, message: 'Parcel has been cancelled' },
      parcel: { sendcloudId: 4242, trackingNumber: '3SCLDB0001' },
    });
    expect(sendcloud.cancels).toEqual([{ id: '4242', parcelIds: [4242], isReturn: false }]);
    expect(orders.current({ channel: 'webshop', orderId: 'A-1' }).status).toBe('cancelled');
    expect(cancelledEvents()).toEqual([
      {
        detailType: 'Parcel Cancelled',
        detail: {
          orderId: 'A-1',
          channel: 'webshop',
          account: 'default',
          isReturn: false,
          status: 'cancelled',
          outcome: 'cancelled',
          sentToSendcloud: true,
          parcelId: 4242,
          carrier: 'postnl',
          trackingNumber: '3SCLDB0001',
          parcels: [
            {
              parcelId: 4242,
              trackingNumber: '3SCLDB0001',
              trackingUrl: null,
              collo: { number: 1, count: 1 },
            },
          ],
          cancelledAt: now.toISOString(),
        },
      },
    ]);
  });

  it('queued: 202 cancellation_requested; a repeat sends nothing and answers 202 until tracking shows it cancelled, then 200', async () => {
    // Prepare
    const { orders, sendcloud, deps, cancelledEvents } = setup('v3');
    orders.add(
      orderRecord({
        orderId: 'A-2',
        status: 'label_stored',
        parcel: parcel({ api: 'v3', shipmentId: 'f3a1-shipment' }),
      }),
    );
    sendcloud.answer = { outcome: 'requested', message: 'Shipment cancellation has been queued' };

    // Act
    const first = await cancelOrder('A-2', 'webshop', deps);
    const again = await cancelOrder('A-2', 'webshop', deps);
    const key = { channel: 'webshop', orderId: 'A-2' };
    orders.add({
      ...orders.current(key),
      tracking: {
        statusId: 2000,
        message: 'Cancelled',
        status: 'cancelled',
        ts: now.getTime() + 1000,
        observedAt: now.toISOString(),
        source: 'webhook',
        receivedAt: now.toISOString(),
      },
    });
    const afterTracking = await cancelOrder('A-2', 'webshop', deps);

    // Assess
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'cancellation_requested', changed: true });
    expect(sendcloud.cancels).toEqual([{ id: 'f3a1-shipment', parcelIds: [4242], isReturn: false }]);
    expect(again.status).toBe(202);
    expect(again.body.changed).toBe(false);
    expect(afterTracking.status).toBe(200);
    expect(afterTracking.body).toMatchObject({ status: 'cancelled', changed: false });
    expect(sendcloud.cancels).toHaveLength(1);
    expect(cancelledEvents()).toHaveLength(1);
    expect(cancelledEvents()[0]?.detail).toMatchObject({
      status: 'cancellation_requested',
      outcome: 'requested',
    });
  });

  it('too late: 409 CANCEL_TOO_LATE with SendCloud’s reason, the order unchanged, no event', async () => {
    // Prepare
    const { orders, sendcloud, deps, published } = setup();
    orders.add(orderRecord({ orderId: 'A-3', status: 'shipped', parcel: parcel() }));
    sendcloud.answer = {
      outcome: 'too_late',
      message: 'Shipped parcels, or parcels being shipped, can no longer be cancelled.',
    };

    // Act
    const error = await refusal(cancelOrder('A-3', undefined, deps));

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'CANCEL_TOO_LATE' });
    expect(error.message).toContain('can no longer be cancelled');
    expect(orders.current({ channel: 'webshop', orderId: 'A-3' }).status).toBe('shipped');
    expect(published).toEqual([]);
  });

  it('already cancelled at SendCloud (e.g. in its panel): 200 cancelled, recorded as such', async () => {
    // Prepare
    const { orders, sendcloud, deps } = setup();
    orders.add(orderRecord({ orderId: 'A-4', status: 'announced', parcel: parcel() }));
    sendcloud.answer = { outcome: 'already_cancelled', message: 'This shipment is already being cancelled.' };

    // Act
    const answer = await cancelOrder('A-4', undefined, deps);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.cancellation.outcome).toBe('already_cancelled');
  });

  it('a worker storing the label meanwhile (announced → label_stored) does not undo the cancel', async () => {
    // Prepare: the label write lands between SendCloud's answer and ours
    const { orders, deps } = setup();
    const key = { channel: 'webshop', orderId: 'A-5' };
    orders.add(orderRecord({ orderId: 'A-5', status: 'announced', parcel: parcel() }));
    orders.beforeUpdate = () => {
      orders.beforeUpdate = undefined;
      orders.add({ ...orders.current(key), status: 'label_stored' });
    };

    // Act
    const answer = await cancelOrder('A-5', undefined, deps);
    // the worker's own write needs `announced`: it is refused now
    const workerWrote = await deps.store.update(key, { status: 'label_stored' }, { status: ['announced'] });

    // Assess
    expect(answer.status).toBe(200);
    expect(workerWrote).toBe(false);
    expect(orders.current(key).status).toBe('cancelled');
  });
});

describe('cancelOrder: an order that has not reached SendCloud is cancelled here', () => {
  it('held for end of day (ready): cancelled, nothing sent, nothing looked up', async () => {
    // Prepare
    const { orders, sendcloud, deps, cancelledEvents } = setup();
    orders.add(orderRecord({ orderId: 'E-1', status: 'ready' }));

    // Act
    const answer = await cancelOrder('E-1', undefined, deps);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'cancelled',
      parcel: null,
      cancellation: { outcome: 'not_announced', sentToSendcloud: false },
    });
    expect(sendcloud.cancels).toEqual([]);
    expect(sendcloud.finds).toEqual([]);
    expect(cancelledEvents()[0]?.detail).toMatchObject({ parcelId: null, outcome: 'not_announced' });
  });

  it('a ready order a batch takes first is decided again as the batch left it', async () => {
    // Prepare: assignToBatch wins the race (ready → accepted in the batch)
    const { orders, sendcloud, deps } = setup();
    const key = { channel: 'webshop', orderId: 'E-2' };
    orders.add(orderRecord({ orderId: 'E-2', status: 'ready' }));
    orders.beforeUpdate = () => {
      orders.beforeUpdate = undefined;
      orders.add({ ...orders.current(key), status: 'accepted', batchId: 'eod-1' });
    };

    // Act
    const answer = await cancelOrder('E-2', undefined, deps);

    // Assess: claimed from the batch and cancelled before any worker announced it
    expect(answer.status).toBe(200);
    expect(orders.current(key)).toMatchObject({ status: 'cancelled', batchId: 'eod-1', attempt: 1 });
    expect(sendcloud.cancels).toEqual([]);
  });

  it('accepted and never processed: claimed (so no worker can announce it), cancelled, nothing sent', async () => {
    // Prepare
    const { orders, sendcloud, deps } = setup();
    const key = { channel: 'webshop', orderId: 'N-1' };
    orders.add(orderRecord({ orderId: 'N-1', status: 'accepted' }));

    // Act
    await cancelOrder('N-1', undefined, deps);
    const workerClaim = await deps.store.claim(key, { now, lockMs: 60_000 });

    // Assess
    expect(orders.current(key).status).toBe('cancelled');
    expect(workerClaim.outcome).toBe('settled');
    expect(sendcloud.finds).toEqual([]);
    expect(sendcloud.cancels).toEqual([]);
  });

  it('being announced by a worker right now: 409 ORDER_BEING_ANNOUNCED, nothing changed', async () => {
    // Prepare
    const { orders, deps, published } = setup();
    orders.add(
      orderRecord({ orderId: 'N-2', status: 'creating', attempt: 1, lockUntil: '2030-01-01T12:00:30.000Z' }),
    );

    // Act
    const error = await refusal(cancelOrder('N-2', undefined, deps));

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'ORDER_BEING_ANNOUNCED' });
    expect(orders.current({ channel: 'webshop', orderId: 'N-2' }).status).toBe('creating');
    expect(published).toEqual([]);
  });

  it('a crashed attempt that reached SendCloud: its shipment is found by reference and cancelled too', async () => {
    // Prepare: the worker died after SendCloud created the parcel, before recording it
    const { orders, sendcloud, deps } = setup();
    orders.add(
      orderRecord({ orderId: 'A-1', status: 'creating', attempt: 1, lockUntil: '2030-01-01T11:00:00.000Z' }),
    );
    sendcloud.shipments.set('webshop:A-1', shipment());

    // Act
    const answer = await cancelOrder('A-1', undefined, deps);

    // Assess
    expect(sendcloud.finds).toEqual(['webshop:A-1']);
    expect(sendcloud.cancels).toEqual([{ id: '4242', parcelIds: [4242] }]);
    expect(answer.body.cancellation).toMatchObject({ outcome: 'cancelled', sentToSendcloud: true });
  });

  it('on v3 every attempt’s shipment is looked up (one per refused method)', async () => {
    // Prepare: one method refused, the second attempt's shipment queued for cancelling
    const { orders, sendcloud, deps, linked } = setup('v3');
    const key = { channel: 'webshop', orderId: 'A-1' };
    orders.add(
      orderRecord({
        orderId: 'A-1',
        status: 'creating',
        attempt: 2,
        lockUntil: '2030-01-01T11:00:00.000Z',
        refusedMethods: { 'dhl:standard': 'refused' },
      }),
    );
    sendcloud.shipments.set(
      'webshop:A-1~1',
      shipment({ id: 'v3-second', externalReference: 'webshop:A-1~1' }),
    );
    sendcloud.answer = { outcome: 'requested', message: 'Shipment cancellation has been queued' };

    // Act
    const answer = await cancelOrder('A-1', undefined, deps);

    // Assess: the queued shipment is recorded, so tracking can complete the cancel
    expect(sendcloud.finds).toEqual(['webshop:A-1~1', 'webshop:A-1']);
    expect(answer.status).toBe(202);
    expect(orders.current(key)).toMatchObject({
      status: 'cancellation_requested',
      parcel: { id: 4242, shipmentId: 'v3-second' },
    });
    expect(linked).toEqual([4242]);
  });

  it('a crashed attempt’s shipment that is too late: 409, and the order goes back to the worker to record it', async () => {
    // Prepare
    const { orders, sendcloud, deps } = setup();
    const key = { channel: 'webshop', orderId: 'A-1' };
    orders.add(
      orderRecord({ orderId: 'A-1', status: 'creating', attempt: 1, lockUntil: '2030-01-01T11:00:00.000Z' }),
    );
    sendcloud.shipments.set('webshop:A-1', shipment());
    sendcloud.answer = { outcome: 'too_late', message: 'can no longer be cancelled' };

    // Act
    const error = await refusal(cancelOrder('A-1', undefined, deps));

    // Assess
    expect(error.code).toBe('CANCEL_TOO_LATE');
    expect(orders.current(key)).toMatchObject({ status: 'creating', lockUntil: now.toISOString() });
  });
});

describe('cancelOrder: repeats and orders with nothing to cancel', () => {
  it('already cancelled here: 200, nothing sent, no second event', async () => {
    // Prepare
    const { orders, sendcloud, deps, cancelledEvents } = setup();
    orders.add(orderRecord({ orderId: 'A-1', status: 'label_stored', parcel: parcel() }));
    await cancelOrder('A-1', undefined, deps);

    // Act
    const again = await cancelOrder('A-1', undefined, deps);

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'cancelled', changed: false });
    expect(sendcloud.cancels).toHaveLength(1);
    expect(cancelledEvents()).toHaveLength(1);
  });

  it('publishes on a repeat an event a failed publish left out', async () => {
    // Prepare: the first cancel's publish fails
    const { orders, deps, cancelledEvents } = setup();
    orders.add(orderRecord({ orderId: 'A-1', status: 'ready' }));
    const failing: CancelDeps = {
      ...deps,
      events: {
        publish: async () => {
          throw new Error('bus down');
        },
      },
    };
    await expect(cancelOrder('A-1', undefined, failing)).rejects.toThrow('bus down');

    // Act
    const again = await cancelOrder('A-1', undefined, deps);

    // Assess
    expect(again.body.changed).toBe(false);
    expect(cancelledEvents()).toHaveLength(1);
  });

  it('failed: 409 NOTHING_TO_CANCEL saying why', async () => {
    // Prepare
    const { orders, sendcloud, deps } = setup();
    orders.add(
      orderRecord({
        orderId: 'F-1',
        status: 'failed',
        failure: { code: 'NO_ELIGIBLE_METHOD', reason: 'no shipping method', at: now.toISOString() },
      }),
    );

    // Act
    const error = await refusal(cancelOrder('F-1', undefined, deps));

    // Assess
    expect(error).toMatchObject({ status: 409, code: 'NOTHING_TO_CANCEL' });
    expect(error.message).toContain('nothing to cancel');
    expect(sendcloud.cancels).toEqual([]);
  });

  it('an unknown order is 404; an id in two channels needs ?channel=', async () => {
    // Prepare
    const { orders, deps } = setup();
    orders.add(orderRecord({ orderId: 'D-1', channel: 'webshop', status: 'ready' }));
    orders.add(orderRecord({ orderId: 'D-1', channel: 'marketplace', status: 'ready' }));

    // Act
    const missing = await refusal(cancelOrder('nope', undefined, deps));
    const ambiguous = await refusal(cancelOrder('D-1', undefined, deps));
    const chosen = await cancelOrder('D-1', 'marketplace', deps);

    // Assess
    expect(missing.status).toBe(404);
    expect(ambiguous.code).toBe('AMBIGUOUS_ORDER_ID');
    expect(chosen.body.channel).toBe('marketplace');
  });
});
