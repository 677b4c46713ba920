import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SendcloudHttpError,
  SendcloudTimeoutError,
  SendcloudTransportError,
  SendcloudValidationError,
} from '../../../shared/sendcloud';
import { clientFor, parcelDraft, parcelJson } from '../../helpers/factories';
import { fixture } from '../../helpers/fixtures';
import { ScriptedServer } from '../../helpers/scriptedServer';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const PARCELS = /^\/api\/v2\/parcels$/;
const recordedBody = (file: string, i = 0) =>
  fixture<{ interactions: Array<{ response: { body: unknown } }> }>(file).interactions[i]?.response.body;

describe('parcels.create', () => {
  it('sends the parcel in kilograms with Basic auth and returns what SendCloud created', async () => {
    // Prepare
    server.on('POST', PARCELS, (req) => ({
      status: 200,
      json: {
        parcel: parcelJson({
          id: 77,
          external_reference: (req.json as { parcel: { external_reference: string } }).parcel
            .external_reference,
        }),
      },
    }));
    const { client } = clientFor(server, { partnerId: '7a9f1b6e-5d2c-4c1e-9f2a-0b3c4d5e6f70' });
    // Act
    const result = await client.parcels.create(parcelDraft());
    // Assess
    expect(result.reconciled).toBe(false);
    expect(result.parcel).toMatchObject({
      id: 77,
      external_reference: 'webshop:WEB-10001:1',
      status: { id: 1000 },
    });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from('pk_test_public:sk_test_secret_never_logged').toString('base64')}`,
    );
    expect(request?.headers['sendcloud-partner-id']).toBe('7a9f1b6e-5d2c-4c1e-9f2a-0b3c4d5e6f70');
    expect(request?.json).toMatchObject({
      parcel: { weight: '1.200', length: '30', shipment: { id: 8 }, request_label: true },
    });
  });

  it('after a timeout finds the parcel by external reference and does not send it again', async () => {
    server.on('POST', PARCELS, 'hang');
    server.on('GET', PARCELS, (req) => ({
      status: 200,
      json: {
        next: null,
        previous: null,
        parcels: [parcelJson({ id: 5, external_reference: req.url.searchParams.get('external_reference') })],
      },
    }));
    const { client } = clientFor(server);
    const result = await client.parcels.create(parcelDraft());
    expect(result).toMatchObject({ reconciled: true, parcel: { id: 5 } });
    expect(server.count('POST', PARCELS)).toBe(1);
    expect(server.requests.find((r) => r.method === 'GET')?.url.searchParams.get('external_reference')).toBe(
      'webshop:WEB-10001:1',
    );
  });

  it('after a 503 and an empty lookup sends the create once more', async () => {
    server.sequence('POST', PARCELS, [
      { status: 503, body: '' },
      { status: 200, json: { parcel: parcelJson({ id: 9 }) } },
    ]);
    server.on('GET', PARCELS, { status: 200, json: { next: null, previous: null, parcels: [] } });
    const { client, sleeps } = clientFor(server);
    const result = await client.parcels.create(parcelDraft());
    expect(result).toMatchObject({ reconciled: false, parcel: { id: 9 } });
    expect(server.count('POST', PARCELS)).toBe(2);
    expect(server.count('GET', PARCELS)).toBe(1);
    expect(sleeps).toHaveLength(1);
  });

  it('after a 429 with an empty body looks up first, then retries', async () => {
    server.sequence('POST', PARCELS, [
      { status: 429, body: '' },
      { status: 200, json: { parcel: parcelJson({ id: 10 }) } },
    ]);
    server.on('GET', PARCELS, { status: 200, json: { next: null, previous: null, parcels: [] } });
    const { client } = clientFor(server);
    await expect(client.parcels.create(parcelDraft())).resolves.toMatchObject({ parcel: { id: 10 } });
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('gives up after the configured attempts with the last error, having created nothing twice', async () => {
    server.on('POST', PARCELS, 'destroy');
    server.on('GET', PARCELS, { status: 200, json: { next: null, previous: null, parcels: [] } });
    const { client } = clientFor(server, { retry: { maxAttempts: 3 } });
    await expect(client.parcels.create(parcelDraft())).rejects.toBeInstanceOf(SendcloudTransportError);
    expect(server.count('POST', PARCELS)).toBe(3);
    expect(server.count('GET', PARCELS)).toBe(2);
  });

  it('does not retry a carrier rejection and marks it as one (a 1002 parcel may remain)', async () => {
    server.on('POST', PARCELS, {
      status: 400,
      json: recordedBody(
        'BloomAndWild-sendcloud/create_parcel_request/invalid_request_with_carrier_errors.json',
      ),
    });
    const { client } = clientFor(server);
    const error = await client.parcels.create(parcelDraft()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudHttpError);
    expect(error).toMatchObject({ status: 400, carrierError: true, retryable: false });
    expect(server.count('POST', PARCELS)).toBe(1);
  });

  it('with lookupFirst returns the existing parcel without sending anything', async () => {
    server.on('GET', PARCELS, {
      status: 200,
      json: {
        next: null,
        previous: null,
        parcels: [parcelJson({ id: 3, external_reference: 'webshop:WEB-10001:1' })],
      },
    });
    const { client } = clientFor(server);
    await expect(client.parcels.create(parcelDraft(), { lookupFirst: true })).resolves.toMatchObject({
      reconciled: true,
      parcel: { id: 3 },
    });
    expect(server.count('POST', PARCELS)).toBe(0);
  });

  it('takes the parcel an earlier attempt created when SendCloud answers that its reference is taken', async () => {
    const taken = {
      error: {
        code: 400,
        message: 'external_reference: "Parcel with this external reference already exists."',
      },
    };
    server.on('POST', PARCELS, { status: 400, json: taken });
    server.on('GET', PARCELS, {
      status: 200,
      json: {
        next: null,
        previous: null,
        parcels: [parcelJson({ id: 7, external_reference: 'webshop:WEB-10001:1' })],
      },
    });
    const { client } = clientFor(server);
    await expect(client.parcels.create(parcelDraft())).resolves.toMatchObject({
      reconciled: true,
      parcel: { id: 7 },
    });
    expect(server.count('POST', PARCELS)).toBe(1);

    // Nothing under the reference after all: SendCloud's refusal stands.
    server.reset();
    server.on('POST', PARCELS, { status: 400, json: taken });
    server.on('GET', PARCELS, { status: 200, json: { next: null, previous: null, parcels: [] } });
    await expect(client.parcels.create(parcelDraft())).rejects.toThrow(/external reference already exists/);
  });

  it('refuses an invalid draft before sending, naming every field to fix', async () => {
    const { client } = clientFor(server);
    const draft = parcelDraft({
      weightGrams: 1.5,
      recipient: { ...parcelDraft().recipient, country: 'Netherlands', name: '' },
    });
    const error = await client.parcels.create(draft).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudValidationError);
    expect((error as SendcloudValidationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['recipient.name', 'recipient.country', 'weightGrams']),
    );
    expect((error as SendcloudValidationError).retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('names the missing field when SendCloud refuses the parcel', async () => {
    server.on('POST', PARCELS, {
      status: 400,
      json: recordedBody('BloomAndWild-sendcloud/create_parcel_request/invalid_request.json'),
    });
    const { client } = clientFor(server);
    await expect(client.parcels.create(parcelDraft())).rejects.toThrow(
      /shipping_method: "This field is required\."/,
    );
  });
});

describe('parcels.createBatch', () => {
  const drafts = ['a', 'b', 'c'].map((ref) => parcelDraft({ externalReference: ref }));

  it('returns a typed result per parcel: created, refused with field errors, failed at the carrier', async () => {
    server.on('POST', PARCELS, (req) => {
      expect(req.url.searchParams.get('errors')).toBe('verbose-carrier');
      const submitted = (req.json as { parcels: Array<{ external_reference: string }> }).parcels;
      return {
        status: 200,
        json: {
          parcels: [
            parcelJson({ id: 1, external_reference: 'a', errors: {} }),
            parcelJson({
              id: 3,
              external_reference: 'c',
              status: { id: 1002, message: 'Announcement failed' },
              errors: { non_field_errors: ['Service error'] },
            }),
          ],
          failed_parcels: [{ parcel: submitted[1], errors: { name: ['This field is required.'] } }],
        },
      };
    });
    const { client } = clientFor(server);
    const results = await client.parcels.createBatch(drafts);
    expect(results.map((r) => [r.externalReference, r.outcome])).toEqual([
      ['a', 'created'],
      ['b', 'rejected'],
      ['c', 'carrier_failed'],
    ]);
    expect(results[1]).toMatchObject({ errors: { name: ['This field is required.'] } });
  });

  it('reports a parcel refused for a taken reference as the one SendCloud holds under it', async () => {
    server.on('POST', PARCELS, (req) => {
      const submitted = (req.json as { parcels: Array<{ external_reference: string }> }).parcels;
      return {
        status: 200,
        json: {
          parcels: [parcelJson({ id: 1, external_reference: 'a', errors: {} })],
          failed_parcels: [
            {
              parcel: submitted[1],
              errors: { external_reference: ['Parcel with this external reference already exists.'] },
            },
            {
              parcel: submitted[2],
              errors: { external_reference: ['Parcel with this external reference already exists.'] },
            },
          ],
        },
      };
    });
    server.on('GET', PARCELS, (req) => ({
      status: 200,
      json: {
        next: null,
        previous: null,
        parcels:
          req.url.searchParams.get('external_reference') === 'b'
            ? [parcelJson({ id: 2, external_reference: 'b' })]
            : [],
      },
    }));
    const { client } = clientFor(server);
    const results = await client.parcels.createBatch(drafts);
    expect(results.map((r) => [r.externalReference, r.outcome])).toEqual([
      ['a', 'created'],
      ['b', 'created'],
      ['c', 'rejected'],
    ]);
    expect(results[1]).toMatchObject({ reconciled: true, parcels: [{ id: 2 }] });
    expect(server.count('POST', PARCELS)).toBe(1);
  });

  it('after a timeout resends only the parcels SendCloud does not have', async () => {
    let posts = 0;
    server.on('POST', PARCELS, (req) => {
      posts++;
      if (posts === 1) return 'hang';
      const refs = (req.json as { parcels: Array<{ external_reference: string }> }).parcels.map(
        (p) => p.external_reference,
      );
      return {
        status: 200,
        json: {
          parcels: refs.map((ref, i) => parcelJson({ id: 100 + i, external_reference: ref })),
          failed_parcels: [],
        },
      };
    });
    server.on('GET', PARCELS, (req) => {
      const ref = req.url.searchParams.get('external_reference');
      const known = ref === 'a' ? [parcelJson({ id: 1, external_reference: 'a' })] : [];
      return { status: 200, json: { next: null, previous: null, parcels: known } };
    });
    const { client } = clientFor(server);
    const results = await client.parcels.createBatch(drafts);
    expect(
      results.map((r) => [r.externalReference, r.outcome, r.outcome === 'created' && r.reconciled]),
    ).toEqual([
      ['a', 'created', true],
      ['b', 'created', false],
      ['c', 'created', false],
    ]);
    const resent = server.requests.filter((r) => r.method === 'POST')[1]?.json as {
      parcels: Array<{ external_reference: string }>;
    };
    expect(resent.parcels.map((p) => p.external_reference)).toEqual(['b', 'c']);
  });

  it('refuses duplicate external references before sending', async () => {
    const { client } = clientFor(server);
    await expect(client.parcels.createBatch([parcelDraft(), parcelDraft()])).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('parcels.get and list', () => {
  it('gets one parcel, and a 404 is an error with SendCloud message', async () => {
    server.on('GET', /^\/api\/v2\/parcels\/343492699$/, {
      status: 200,
      json: recordedBody('BloomAndWild-sendcloud/tracking_request/valid_parcel_id.json'),
    });
    server.on('GET', /^\/api\/v2\/parcels\/0$/, {
      status: 404,
      json: recordedBody('BloomAndWild-sendcloud/tracking_request/invalid_parcel_id.json'),
    });
    const { client } = clientFor(server);
    await expect(client.parcels.get(343492699)).resolves.toMatchObject({ tracking_number: 'SCCWF3HMRH7Y' });
    await expect(client.parcels.get(0)).rejects.toMatchObject({
      status: 404,
      sendcloudMessage: 'No Parcel matches the given query.',
      retryable: false,
    });
  });

  it('follows cursor pagination to the end, re-sending filters on our own host', async () => {
    // Three pages like SendCloud's: 100 per page, id descending, `next` a full URL on SendCloud's host.
    const ids = Array.from({ length: 205 }, (_, i) => 1000 - i);
    server.on('GET', PARCELS, (req) => {
      const cursor = req.url.searchParams.get('cursor');
      const after = cursor
        ? Number(Buffer.from(cursor, 'base64').toString().replace('p=', ''))
        : Number.POSITIVE_INFINITY;
      const page = ids.filter((id) => id < after).slice(0, 100);
      const last = page.at(-1);
      const more = last !== undefined && ids.some((id) => id < last);
      const next = more
        ? `https://panel.sendcloud.sc/api/v2/parcels?cursor=${encodeURIComponent(Buffer.from(`p=${last}`).toString('base64'))}&updated_after=${encodeURIComponent(req.url.searchParams.get('updated_after') ?? '')}`
        : null;
      return { status: 200, json: { next, previous: null, parcels: page.map((id) => parcelJson({ id })) } };
    });
    const { client } = clientFor(server);
    const parcels = await client.parcels.listAll({ updatedAfter: new Date('2021-09-10T00:00:00Z') });
    expect(parcels.map((p) => p.id)).toEqual(ids);
    expect(server.requests).toHaveLength(3);
    expect(
      server.requests.every((r) => r.url.searchParams.get('updated_after') === '2021-09-10T00:00:00.000Z'),
    ).toBe(true);
  });

  it('walks the recorded real pages by their cursors and stops at next: null', async () => {
    // The two recorded pages, then a last page SendCloud would answer for the third cursor.
    server.on('GET', PARCELS, (req) => {
      switch (req.url.searchParams.get('cursor')) {
        case null:
          return {
            status: 200,
            json: recordedBody('BloomAndWild-sendcloud/parcels_request/without_updated_after.json'),
          };
        case 'cD0zMDI2NjcxNjI=':
          return {
            status: 200,
            json: recordedBody(
              'BloomAndWild-sendcloud/parcels_request/without_updated_after_with_cursor.json',
            ),
          };
        case 'cD0zMDIxODE1NTc=':
          return { status: 200, json: { next: null, previous: null, parcels: [parcelJson({ id: 1 })] } };
        default:
          return { status: 599 };
      }
    });
    const { client } = clientFor(server);
    const all = await client.parcels.listAll();
    expect(server.requests).toHaveLength(3);
    expect(all).toHaveLength(201);
    expect(all.at(-1)?.id).toBe(1);
  });

  it('stops with a contract error when SendCloud hands back a cursor it already gave', async () => {
    server.on('GET', PARCELS, {
      status: 200,
      json: { next: 'https://panel.sendcloud.sc/api/v2/parcels?cursor=cD0x', previous: null, parcels: [] },
    });
    const { client } = clientFor(server);
    await expect(client.parcels.listAll()).rejects.toMatchObject({ code: 'SENDCLOUD_CONTRACT' });
    expect(server.requests).toHaveLength(2);
  });

  it('splits more than 100 ids into several calls and passes the other filters', async () => {
    server.on('GET', PARCELS, (req) => ({
      status: 200,
      json: {
        next: null,
        previous: null,
        parcels: (req.url.searchParams.get('ids') ?? '')
          .split(',')
          .map((id) => parcelJson({ id: Number(id) })),
      },
    }));
    const { client } = clientFor(server);
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    const parcels = await client.parcels.listAll({ ids, status: 1000, orderNumber: 'WEB-1' });
    expect(parcels).toHaveLength(150);
    expect(server.requests.map((r) => r.url.searchParams.get('ids')?.split(',').length)).toEqual([100, 50]);
    expect(server.requests[0]?.url.searchParams.get('parcel_status')).toBe('1000');
    expect(server.requests[0]?.url.searchParams.get('order_number')).toBe('WEB-1');
  });
});

describe('parcels.update and requestLabel', () => {
  const PARCEL_42 = /^\/api\/v2\/parcels\/42$/;
  const noLabel = parcelJson({ id: 42, status: { id: 999, message: 'No label' } });

  it('PUTs the changes with the id and the recipient fields SendCloud requires', async () => {
    server.on('GET', PARCEL_42, { status: 200, json: { parcel: noLabel } });
    server.on('PUT', PARCELS, (req) => ({
      status: 200,
      json: { parcel: parcelJson({ id: (req.json as { parcel: { id: number } }).parcel.id }) },
    }));
    const { client } = clientFor(server);
    await expect(client.parcels.update(42, { weight: '2.000' })).resolves.toMatchObject({ id: 42 });
    expect(server.requests.find((r) => r.method === 'PUT')?.json).toEqual({
      parcel: {
        id: 42,
        weight: '2.000',
        name: 'Redacted ae6e4d12',
        address: 'Insulindelaan',
        house_number: '115',
        city: 'Eindhoven',
        postal_code: '5642 CV',
        country: 'NL',
      },
    });
  });

  it('after a timeout reads the parcel back and does not request the label twice', async () => {
    server.on('PUT', PARCELS, 'hang');
    server.sequence('GET', PARCEL_42, [
      { status: 200, json: { parcel: noLabel } },
      { status: 200, json: { parcel: parcelJson({ id: 42 }) } },
    ]);
    const { client } = clientFor(server);
    await expect(client.parcels.requestLabel(42, { shippingMethodId: 8 })).resolves.toMatchObject({
      id: 42,
      status: { id: 1000 },
    });
    expect(server.count('PUT', PARCELS)).toBe(1);
    expect(server.requests.find((r) => r.method === 'PUT')?.json).toMatchObject({
      parcel: { id: 42, request_label: true, shipment: { id: 8 } },
    });
  });

  it('resends when the parcel is still without a label', async () => {
    server.sequence('PUT', PARCELS, [
      { status: 502, body: '' },
      { status: 200, json: { parcel: parcelJson({ id: 42 }) } },
    ]);
    server.on('GET', PARCEL_42, { status: 200, json: { parcel: noLabel } });
    const { client } = clientFor(server);
    await client.parcels.requestLabel(42, { shippingMethodId: 8, senderAddressId: 3 });
    expect(server.count('PUT', PARCELS)).toBe(2);
  });

  it('sends nothing for a parcel that is already announced', async () => {
    server.on('GET', PARCEL_42, { status: 200, json: { parcel: parcelJson({ id: 42 }) } });
    const { client } = clientFor(server);
    await expect(client.parcels.requestLabel(42, { shippingMethodId: 8 })).resolves.toMatchObject({
      status: { id: 1000 },
    });
    expect(server.count('PUT', PARCELS)).toBe(0);
  });
});

describe('parcels.cancel', () => {
  const outcomes = [
    ['BloomAndWild-sendcloud/cancel_parcel_request/valid_parcel.json', 202, 'queued'],
    ['OCA-delivery-carrier/cancel_parcel.json', 200, 'cancelled'],
    ['BloomAndWild-sendcloud/cancel_parcel_request/already_cancelled.json', 400, 'rejected'],
    ['BloomAndWild-sendcloud/cancel_parcel_request/invalid_id.json', 404, 'not_found'],
    ['BloomAndWild-sendcloud/cancel_parcel_request/deleted_parcel.json', 410, 'deleted'],
  ] as const;

  it.each(outcomes)('%s (%i) is the outcome %s', async (file, status, outcome) => {
    server.on('POST', /^\/api\/v2\/parcels\/\d+\/cancel$/, { status, json: recordedBody(file) });
    const { client } = clientFor(server);
    const result = await client.parcels.cancel(343619161);
    expect(result.outcome).toBe(outcome);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('throws on an answer outside the documented matrix, without retrying the write', async () => {
    server.on('POST', /^\/api\/v2\/parcels\/\d+\/cancel$/, { status: 500, body: 'oops' });
    const { client } = clientFor(server);
    await expect(client.parcels.cancel(1)).rejects.toMatchObject({ status: 500, retryable: true });
    expect(server.requests).toHaveLength(1);
  });

  it('a timed-out cancel is a timeout error, not a guess', async () => {
    server.on('POST', /^\/api\/v2\/parcels\/\d+\/cancel$/, 'hang');
    const { client } = clientFor(server);
    await expect(client.parcels.cancel(1)).rejects.toBeInstanceOf(SendcloudTimeoutError);
  });
});

describe('parcels.returnPortalUrl', () => {
  it.each([
    [
      200,
      { url: 'https://awesome.shipping-portal.com/returns/initiate/x/' },
      'https://awesome.shipping-portal.com/returns/initiate/x/',
    ],
    [200, { url: '' }, null],
    [404, { url: null }, null],
  ] as const)('%i %j → %s', async (status, json, expected) => {
    server.on('GET', /return_portal_url$/, { status, json });
    const { client } = clientFor(server);
    await expect(client.parcels.returnPortalUrl(1)).resolves.toBe(expected);
  });

  it('an unknown parcel is still an error', async () => {
    server.on('GET', /return_portal_url$/, {
      status: 404,
      json: {
        error: {
          code: 404,
          request: 'api/v2/parcels/1/return_portal_url',
          message: 'No Parcel matches the given query.',
        },
      },
    });
    const { client } = clientFor(server);
    await expect(client.parcels.returnPortalUrl(1)).rejects.toBeInstanceOf(SendcloudHttpError);
  });
});
