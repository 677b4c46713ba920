import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type SendcloudAttempt,
  SendcloudClients,
  SendcloudContractError,
  SendcloudRateLimitedError,
  SendcloudTimeoutError,
  SendcloudTransportError,
  staticCredentials,
  UnknownAccountError,
} from '../../../shared/sendcloud';
import { clientFor, parcelDraft, parcelJson, TEST_CREDENTIALS } from '../../helpers/factories';
import { ScriptedServer } from '../../helpers/scriptedServer';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const STATUSES = /^\/api\/v2\/parcels\/statuses$/;
const OK = { status: 200, json: [{ id: 1000, message: 'Ready to send' }] } as const;

describe('reads are retried', () => {
  it('on 5xx, network failures and timeouts, with growing backoff, until they succeed', async () => {
    server.sequence('GET', STATUSES, [
      { status: 502, body: '<html>bad gateway</html>' },
      'destroy',
      'hang',
      OK,
    ]);
    const { client, sleeps } = clientFor(server, {
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 },
    });
    await expect(client.catalog.parcelStatuses()).resolves.toEqual([{ id: 1000, message: 'Ready to send' }]);
    expect(server.count('GET', STATUSES)).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[2]).toBeGreaterThanOrEqual(200);
    expect(sleeps[2]).toBeLessThanOrEqual(400);
  });

  it('honours Retry-After on a 429', async () => {
    server.sequence('GET', STATUSES, [{ status: 429, body: '', headers: { 'retry-after': '2' } }, OK]);
    const { client, sleeps } = clientFor(server);
    await client.catalog.parcelStatuses();
    expect(sleeps).toEqual([2000]);
  });

  it('waits at least a second after a bare 429 (the real one has no body and no header)', async () => {
    server.sequence('GET', STATUSES, [{ status: 429, body: '' }, OK]);
    const { client, sleeps } = clientFor(server, { retry: { baseDelayMs: 10 } });
    await client.catalog.parcelStatuses();
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  });

  it('raises a retryable rate-limit error when 429s outlast the attempts', async () => {
    server.on('GET', STATUSES, { status: 429, body: '' });
    const { client } = clientFor(server, { retry: { maxAttempts: 2 } });
    const error = await client.catalog.parcelStatuses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudRateLimitedError);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: undefined });
    expect(server.count('GET', STATUSES)).toBe(2);
  });

  it('does not wait for a Retry-After beyond the cap', async () => {
    server.on('GET', STATUSES, { status: 429, body: '', headers: { 'retry-after': '3600' } });
    const { client, sleeps } = clientFor(server);
    await expect(client.catalog.parcelStatuses()).rejects.toMatchObject({ retryAfterMs: 3_600_000 });
    expect(sleeps).toEqual([]);
  });

  it('surfaces timeouts and network failures as their own errors once attempts run out', async () => {
    server.on('GET', STATUSES, 'hang');
    const { client } = clientFor(server, { retry: { maxAttempts: 2 }, timeoutMs: 100 });
    await expect(client.catalog.parcelStatuses()).rejects.toBeInstanceOf(SendcloudTimeoutError);
    server.reset();
    server.on('GET', STATUSES, 'destroy');
    await expect(client.catalog.parcelStatuses()).rejects.toBeInstanceOf(SendcloudTransportError);
  });

  it('does not retry a 4xx', async () => {
    server.on('GET', STATUSES, {
      status: 401,
      json: {
        error: { code: 401, request: 'api/v2/parcels/statuses', message: 'Invalid username/password.' },
      },
      headers: { 'www-authenticate': 'Bearer' },
    });
    const { client } = clientFor(server);
    await expect(client.catalog.parcelStatuses()).rejects.toMatchObject({
      status: 401,
      sendcloudMessage: 'Invalid username/password.',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('reports every attempt without payload, for metrics', async () => {
    server.sequence('GET', STATUSES, [{ status: 503, body: '' }, OK]);
    const attempts: SendcloudAttempt[] = [];
    const { client } = clientFor(server, { onAttempt: (a) => attempts.push(a) });
    await client.catalog.parcelStatuses();
    expect(attempts.map((a) => [a.method, a.path, a.attempt, a.status])).toEqual([
      ['GET', '/api/v2/parcels/statuses', 1, 503],
      ['GET', '/api/v2/parcels/statuses', 2, 200],
    ]);
  });
});

describe('responses that break the contract', () => {
  it('a 200 that is not JSON is a contract error, not retried', async () => {
    server.on('GET', STATUSES, {
      status: 200,
      body: '<html>maintenance</html>',
      headers: { 'content-type': 'text/html' },
    });
    const { client } = clientFor(server);
    await expect(client.catalog.parcelStatuses()).rejects.toMatchObject({
      code: 'SENDCLOUD_CONTRACT',
      retryable: false,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('a 200 of the wrong shape names the paths that broke', async () => {
    server.on('GET', /^\/api\/v2\/parcels\/1$/, {
      status: 200,
      json: { parcel: { ...parcelJson(), weight: 'heavy', status: null } },
    });
    const { client } = clientFor(server);
    const error = await client.parcels.get(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudContractError);
    expect((error as SendcloudContractError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['parcel.weight', 'parcel.status']),
    );
  });
});

describe('errors hold no secrets and no personal data', () => {
  it('neither credentials nor the recipient appear in the message, the fields or the serialised error', async () => {
    server.on('POST', /^\/api\/v2\/parcels$/, {
      status: 400,
      json: {
        error: {
          code: 400,
          request: 'api/v2/parcels',
          message: 'house_number: "This field cannot be blank."',
        },
      },
    });
    const { client } = clientFor(server);
    const error = await client.parcels.create(parcelDraft()).catch((e: unknown) => e);
    const everything = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    for (const secret of [
      TEST_CREDENTIALS.secretKey,
      TEST_CREDENTIALS.publicKey,
      'Jan de Vries',
      'Damrak',
      'jan@example.invalid',
      '+31612345678',
      'WEB-10001',
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(String(error)).toContain('house_number');
  });
});

describe('several accounts', () => {
  it('builds one client per account and refuses unknown accounts', async () => {
    server.on('GET', STATUSES, OK);
    const clients = new SendcloudClients(
      staticCredentials({
        shop: { publicKey: 'a', secretKey: 'b' },
        warehouse: { publicKey: 'c', secretKey: 'd' },
      }),
      { baseUrl: `${server.url}/api/v2` },
    );
    const shop = await clients.forAccount('shop');
    expect(await clients.forAccount('shop')).toBe(shop);
    const warehouse = await clients.forAccount('warehouse');
    expect(warehouse).not.toBe(shop);
    await shop.catalog.parcelStatuses();
    await warehouse.catalog.parcelStatuses();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Basic ${Buffer.from('c:d').toString('base64')}`,
    ]);
    await expect(clients.forAccount('nobody')).rejects.toBeInstanceOf(UnknownAccountError);
  });

  it('gives each account its own rate budget', async () => {
    server.on('GET', STATUSES, OK);
    const clients = new SendcloudClients(
      staticCredentials({ a: { publicKey: 'a', secretKey: 'a' }, b: { publicKey: 'b', secretKey: 'b' } }),
      {
        baseUrl: `${server.url}/api/v2`,
        rateLimits: { read: [{ limit: 2, windowMs: 60_000 }], write: [{ limit: 1, windowMs: 60_000 }] },
      },
    );
    const a = await clients.forAccount('a');
    const b = await clients.forAccount('b');
    await a.catalog.parcelStatuses();
    await a.catalog.parcelStatuses();
    // a's budget is spent; b's is untouched and answers at once
    const third = a.catalog.parcelStatuses();
    let thirdDone = false;
    void third.then(() => {
      thirdDone = true;
    });
    await b.catalog.parcelStatuses();
    await b.catalog.parcelStatuses();
    expect(thirdDone).toBe(false);
    expect(server.requests).toHaveLength(4);
  });
});
