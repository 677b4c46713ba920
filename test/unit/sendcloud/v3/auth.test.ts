import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendcloudHttpError } from '../../../../shared/sendcloud';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import { homeDraft, portFor, shipmentJson, T0 } from './factories';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const TOKEN = /^\/api\/v3\/oauth2\/token$/;
const SHIPMENTS = /^\/api\/v3\/shipments$/;
const OAUTH = {
  credentials: { publicKey: 'client-id', secretKey: 'client-secret', auth: 'oauth2' as const },
};

let issued = 0;
beforeEach(() => {
  server.reset();
  issued = 0;
  server.on('POST', TOKEN, () => ({
    status: 200,
    json: { access_token: `token-${++issued}`, expires_in: 3600, token_type: 'bearer', scope: 'api' },
  }));
  server.on('GET', SHIPMENTS, { status: 200, json: { data: [shipmentJson()] } });
});

const bearers = () =>
  server.requests.filter((r) => SHIPMENTS.test(r.url.pathname)).map((r) => r.headers.authorization);

describe('OAuth2 client credentials', () => {
  it('asks for one token with Basic client auth and sends it as Bearer until shortly before it expires', async () => {
    // Prepare
    const { port, clock } = portFor(server, OAUTH);
    // Act
    await port.find('a');
    clock.now = T0 + 3_539_000; // 61 s before expiry: still good
    await port.find('b');
    clock.now = T0 + 3_541_000; // inside the 60 s margin: refreshed
    await port.find('c');
    // Assess
    expect(bearers()).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
    const token = server.requests.find((r) => TOKEN.test(r.url.pathname));
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`,
    );
    expect(token?.body.toString()).toBe('grant_type=client_credentials&scope=api');
  });

  it('concurrent calls share one token request', async () => {
    const { port } = portFor(server, OAUTH);
    await Promise.all([port.find('a'), port.find('b'), port.find('c')]);
    expect(server.count('POST', TOKEN)).toBe(1);
    expect(new Set(bearers())).toEqual(new Set(['Bearer token-1']));
  });

  it('a 401 drops the cached token and sends the request once more with a fresh one', async () => {
    server.on('GET', SHIPMENTS, (req) =>
      req.headers.authorization === 'Bearer token-1'
        ? {
            status: 401,
            json: { errors: [{ status: '401', code: 'authentication_failed', detail: 'Expired.' }] },
          }
        : { status: 200, json: { data: [shipmentJson({ id: 'after-refresh' })] } },
    );
    const { port } = portFor(server, OAUTH);
    expect(await port.find('webshop:WEB-10001:1')).toMatchObject({ id: 'after-refresh' });
    expect(bearers()).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('a write refused with 401 goes once more too (it was not processed), and only once', async () => {
    server.on('POST', /\/shipments\/announce$/, {
      status: 401,
      json: { errors: [{ status: '401', code: 'authentication_failed', detail: 'Invalid token.' }] },
    });
    server.on('GET', /\/addresses\/sender-addresses$/, {
      status: 200,
      json: {
        data: [
          {
            id: 1,
            name: 'Shop',
            address_line_1: 'Street',
            postal_code: '1',
            city: 'City',
            country_code: 'NL',
          },
        ],
      },
    });
    const { port } = portFor(server, OAUTH);
    await expect(port.announce(homeDraft())).rejects.toMatchObject({
      status: 401,
      errorCode: 'authentication_failed',
    });
    expect(server.count('POST', /\/shipments\/announce$/)).toBe(2);
  });

  it('a refused token request is an error with the OAuth2 error code', async () => {
    server.on('POST', TOKEN, {
      status: 401,
      json: { error: 'invalid_client', error_description: 'Client authentication failed.' },
    });
    const { port } = portFor(server, OAUTH);
    const error = await port.find('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendcloudHttpError);
    expect(error).toMatchObject({ status: 401, errorCode: 'invalid_client' });
    expect(server.count('GET', SHIPMENTS)).toBe(0);
  });

  it('Basic is the default: no token is asked for', async () => {
    const { port } = portFor(server);
    await port.find('a');
    expect(server.count('POST', TOKEN)).toBe(0);
    expect(bearers()[0]).toMatch(/^Basic /);
  });
});
