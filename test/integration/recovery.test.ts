import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NAMES } from '../../local/wiring';
import { loadEnv } from '../../shared/config';
import { type OrderKey, processOrder } from '../../shared/orders';
import { createServices } from '../../shared/runtime/services';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';

/**
 * Issue 13: SendCloud faults that lasted longer than a message's retries. Every order must still reach its
 * end once SendCloud recovers — a stored label and exactly one parcel — and a method the breaker holds back
 * delays an order instead of failing it.
 */
let bridge: Bridge;
const example = exampleOrder();

beforeAll(async () => {
  bridge = await startBridge({
    wiring: {
      // Messages give up fast (two receives, then the DLQ): what rescues an order here is the sweep.
      ordersQueue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, retryBaseSeconds: 1 },
      requeue: { everyMs: 0, afterSeconds: 0 },
    },
  });
}, 30_000);
afterAll(() => bridge.stop());
afterEach(() => simAdmin('/faults', undefined, 'DELETE'));

let n = 0;
const order = () => ({ ...example, orderId: `R-${Date.now()}-${n++}` });
const keyOf = (body: { orderId: string }): OrderKey => ({ channel: 'webshop', orderId: body.orderId });

const simAdmin = (path: string, body?: unknown, method = 'POST') =>
  fetch(`${bridge.sim.url}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const post = (body: unknown) =>
  fetch(`${bridge.stack.url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const sweep = () => fetch(`${bridge.stack.url}/_local/jobs/requeue-stuck-orders`, { method: 'POST' });
const parcelsCreated = async (orderId: string) =>
  (
    (await (
      await fetch(
        `${bridge.sim.url}/__sim/counts?external_reference=${encodeURIComponent(`webshop:${orderId}`)}`,
      )
    ).json()) as { created: number }
  ).created;

/** Polls until `done` holds (a bounded wait for eventual state, not a timing assertion). */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const until = Date.now() + 45_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Order ids whose messages reached the DLQ. */
async function deadLettered(sqs: SQSClient, seen: Set<string>) {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: bridge.stack.queueUrls.get(`${LOCAL_NAMES.ordersQueue}-dlq`),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    }),
  );
  for (const m of received.Messages ?? []) {
    const body = JSON.parse(m.Body ?? '{}') as { orderId?: string };
    if (body.orderId) seen.add(body.orderId);
  }
  return seen;
}

describe('label downloads failing longer than the message retries', () => {
  it('leaves no order announced without a label: the sweep fetches each label once SendCloud recovers, on the one parcel', async () => {
    // Prepare: label downloads answer 503 until cleared; the orders' messages give up and go to the DLQ.
    const services = createServices(loadEnv());
    const sqs = new SQSClient({});
    await simAdmin('/faults', { method: 'GET', path: '^/labels/', kind: 'status', status: 503 });
    const bodies = Array.from({ length: 5 }, order);
    for (const body of bodies) expect((await post(body)).status).toBe(202);
    const ids = bodies.map((b) => b.orderId);
    const dead = new Set<string>();
    await eventually(
      'messages in the DLQ',
      () => deadLettered(sqs, dead),
      (seen) => ids.every((id) => seen.has(id)),
    );
    for (const body of bodies) {
      const stuck = await services.store.get(keyOf(body));
      expect(stuck?.status).toBe('announced');
      expect(stuck?.labels?.a6).toBeUndefined();
    }

    // Act: SendCloud recovers; the scheduled sweep runs.
    await simAdmin('/faults', undefined, 'DELETE');
    expect((await sweep()).status).toBe(200);

    // Assess
    for (const body of bodies) {
      const stored = await eventually(
        `order ${body.orderId}`,
        () => services.store.get(keyOf(body)),
        (o) => o?.status === 'label_stored',
      );
      expect(stored?.labels?.a6?.contentType).toBe('application/pdf');
      expect(await parcelsCreated(body.orderId)).toBe(1);
    }
  }, 120_000);
});

describe('carrier refusals opening the method breaker', () => {
  it('delays later orders instead of failing them, and ships each once the breaker closes', async () => {
    // Prepare: every announcement is refused, until the breaker holds every method back.
    const services = createServices(loadEnv());
    const refuse = { kind: 'carrier_reject', message: 'Service not available' };
    await simAdmin('/faults', { ...refuse, method: 'POST', path: '^/parcels$' });
    await simAdmin('/faults', { ...refuse, method: 'PUT', path: '^/parcels/?$' });
    let waiting: string | undefined;
    for (let i = 0; i < 8 && !waiting; i++) {
      const body = order();
      await post(body);
      const settled = await eventually(
        `early order ${body.orderId}`,
        () => services.store.get(keyOf(body)),
        (o) => o?.status === 'failed' || o?.waitingForMethodSince !== undefined,
      );
      if (settled?.status !== 'failed') waiting = body.orderId;
    }
    expect(waiting).toBeDefined();

    // Act: orders arrive while the breaker is open.
    const later = Array.from({ length: 5 }, order);
    for (const body of later) expect((await post(body)).status).toBe(202);

    // Assess: they wait and are not failed (one refused on a method the breaker had not yet counted keeps
    // that one parcel for its retry).
    for (const body of later) {
      const held = await eventually(
        `later order ${body.orderId}`,
        () => services.store.get(keyOf(body)),
        (o) => o?.waitingForMethodSince !== undefined,
      );
      expect(held?.status).not.toBe('failed');
      expect(held?.failure).toBeUndefined();
      expect(await parcelsCreated(body.orderId)).toBeLessThanOrEqual(1);
    }

    // Act: the refusals stop, and the breaker's 15-minute window passes (the worker's injected clock).
    await simAdmin('/faults', undefined, 'DELETE');
    const afterWindow = { ...services.processDeps, clock: () => new Date(Date.now() + 16 * 60_000) };
    const shipping = [...later.map((b) => b.orderId), waiting ?? ''];
    for (const orderId of shipping) {
      // The stack's worker may hold the order for a moment: `retry` means try again.
      await eventually(
        `processing ${orderId}`,
        () => processOrder({ channel: 'webshop', orderId }, afterWindow),
        (outcome) => outcome !== 'retry',
      );
    }

    // Assess: each ships on exactly one parcel.
    for (const orderId of shipping) {
      const shipped = await services.store.get({ channel: 'webshop', orderId });
      expect(shipped?.failure).toBeUndefined();
      expect(shipped?.status).toBe('label_stored');
      expect(await parcelsCreated(orderId)).toBe(1);
    }
  }, 120_000);
});
