import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator';
import type { LocalStack } from '../../local/stack';
import { lambdaContext } from '../../local/stack/lambdaContext';
import { LOCAL_NAMES } from '../../local/wiring';
import { loadEnv } from '../../shared/config';
import { type OrderRecord, OrderRequest, orderSpecOf } from '../../shared/orders';
import { createServices } from '../../shared/runtime/services';
import { DynamoOrderStore } from '../../shared/store';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * Issue 12's attacks on the local wiring, each shown to do no harm now: cross-site requests, input that used
 * to slip through, personal data in events, a shared Idempotency-Key namespace, and diagnostics that hid
 * the cause.
 */
let sim: RunningSimulator;
let stack: LocalStack;
let bridge: Bridge;
const example = exampleOrder();
const SHOP = 'http://shop.example';

beforeAll(async () => {
  bridge = await startBridge({
    simulator: { webhookTimeScale: 0.0001 },
    wiring: {
      ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 },
      checkout: { origins: [SHOP] },
    },
  });
  ({ sim, stack } = bridge);
  await fetch(`${sim.url}/__sim/accounts/default/webhook`, {
    method: 'POST',
    body: JSON.stringify({ url: `${stack.url}/webhooks/sendcloud` }),
  });
}, 30_000);
afterAll(() => bridge.stop());

const order = (overrides: Record<string, unknown> = {}) => ({
  ...example,
  orderId: `SEC-${randomUUID()}`,
  ...overrides,
});
const withRecipient = (fields: Record<string, unknown>) => ({
  recipient: { ...example.recipient, ...fields },
});
const send = (path: string, body: string, headers: Record<string, string>, method = 'POST') =>
  fetch(`${stack.url}${path}`, { method, headers, body });
const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  send(path, JSON.stringify(body), { 'content-type': 'application/json', ...headers });

/** Every item in the service's table that mentions `marker` anywhere (keys or personal data). */
async function storedItemsWith(marker: string): Promise<unknown[]> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const found: unknown[] = [];
  for await (const page of paginateScan({ client: db }, { TableName: LOCAL_NAMES.table }))
    for (const item of page.Items ?? []) if (JSON.stringify(item).includes(marker)) found.push(item);
  return found;
}

interface View {
  status: string;
  parcels: Array<{ sendcloudId: number }>;
  failure: { code: string; reason: string } | null;
}
const view = async (orderId: string) =>
  (await (await fetch(`${stack.url}/orders/${encodeURIComponent(orderId)}`)).json()) as View;
const settled = (orderId: string, statuses = ['label_stored', 'failed']) =>
  until(
    () => view(orderId),
    (v) => statuses.includes(v.status),
  );
const eventsFor = (orderId: string) =>
  stack.bus.events.filter((e) => (e.detail as { orderId?: string }).orderId === orderId);
type Problem = { code: string; message: string; errors?: Array<{ path: string; message: string }> };

/** A request with a Host header of our choosing (fetch always sends the URL's). */
function withHost(host: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.url}${path}`,
      { method: 'POST', headers: { host, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('cross-site requests', () => {
  it('a "simple" cross-site POST (text/plain, or a form) creates nothing: 415 saying what to send', async () => {
    const plain = order();
    // what fetch(url, { method: 'POST', mode: 'no-cors', body }) sends from any web page
    const asText = await send('/orders', JSON.stringify(plain), {
      'content-type': 'text/plain;charset=UTF-8',
    });
    expect(asText.status).toBe(415);
    expect(((await asText.json()) as Problem).message).toMatch(/Content-Type: application\/json/);
    const form = order();
    const asForm = await send('/orders', `orderId=${form.orderId}&channel=webshop`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(asForm.status).toBe(415);
    expect(await storedItemsWith(plain.orderId)).toEqual([]);
    expect(await storedItemsWith(form.orderId)).toEqual([]);
    expect(eventsFor(plain.orderId)).toEqual([]);
  });

  it('every route that reads a JSON body answers 415 to anything else, and takes JSON with a charset', async () => {
    const text = { 'content-type': 'text/plain' };
    const routes: Array<[string, string]> = [
      ['POST', '/orders'],
      ['POST', '/orders/batch'],
      ['POST', '/routing/explain'],
      ['PUT', '/routing/rules/default'],
      ['POST', '/returns'],
      ['POST', '/batches'],
    ];
    for (const [method, path] of routes)
      expect((await send(path, '{}', text, method)).status, `${method} ${path}`).toBe(415);
    const charset = await send('/orders', JSON.stringify(order()), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(charset.status).toBe(202);
  });

  it('refuses a POST from another origin and a foreign Host before anything runs', async () => {
    const crossSite = order();
    const fromShop = await postJson('/orders', crossSite, { origin: SHOP });
    expect(fromShop.status).toBe(403);
    const rebound = order();
    const port = new URL(stack.url).port;
    expect(await withHost(`rebind.attacker.example:${port}`, '/orders', JSON.stringify(rebound))).toBe(403);
    expect(await storedItemsWith(crossSite.orderId)).toEqual([]);
    expect(await storedItemsWith(rebound.orderId)).toEqual([]);
  });

  it('still serves the checkout routes to a shop page, with the functions’ CORS', async () => {
    const options = await fetch(
      `${stack.url}/delivery-options?country=NL&postalCode=1012AB&weightGrams=1200&orderValue=49.95`,
      { headers: { origin: SHOP } },
    );
    expect(options.status).toBe(200);
    expect(options.headers.get('access-control-allow-origin')).toBe(SHOP);
    const component = await fetch(`${stack.url}/checkout/component.js`, { headers: { origin: SHOP } });
    expect(component.status).toBe(200);
  });
});

describe('input that used to slip through', () => {
  const refused = async (body: Record<string, unknown> & { orderId: string }, path: string) => {
    const response = await postJson('/orders', body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as Problem;
    expect(answer.errors?.map((e) => e.path)).toContain(path);
    return answer.errors?.find((e) => e.path === path)?.message ?? '';
  };

  it('refuses control characters and invisible-only text, naming the field, and stores nothing', async () => {
    const nul = order(withRecipient({ name: 'Sanne\u0000Jansen' }));
    expect(await refused(nul, 'recipient.name')).toMatch(/control characters \(U\+0000 at position 6\)/);
    const zeroWidth = order(withRecipient({ city: '\u200B\u200D\uFEFF' }));
    expect(await refused(zeroWidth, 'recipient.city')).toMatch(/only invisible characters/);
    const bidi = order(withRecipient({ street: ' \u202E\u200F ' }));
    await refused(bidi, 'recipient.street');
    const ansi = order(withRecipient({ addressLine2: 'Floor 2\u001B[31m' }));
    await refused(ansi, 'recipient.addressLine2');
    for (const body of [nul, zeroWidth, bidi, ansi]) expect(await storedItemsWith(body.orderId)).toEqual([]);
  });

  it('refuses a dimension of 1e-200 (DynamoDB would answer 500) before any personal data is written', async () => {
    const tiny = order({ parcel: { weightGrams: 1200, lengthCm: 1e-200, widthCm: 20, heightCm: 10 } });
    expect(await refused(tiny, 'parcel.lengthCm')).toMatch(/at least 0\.1 cm/);
    expect(await storedItemsWith(tiny.orderId)).toEqual([]);
  });

  it('the store writes the order before its recipient: one DynamoDB refuses leaves no personal data', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const store = new DynamoOrderStore(db, { tableName: LOCAL_NAMES.table });
    const valid = OrderRequest.parse(order());
    const record: OrderRecord = {
      channel: valid.channel,
      orderId: valid.orderId,
      account: valid.account,
      status: 'accepted',
      bodyHash: 'hash',
      // what validation now stops: DynamoDB takes no number below 1e-130
      spec: { ...orderSpecOf(valid), dimensionsCm: { length: 1e-200, width: 20, height: 10 } },
      attempt: 0,
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    };
    await expect(store.create(record, { recipient: valid.recipient, items: valid.items })).rejects.toThrow();
    expect(await storedItemsWith(valid.orderId)).toEqual([]);
  });

  it('a crash between the order and its recipient is finished by the repeat of the same order', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const valid = OrderRequest.parse(order());
    const record: OrderRecord = {
      channel: valid.channel,
      orderId: valid.orderId,
      account: valid.account,
      status: 'accepted',
      bodyHash: 'same-body',
      spec: orderSpecOf(valid),
      attempt: 0,
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    };
    const personal = { recipient: valid.recipient, items: valid.items };
    // the Lambda dies after the order's put: the recipient's put never happens
    const dying = {
      send: async (command: unknown) => {
        if (command instanceof PutCommand && command.input.Item?.sk === 'RECIPIENT')
          throw new Error('Lambda died here');
        return db.send(command as PutCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(
      new DynamoOrderStore(dying, { tableName: LOCAL_NAMES.table }).create(record, personal),
    ).rejects.toThrow('Lambda died here');
    const store = new DynamoOrderStore(db, { tableName: LOCAL_NAMES.table });
    expect(await store.get(record)).toBeDefined();
    expect(await store.getRecipient(record)).toBeUndefined();
    expect(await store.create(record, personal)).toMatchObject({ created: false });
    expect(await store.getRecipient(record)).toMatchObject({ recipient: { name: 'Sanne Jansen' } });
    // a different body under the same key is a conflict, and writes nothing of it
    const other = { ...personal, recipient: { ...personal.recipient, name: 'Someone Else' } };
    await store.create({ ...record, bodyHash: 'other-body' }, other);
    expect(await store.getRecipient(record)).toMatchObject({ recipient: { name: 'Sanne Jansen' } });
  });

  it('answers a 5 MB orderId with a 400, and its Order Rejected event carries 100 characters of it', async () => {
    const marker = `HUGE-${randomUUID()}-`;
    const huge = order({ orderId: `${marker}${'x'.repeat(5_000_000)}` });
    expect(await refused(huge, 'orderId')).toMatch(/at most 50 characters/);
    const rejected = stack.bus.events.filter(
      (e) =>
        e['detail-type'] === 'Order Rejected' && (e.detail as { orderId: string }).orderId.startsWith(marker),
    );
    expect(rejected.map((e) => (e.detail as { orderId: string }).orderId.length)).toEqual([100]);
    expect(await storedItemsWith(marker)).toEqual([]);
  });

  it('accepts JSON that starts with a UTF-8 byte-order mark', async () => {
    const bom = order();
    const response = await send('/orders', `\uFEFF${JSON.stringify(bom)}`, {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(202);
  });

  it('holds return input to the same rules', async () => {
    const response = await postJson('/returns', {
      orderId: 'SEC-1',
      channel: 'webshop',
      items: [{ description: '\u200B', quantity: 1, reason: 'other', message: 'line one\nline two' }],
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as Problem;
    expect(answer.errors?.map((e) => e.path)).toEqual(['items.0.description']);
  });
});

describe('personal data in events', () => {
  it('Parcel Announced, Label Stored and Parcel Status Changed link the tracking page without the postal code', async () => {
    const shipped = order();
    await postJson('/orders', shipped);
    const { parcels } = await settled(shipped.orderId, ['label_stored']);
    await fetch(`${sim.url}/__sim/parcels/${parcels[0]?.sendcloudId}/advance`, { method: 'POST' });
    const events = await until(
      async () => eventsFor(shipped.orderId),
      (list) => list.some((e) => e['detail-type'] === 'Parcel Status Changed'),
    );
    expect(events.map((e) => e['detail-type'])).toEqual(
      expect.arrayContaining(['Parcel Announced', 'Label Stored', 'Parcel Status Changed']),
    );
    for (const event of events.filter((e) => e['detail-type'] !== 'Order Accepted')) {
      const { trackingUrl } = event.detail as { trackingUrl: string };
      expect(trackingUrl).toMatch(/^https:\/\/tracking\..*code=/);
      expect(trackingUrl).not.toMatch(/verification/);
    }
    expect(JSON.stringify(events)).not.toMatch(/1012\s?\+?AB|Sanne|Damrak|sanne@|\+31612345678/i);
  });
});

describe('Idempotency-Key', () => {
  /** POST /orders as API Gateway delivers it with IAM auth: the caller's ARN in the request context. */
  const keyed = (userArn: string, key: string, body: unknown): APIGatewayProxyEventV2WithIAMAuthorizer => ({
    version: '2.0',
    routeKey: 'POST /orders',
    rawPath: '/orders',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: {
        iam: {
          accessKey: 'ASIAEXAMPLE',
          accountId: '111111111111',
          callerId: 'AROAEXAMPLE:session',
          cognitoIdentity: null,
          principalOrgId: 'o-example',
          userArn,
          userId: 'AROAEXAMPLE:session',
        },
      },
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/orders',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: 'POST /orders',
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1_893_456_000_000,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  });

  it('is scoped per caller: another caller’s key neither answers nor blocks mine; a new session is the same caller', async () => {
    const { handler } = await import('../../functions/create-order');
    const call = async (event: APIGatewayProxyEventV2WithIAMAuthorizer) => {
      const result = (await handler(
        event,
        lambdaContext('create-order'),
      )) as APIGatewayProxyStructuredResultV2;
      return {
        status: result.statusCode,
        body: JSON.parse(result.body ?? '{}') as { orderId?: string; code?: string },
      };
    };
    const key = `shared-${randomUUID()}`;
    const erp = 'arn:aws:sts::111111111111:assumed-role/erp-orders/session-1';
    const shop = 'arn:aws:iam::111111111111:user/webshop';
    const first = order();
    const second = order();
    expect(await call(keyed(erp, key, first))).toMatchObject({
      status: 202,
      body: { orderId: first.orderId },
    });
    expect(await call(keyed(shop, key, second))).toMatchObject({
      status: 202,
      body: { orderId: second.orderId },
    });
    const renewed = erp.replace('session-1', 'session-2');
    expect(await call(keyed(renewed, key, second))).toMatchObject({
      status: 409,
      body: { code: 'IDEMPOTENCY_KEY_REUSED' },
    });
    expect(await call(keyed(shop, 'not a\u0000key', order()))).toMatchObject({
      status: 400,
      body: { code: 'INVALID_IDEMPOTENCY_KEY' },
    });
  });
});

describe('diagnostics that say what happened', () => {
  it('a failed order’s label route says why it has no label', async () => {
    const heavy = order({ parcel: { weightGrams: 95_000 } });
    await postJson('/orders', heavy);
    const failed = await settled(heavy.orderId, ['failed']);
    const label = await fetch(`${stack.url}/orders/${heavy.orderId}/label`);
    expect(label.status).toBe(409);
    const answer = (await label.json()) as Problem;
    expect(answer.code).toBe('ORDER_FAILED');
    expect(answer.message).toContain(failed.failure?.reason ?? 'a reason');
  });

  it('a stored label gone from S3 is a 500 on our side; a format the account does not print is a 404 saying so', async () => {
    const shipped = order();
    await postJson('/orders', shipped);
    await settled(shipped.orderId, ['label_stored']);
    const stored = await createServices(loadEnv()).store.get({
      channel: 'webshop',
      orderId: shipped.orderId,
    });
    const zpl = await fetch(`${stack.url}/orders/${shipped.orderId}/label?format=zpl`);
    expect(zpl.status).toBe(404);
    expect(((await zpl.json()) as Problem).message).toMatch(
      /ZPL is made for accounts whose printers take it/,
    );
    await new S3Client({}).send(
      new DeleteObjectCommand({ Bucket: LOCAL_NAMES.labelBucket, Key: stored?.labels?.a6?.key }),
    );
    const missing = await fetch(`${stack.url}/orders/${shipped.orderId}/label`);
    expect(missing.status).toBe(500);
    expect(await missing.json()).toMatchObject({ code: 'INTERNAL', requestId: expect.any(String) });
  });
});
