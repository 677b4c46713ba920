import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendcloudHttpError } from '../../../../shared/sendcloud';
import { V3AnnounceManyError } from '../../../../shared/sendcloud/v3';
import { TEST_CREDENTIALS } from '../../../helpers/factories';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { homeDraft, portFor, SENDER_ADDRESSES, shipmentJson } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.on('GET', /\/addresses\/sender-addresses$/, { status: 200, json: SENDER_ADDRESSES });
});

const ANNOUNCE = /^\/api\/v3\/shipments\/announce$/;
const SHIPMENTS = /^\/api\/v3\/shipments$/;
const refOf = (json: unknown) => (json as { external_reference_id: string }).external_reference_id;
const NONE = { status: 200, json: { data: [] } } as const;

describe('V3Port.announce', () => {
  it('201 READY_TO_SEND is announced, with both status vocabularies and the option as method', async () => {
    // Prepare
    server.on('POST', ANNOUNCE, (req) => ({
      status: 201,
      json: { data: shipmentJson({ ref: refOf(req.json), parcels: [{ id: 77 }] }) },
    }));
    const { port } = portFor(server, { partnerId: '7a9f1b6e-5d2c-4c1e-9f2a-0b3c4d5e6f70' });
    // Act
    const outcome = await port.announce(homeDraft());
    // Assess
    expect(outcome).toMatchObject({
      outcome: 'announced',
      reconciled: false,
      shipment: {
        id: 'a1b2c3d4-shipment',
        externalReference: 'webshop:WEB-10001:1',
        carrier: 'postnl',
        method: 'postnl:standard@517',
        state: 'announced',
        parcels: [
          {
            id: 77,
            trackingNumber: '3SYZXG77',
            status: { id: 1000, code: 'READY_TO_SEND', message: 'Ready to send' },
          },
        ],
      },
    });
    const post = server.requests.find((r) => r.method === 'POST');
    expect(post?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${TEST_CREDENTIALS.publicKey}:${TEST_CREDENTIALS.secretKey}`).toString('base64')}`,
    );
    expect(post?.headers['sendcloud-partner-id']).toBe('7a9f1b6e-5d2c-4c1e-9f2a-0b3c4d5e6f70');
  });

  it('201 ANNOUNCEMENT_FAILED is a carrier refusal that keeps the shipment and the reason', async () => {
    server.on('POST', ANNOUNCE, {
      status: 201,
      json: {
        data: shipmentJson({
          parcels: [{ id: 78, code: 'ANNOUNCEMENT_FAILED', message: 'Announcement Failed' }],
          errors: [
            {
              status: '500',
              code: 'parcel_announcement_error',
              detail: 'Service error: An error occurred while connecting to the carrier.',
            },
          ],
        }),
      },
    });
    const { port } = portFor(server);
    const outcome = await port.announce(homeDraft());
    expect(outcome).toMatchObject({
      outcome: 'carrier_refused',
      reason: expect.stringContaining('Service error'),
      shipment: {
        state: 'refused',
        parcels: [{ id: 78, status: { id: 1002, code: 'ANNOUNCEMENT_FAILED' } }],
      },
    });
  });

  it('409 on a reused external reference returns the existing shipment: announced, reconciled', async () => {
    server.on('POST', ANNOUNCE, { status: 409, json: { data: shipmentJson({ id: 'existing-1' }) } });
    const { port } = portFor(server);
    const outcome = await port.announce(homeDraft());
    expect(outcome).toMatchObject({ outcome: 'announced', reconciled: true, shipment: { id: 'existing-1' } });
    expect(server.count('POST', ANNOUNCE)).toBe(1);
  });

  it('409 whose existing shipment was refused by the carrier is a carrier refusal', async () => {
    server.on('POST', ANNOUNCE, {
      status: 409,
      json: { data: shipmentJson({ parcels: [{ id: 5, code: 'ANNOUNCEMENT_FAILED' }] }) },
    });
    const { port } = portFor(server);
    expect(await port.announce(homeDraft())).toMatchObject({
      outcome: 'carrier_refused',
      shipment: { state: 'refused' },
    });
  });

  it('409 without the object in its body looks the shipment up by reference', async () => {
    server.on('POST', ANNOUNCE, {
      status: 409,
      json: { errors: [{ status: '409', code: 'invalid', detail: 'Duplicate external_reference_id' }] },
    });
    server.on('GET', SHIPMENTS, { status: 200, json: { data: [shipmentJson({ id: 'found-by-ref' })] } });
    const { port } = portFor(server);
    expect(await port.announce(homeDraft())).toMatchObject({
      outcome: 'announced',
      reconciled: true,
      shipment: { id: 'found-by-ref' },
    });
  });

  it('after a timeout finds the shipment by external reference and does not send it again', async () => {
    server.on('POST', ANNOUNCE, 'hang');
    server.on('GET', SHIPMENTS, (req) => ({
      status: 200,
      json: {
        data: [shipmentJson({ id: 'arrived', ref: req.url.searchParams.get('external_reference_id') })],
      },
    }));
    const { port } = portFor(server);
    const outcome = await port.announce(homeDraft());
    expect(outcome).toMatchObject({ outcome: 'announced', reconciled: true, shipment: { id: 'arrived' } });
    expect(server.count('POST', ANNOUNCE)).toBe(1);
    expect(
      server.requests.find((r) => r.method === 'GET' && SHIPMENTS.test(r.url.pathname))?.url.search,
    ).toBe('?external_reference_id=webshop%3AWEB-10001%3A1');
  });

  it('after a timeout and an empty lookup sends the announce once more', async () => {
    server.sequence('POST', ANNOUNCE, [
      'hang',
      { status: 201, json: { data: shipmentJson({ id: 'second' }) } },
    ]);
    server.on('GET', SHIPMENTS, NONE);
    const { port, sleeps } = portFor(server);
    const outcome = await port.announce(homeDraft());
    expect(outcome).toMatchObject({ outcome: 'announced', reconciled: false, shipment: { id: 'second' } });
    expect(server.count('POST', ANNOUNCE)).toBe(2);
    expect(server.count('GET', SHIPMENTS)).toBe(1);
    expect(sleeps).toHaveLength(1);
  });

  it('a 429 is reconciled first and waits at least a second before sending again', async () => {
    server.sequence('POST', ANNOUNCE, [
      { status: 429, body: '' },
      { status: 201, json: { data: shipmentJson() } },
    ]);
    server.on('GET', SHIPMENTS, NONE);
    const { port, sleeps } = portFor(server);
    expect(await port.announce(homeDraft())).toMatchObject({ outcome: 'announced' });
    expect(server.count('GET', SHIPMENTS)).toBe(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after the retry policy, never having sent more than maxAttempts announces', async () => {
    server.on('POST', ANNOUNCE, { status: 503, body: '' });
    server.on('GET', SHIPMENTS, NONE);
    const { port } = portFor(server, { retry: { maxAttempts: 3 } });
    await expect(port.announce(homeDraft())).rejects.toMatchObject({ status: 503, retryable: true });
    expect(server.count('POST', ANNOUNCE)).toBe(3);
  });

  it('a 400 JSON:API validation error is rejected, naming each pointer and detail', async () => {
    server.on('POST', ANNOUNCE, {
      status: 400,
      json: {
        errors: [
          {
            status: '400',
            code: 'required',
            detail: 'This field is required.',
            source: { pointer: '/to_address/name' },
          },
          {
            status: '400',
            code: 'invalid',
            detail: 'Enter a valid value.',
            source: { pointer: '/parcels/0/weight' },
          },
        ],
      },
    });
    const { port } = portFor(server);
    const outcome = await port.announce(homeDraft());
    expect(outcome).toEqual({
      outcome: 'rejected',
      reason:
        '/to_address/name: This field is required. (required); /parcels/0/weight: Enter a valid value. (invalid)',
    });
    expect(server.count('POST', ANNOUNCE)).toBe(1);
  });

  it('a 400 whose error is the carrier announcement error is a carrier refusal', async () => {
    server.on('POST', ANNOUNCE, {
      status: 400,
      json: {
        errors: [{ status: '400', code: 'parcel_announcement_error', detail: 'Service error: no capacity' }],
      },
    });
    const { port } = portFor(server);
    expect(await port.announce(homeDraft())).toMatchObject({ outcome: 'carrier_refused' });
  });

  it('a v2 method id is rejected before anything is sent', async () => {
    const { port } = portFor(server);
    const outcome = await port.announce(homeDraft({ method: '8' }));
    expect(outcome).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('mapLegacyMethods'),
    });
    expect(server.requests).toHaveLength(0);
  });

  it('an invalid recipient is rejected by field name, without its value', async () => {
    const { port } = portFor(server);
    const outcome = await port.announce(
      homeDraft({ recipient: { ...homeDraft().recipient, country: 'Netherlands' } }),
    );
    expect(outcome).toEqual({ outcome: 'rejected', reason: 'invalid recipient.country' });
  });

  it('a 401 is an error that names the request, not the payload', async () => {
    server.on('POST', ANNOUNCE, {
      status: 401,
      json: { errors: [{ status: '401', code: 'authentication_failed', detail: 'Invalid credentials.' }] },
    });
    const { port } = portFor(server);
    const error = await port.announce(homeDraft()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudHttpError);
    expect(error).toMatchObject({ status: 401, errorCode: 'authentication_failed', retryable: false });
    expect(String((error as Error).message)).not.toMatch(/Jan de Vries|Damrak|jan@example/);
    expect(server.count('POST', ANNOUNCE)).toBe(1);
  });
});

describe('v3 error messages', () => {
  it('leave out quoted values and emails SendCloud echoes; the entries keep them', async () => {
    server.on('GET', SHIPMENTS, {
      status: 403,
      json: {
        errors: [
          { status: '403', code: 'forbidden', detail: 'User "jan@example.invalid" may not do this.' },
          {
            status: '403',
            code: 'forbidden',
            detail: "Postcode '1012AB' isn't served, contact ops@example.invalid",
          },
        ],
      },
    });
    const { port } = portFor(server);
    const error = await port.find('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudHttpError);
    const message = (error as SendcloudHttpError).message;
    expect(message).not.toMatch(/jan@example|1012AB|ops@example/);
    expect(message).toContain("isn't served");
    expect((error as SendcloudHttpError).errors[0]?.detail).toContain('jan@example.invalid');
  });
});

describe('V3Port.reannounce', () => {
  const refused = {
    id: 'refused-1',
    externalReference: 'webshop:WEB-10001:1',
    parcels: [],
    carrier: 'postnl',
    method: 'postnl:standard@517',
    methodName: null,
    state: 'refused' as const,
  };

  it('announces the draft as a new shipment, after a best-effort cancel of the refused one', async () => {
    server.on('POST', /\/shipments\/refused-1\/cancel$/, {
      status: 409,
      json: { errors: [{ status: '409', code: 'invalid', detail: 'Not cancellable.' }] },
    });
    server.on('POST', ANNOUNCE, (req) => ({
      status: 201,
      json: { data: shipmentJson({ id: 'new-1', ref: refOf(req.json) }) },
    }));
    const { port } = portFor(server);
    const outcome = await port.reannounce(
      refused,
      homeDraft({ externalReference: 'webshop:WEB-10001:1#2', method: 'dhl:standard' }),
    );
    expect(outcome).toMatchObject({
      outcome: 'announced',
      shipment: { id: 'new-1', externalReference: 'webshop:WEB-10001:1#2' },
    });
    const body = server.requests.find((r) => ANNOUNCE.test(r.url.pathname))?.json;
    expect(body).toMatchObject({ ship_with: { properties: { shipping_option_code: 'dhl:standard' } } });
  });

  it('never leaves two live shipments: a live one that cannot be cancelled stops the re-announce', async () => {
    server.on('POST', /\/cancel$/, {
      status: 409,
      json: {
        errors: [{ status: '409', code: 'invalid', detail: 'This shipment is already being cancelled.' }],
      },
    });
    const { port } = portFor(server);
    const outcome = await port.reannounce(
      { ...refused, state: 'announced' },
      homeDraft({ externalReference: 'webshop:WEB-10001:1#2' }),
    );
    expect(outcome).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('still live') });
    expect(server.count('POST', ANNOUNCE)).toBe(0);
  });

  it('refuses to reuse the refused shipment’s external reference', async () => {
    const { port } = portFor(server);
    await expect(port.reannounce(refused, homeDraft())).rejects.toThrow(/new external reference/);
  });
});

describe('V3Port.announceMany', () => {
  it('announces each draft once with bounded concurrency and answers per external reference', async () => {
    let inFlight = 0;
    let peak = 0;
    server.on('POST', ANNOUNCE, async (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      const ref = refOf(req.json);
      return { status: 201, json: { data: shipmentJson({ id: `s-${ref}`, ref }) } };
    });
    const { port } = portFor(server, { announceConcurrency: 3 });
    const drafts = Array.from({ length: 8 }, (_, i) => homeDraft({ externalReference: `r${i}` }));
    const outcomes = await port.announceMany(drafts);
    expect([...outcomes.keys()]).toEqual(drafts.map((d) => d.externalReference));
    expect([...outcomes.values()].every((o) => o.outcome === 'announced')).toBe(true);
    expect(server.count('POST', ANNOUNCE)).toBe(8);
    expect(peak).toBe(3);
  });

  it('keeps the outcomes reached when some announcements fail with an error', async () => {
    server.on('POST', ANNOUNCE, (req) =>
      refOf(req.json) === 'bad'
        ? { status: 403, json: { errors: [{ status: '403', code: 'forbidden', detail: 'No.' }] } }
        : { status: 201, json: { data: shipmentJson({ ref: refOf(req.json) }) } },
    );
    const { port } = portFor(server);
    const error = await port
      .announceMany([homeDraft({ externalReference: 'good' }), homeDraft({ externalReference: 'bad' })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(V3AnnounceManyError);
    const failed = error as V3AnnounceManyError;
    expect([...failed.outcomes.keys()]).toEqual(['good']);
    expect([...failed.failures.keys()]).toEqual(['bad']);
    expect(failed.retryable).toBe(false);
  });
});
