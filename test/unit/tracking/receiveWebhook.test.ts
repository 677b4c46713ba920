import { describe, expect, it } from 'vitest';
import { formatSendcloudDate, pythonJsonDumps, signSendcloudPayload } from '../../../shared/sendcloud';
import { type ReceiveDeps, receiveWebhook } from '../../../shared/tracking';
import { parcelJson } from '../../helpers/factories';
import { MemoryTracking, shippedOrder } from './fakes';

const HOUR = 3_600_000;
const NOW = new Date('2025-03-14T12:00:00.000Z');
const DEFAULT_SECRET = 'default-secret';
const SHOPB_SECRET = 'shopb-secret';
const SECRETS: Readonly<Record<string, string>> = { default: DEFAULT_SECRET, shopb: SHOPB_SECRET };
const daysAgo = (days = 1): string => new Date(NOW.getTime() - days * 24 * HOUR).toISOString();

/** A delivery as SendCloud sends it: Python-style JSON, signed with the account's secret. */
function delivery(parcel: {
  readonly id: number;
  readonly status: { readonly id: number; readonly message: string };
  /** The delivery's `timestamp` (ms). */
  readonly at: number;
  readonly secret: string;
}) {
  const { id: parcelId, status, at, secret } = parcel;
  const body = pythonJsonDumps({
    action: 'parcel_status_changed',
    timestamp: at,
    parcel: parcelJson({
      id: parcelId,
      external_reference: null,
      status,
      date_updated: formatSendcloudDate(new Date(at)),
    }),
    carrier_status_change_timestamp: null,
  });
  return { rawBody: Buffer.from(body), signature: signSendcloudPayload(body, secret) };
}

function bridge(accounts: readonly string[] = ['default', 'shopb']) {
  const memory = new MemoryTracking();
  const deps: ReceiveDeps = {
    ...memory.deps(() => NOW),
    secrets: async (account) => (SECRETS[account] ? [SECRETS[account]] : []),
    accounts: async () => accounts,
  };
  return { memory, deps };
}

const PICKED_UP = { id: 22, message: 'Shipment picked up by driver' };
const DELIVERED = { id: 11, message: 'Delivered' };
const READY = { id: 1000, message: 'Ready to send' };

describe('a webhook only touches the verifying account’s parcels', () => {
  it('a delivery signed with shopb’s secret for default’s parcel changes nothing and says whose it is', async () => {
    // Prepare
    const { memory, deps } = bridge();
    const order = shippedOrder({ parcelId: 4001, createdAt: new Date(NOW.getTime() - HOUR).toISOString() });
    memory.add(order);
    // Act
    const answer = await receiveWebhook(
      {
        account: 'shopb',
        ...delivery({ id: 4001, status: DELIVERED, at: NOW.getTime(), secret: SHOPB_SECRET }),
      },
      deps,
    );
    // Assess
    expect(answer).toMatchObject({
      status: 200,
      outcome: 'account_mismatch',
      account: 'shopb',
      parcelId: 4001,
      owner: 'default',
    });
    expect(memory.current(order)).toBeUndefined();
    expect(memory.history(4001)).toEqual([]);
    expect(memory.published).toEqual([]);
  });

  it('the route without an account belongs to the account named default', async () => {
    const { memory, deps } = bridge();
    const order = shippedOrder({ parcelId: 4002, createdAt: new Date(NOW.getTime() - HOUR).toISOString() });
    memory.add(order);
    const signedByB = delivery({ id: 4002, status: PICKED_UP, at: NOW.getTime(), secret: SHOPB_SECRET });
    expect(await receiveWebhook({ account: undefined, ...signedByB }, deps)).toEqual({
      status: 401,
      reason: 'bad_signature',
    });
    const signedByDefault = delivery({
      id: 4002,
      status: PICKED_UP,
      at: NOW.getTime(),
      secret: DEFAULT_SECRET,
    });
    expect(await receiveWebhook({ account: undefined, ...signedByDefault }, deps)).toMatchObject({
      outcome: 'applied',
      account: 'default',
    });
  });

  it('the route without an account is refused when several accounts and none is named default', async () => {
    const { memory, deps } = bridge(['shopa', 'shopb']);
    memory.add(shippedOrder({ parcelId: 4003, account: 'shopb', createdAt: daysAgo() }));
    const answer = await receiveWebhook(
      {
        account: undefined,
        ...delivery({ id: 4003, status: PICKED_UP, at: NOW.getTime(), secret: SHOPB_SECRET }),
      },
      deps,
    );
    expect(answer).toEqual({ status: 400, reason: 'account_required' });
    expect(memory.history(4003)).toEqual([]);
  });
});

describe('a webhook’s time must be plausible', () => {
  it('a delivery SendCloud retried for 6 hours still becomes the current status', async () => {
    const { memory, deps } = bridge();
    const order = shippedOrder({ parcelId: 4010, createdAt: daysAgo() });
    memory.add(order);
    const answer = await receiveWebhook(
      {
        account: 'default',
        ...delivery({ id: 4010, status: PICKED_UP, at: NOW.getTime() - 6 * HOUR, secret: DEFAULT_SECRET }),
      },
      deps,
    );
    expect(answer).toMatchObject({ outcome: 'applied' });
    expect(memory.current(order)?.statusId).toBe(22);
    expect(memory.published.map((e) => e.detailType)).toEqual(['Parcel Status Changed']);
  });

  it.each([
    ['tooOld', -120 * 24 * HOUR, () => daysAgo(200)],
    ['future', 365 * 24 * HOUR, () => daysAgo()],
    ['beforeParcel', -3 * HOUR, () => new Date(NOW.getTime() - HOUR).toISOString()],
  ] as const)(
    '%s: kept in history, marked, never current, nothing published',
    async (reason, offset, created) => {
      const { memory, deps } = bridge();
      const order = shippedOrder({ parcelId: 4020, createdAt: created() });
      memory.add(order);
      const answer = await receiveWebhook(
        {
          account: 'default',
          ...delivery({ id: 4020, status: DELIVERED, at: NOW.getTime() + offset, secret: DEFAULT_SECRET }),
        },
        deps,
      );
      expect(answer).toMatchObject({
        status: 200,
        outcome: 'implausible',
        implausible: reason,
        parcelId: 4020,
      });
      expect(memory.current(order)).toBeUndefined();
      expect(memory.history(4020).map((h) => [h.statusId, h.implausible])).toEqual([[11, reason]]);
      expect(memory.published).toEqual([]);
    },
  );

  it('after a status from a year ahead, the real next status still applies', async () => {
    const { memory, deps } = bridge();
    const order = shippedOrder({ parcelId: 4030, createdAt: daysAgo() });
    memory.add(order);
    await receiveWebhook(
      {
        account: 'default',
        ...delivery({
          id: 4030,
          status: DELIVERED,
          at: NOW.getTime() + 365 * 24 * HOUR,
          secret: DEFAULT_SECRET,
        }),
      },
      deps,
    );
    const real = await receiveWebhook(
      {
        account: 'default',
        ...delivery({ id: 4030, status: PICKED_UP, at: NOW.getTime(), secret: DEFAULT_SECRET }),
      },
      deps,
    );
    expect(real).toMatchObject({ outcome: 'applied' });
    expect(memory.current(order)?.statusId).toBe(22);
  });

  it('a later "Ready to send" does not take a delivered parcel back; a return to sender does move it on', async () => {
    const { memory, deps } = bridge();
    const order = shippedOrder({ parcelId: 4040, createdAt: daysAgo() });
    memory.add(order);
    const send = (status: { id: number; message: string }, at: number) =>
      receiveWebhook(
        { account: 'default', ...delivery({ id: 4040, status, at, secret: DEFAULT_SECRET }) },
        deps,
      );
    await send(DELIVERED, NOW.getTime() - 2 * HOUR);
    expect(await send(READY, NOW.getTime() - HOUR)).toMatchObject({
      outcome: 'implausible',
      implausible: 'leavesTerminal',
    });
    expect(await send(PICKED_UP, NOW.getTime() - HOUR / 2)).toMatchObject({ implausible: 'leavesTerminal' });
    expect(memory.current(order)?.status).toBe('delivered');
    expect(await send({ id: 62992, message: 'Returned to sender' }, NOW.getTime())).toMatchObject({
      outcome: 'applied',
    });
    expect(memory.current(order)?.status).toBe('returned_to_sender');
    expect(memory.published.map((e) => (e.detail as { status: string }).status)).toEqual([
      'delivered',
      'returned_to_sender',
    ]);
  });
});

describe('integration webhooks ask for a catalogue refresh', () => {
  it.each(['integration_connected', 'integration_updated', 'integration_deleted'])(
    '%s asks once for the verifying account, and its duplicate delivery does not ask again',
    async (action) => {
      // Prepare
      const { deps } = bridge();
      const asked: string[] = [];
      const body = pythonJsonDumps({ action, timestamp: NOW.getTime(), integration: { id: 241526 } });
      const signed = { rawBody: Buffer.from(body), signature: signSendcloudPayload(body, SHOPB_SECRET) };
      const withRefresh = {
        ...deps,
        integrationChanged: async (account: string) => void asked.push(account),
      };
      // Act
      const first = await receiveWebhook({ account: 'shopb', ...signed }, withRefresh);
      const again = await receiveWebhook({ account: 'shopb', ...signed }, withRefresh);
      // Assess
      expect(first).toMatchObject({ status: 200, outcome: 'acknowledged', action, account: 'shopb' });
      expect(again).toMatchObject({ status: 200, outcome: 'duplicate_delivery' });
      expect(asked).toEqual(['shopb']);
    },
  );

  it('a status webhook asks for nothing', async () => {
    const { deps } = bridge();
    const asked: string[] = [];
    await receiveWebhook(
      {
        account: 'default',
        ...delivery({ id: 4100, status: PICKED_UP, at: NOW.getTime(), secret: DEFAULT_SECRET }),
      },
      { ...deps, integrationChanged: async (account) => void asked.push(account) },
    );
    expect(asked).toEqual([]);
  });
});
