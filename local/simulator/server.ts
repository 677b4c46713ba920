import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import {
  type RateLimitRules,
  SENDCLOUD_RATE_LIMITS,
  SlidingWindowRateLimiter,
} from '../../shared/sendcloud/RateLimiter';
import { catalogueControl } from './accountCatalogue';
import {
  brand,
  brands,
  integration,
  integrationJson,
  integrations,
  invoice,
  invoices,
  updateIntegration,
  user,
} from './accountResources';
import {
  DUPLICATE_REFERENCE_MODES,
  type DuplicateReferenceMode,
  rateLimitsFrom,
  type SimAccount,
  type SimAccountInput,
  SimRateLimitsInput,
} from './accounts';
import { BULK_PAGE_ORDERS } from './bulkPageOrder';
import { type Fault, FaultInput, Faults } from './faults';
import { requestsLabel } from './parcels';
import { isValidPartnerId, needsTrailingSlash, resourceFor, type SimResource } from './resources';
import { type SimResponse, Simulator } from './Simulator';
import { shippingProducts } from './shippingProducts';
import { loadState, saveState } from './state';
import { invalidClient, jsonApiError, TOKEN_PATH, V3Simulator } from './v3';

export interface SimulatorServerOptions {
  /** Default 4010; 0 picks a free port. */
  readonly port?: number;
  readonly accounts?: readonly SimAccountInput[];
  /**
   * Limits of the accounts that do not set their own `rateLimits`: SendCloud's documented ones by default;
   * `false` turns limiting off for them.
   */
  readonly rateLimits?: RateLimitRules | false;
  /** The clock the rate limits count with (tests move it by hand); default the wall clock. */
  readonly rateLimitClock?: () => number;
  /** Advance announced parcels one carrier step every so often; 0 = only on demand. */
  readonly timelineStepMs?: number;
  readonly webhookTimeScale?: number;
  /** Keep parcels between runs in this JSON file. */
  readonly stateFile?: string;
  /** Realistic latency per request (ms), e.g. `{ read: 80, write: 250 }` for the benchmark. */
  readonly latencyMs?: { readonly read: number; readonly write: number };
  /**
   * How a create reusing an account's external reference is answered, for accounts that do not set
   * `duplicateExternalReference` themselves: `reject` (default, 400), `accept` (a second parcel) or
   * `return-existing` (the parcel already there). For v3 `reject` is the documented 409 with the shipment.
   */
  readonly duplicateExternalReference?: DuplicateReferenceMode;
  /** The simulator's clock: parcel dates, the 42-day cancel window, OAuth2 token expiry. Default the wall clock. */
  readonly clock?: () => Date;
}

export interface RunningSimulator {
  readonly url: string;
  /** Give this to the client as `baseUrl`. */
  readonly baseUrl: string;
  /** Give this to the client as `servicePointsBaseUrl`. */
  readonly servicePointsBaseUrl: string;
  /** The v3 API on the same port: `…/api/v3`. */
  readonly v3BaseUrl: string;
  readonly sim: Simulator;
  readonly v3: V3Simulator;
  readonly faults: Faults;
  stop(): Promise<void>;
}

export const DEFAULT_ACCOUNT: SimAccountInput = {
  id: 'default',
  publicKey: 'sim-public-key',
  secretKey: 'sim-secret-key',
};

const PANEL = '/api/v2';
const ANNOUNCEMENT_SWEEP_MS = 50;
const SERVICE_POINTS = '/servicepoints/api/v2';
const V3 = '/api/v3';

/** What the service's SendCloud configuration needs of a simulator listening at `url`. */
export const simulatorEndpoints = (url: string) => ({
  baseUrl: `${url}${PANEL}`,
  v3BaseUrl: `${url}${V3}`,
  servicePointsBaseUrl: `${url}${SERVICE_POINTS}`,
});

/** Starts the SendCloud simulator: a real HTTP server on 127.0.0.1 that the unchanged client talks to. */
export async function startSimulator(options: SimulatorServerOptions = {}): Promise<RunningSimulator> {
  const faults = new Faults();
  const sim = new Simulator({
    accounts: options.accounts ?? [DEFAULT_ACCOUNT],
    baseUrl: 'http://127.0.0.1',
    ...(options.webhookTimeScale === undefined ? {} : { webhookTimeScale: options.webhookTimeScale }),
    ...(options.duplicateExternalReference === undefined
      ? {}
      : { duplicateExternalReference: options.duplicateExternalReference }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const v3 = new V3Simulator(sim);
  if (options.stateFile) loadState(sim, options.stateFile, v3.store);
  let defaultRules: RateLimitRules | false = options.rateLimits ?? SENDCLOUD_RATE_LIMITS;
  const limiters = new Map<string, { rules: RateLimitRules; limiter: SlidingWindowRateLimiter }>();
  const stats = { requests: 0, rateLimited: 0, faults: 0, byRoute: {} as Record<string, number> };
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, {
          status: 500,
          body: '<h1>Server Error (500)</h1>',
          headers: { 'content-type': 'text/html' },
        });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    // Carrier answers to order label requests that fell due are applied before anything reads the state.
    v3.settleDue();
    if (url.pathname.startsWith('/__sim')) return send(res, await admin(method, url, body));
    if (url.pathname === V3 || url.pathname.startsWith(`${V3}/`)) return handleV3(req, res, url, body);
    const servicePoints = url.pathname.startsWith(SERVICE_POINTS);
    const prefix = servicePoints ? SERVICE_POINTS : url.pathname.startsWith(PANEL) ? PANEL : undefined;
    if (!prefix)
      return send(res, { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } });
    const path = url.pathname.slice(prefix.length) || '/';
    const request = `${prefix.slice(1)}${path}`;
    const host = servicePoints ? 'servicePoints' : 'panel';
    if (needsTrailingSlash(host, path)) {
      return send(res, {
        status: 301,
        body: '',
        headers: { location: `${url.pathname}/${url.search}`, vary: 'Origin' },
      });
    }
    const resource = resourceFor(host, path);
    // Set before anything can answer, so the 401, 429 and faults carry them as the recordings do.
    if (resource) {
      res.setHeader('allow', resource.allow.join(', '));
      res.setHeader('vary', resource.vary);
    }

    const account = authenticate(req, url, servicePoints);
    if (typeof account === 'string') {
      return send(res, {
        status: 401,
        json: { error: { code: 401, request, message: 'Invalid username/password.' } },
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    countRequest(`${method} ${path.replace(/\d+/g, '{id}')}`);
    if (throttled(account, method)) return send(res, { status: 429, body: '' });
    await latency(method);
    const fault = faults.take(method, path, account.id);
    if (fault) stats.faults++;
    const before = fault ? await applyFault(fault, req, res, 'v2') : 'continue';
    if (before === 'handled') return;
    const refused = refuse(method, req, resource, request);
    if (refused) return send(res, refused);
    const response = await route_(
      method === 'HEAD' ? 'GET' : method,
      path,
      url.searchParams,
      body,
      account.id,
      req,
      fault?.kind === 'carrier_reject' ? (fault.message ?? 'Carrier refused the shipment') : null,
    );
    if (fault?.kind === 'drop_response') {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }

  /**
   * `/api/v3/…`: the v2 pipeline — authentication (Basic, or an OAuth2 bearer token), one rate-limit budget per
   * account shared with v2, latency, faults (their `path` matched below `/api/v3`) — then the v3 routes. The
   * token endpoint authenticates the client by Basic even for OAuth2-only integrations.
   */
  async function handleV3(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(V3.length) || '/';
    const allow = v3.allow(path);
    if (allow) res.setHeader('allow', allow.join(', '));
    const isToken = TOKEN_PATH.test(path);
    const account = isToken ? basicAccount(req) : authenticateV3(req);
    if (!account || typeof account === 'string') {
      return send(
        res,
        isToken
          ? invalidClient()
          : {
              ...jsonApiError(401, 'authentication_failed', account ?? 'Invalid username/password.'),
              headers: { 'www-authenticate': 'Bearer' },
            },
      );
    }
    countRequest(`v3 ${method} ${path.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d+/g, '{id}')}`);
    if (throttled(account, method)) return send(res, { status: 429, body: '' });
    await latency(method);
    const fault = faults.take(method, path, account.id);
    if (fault) stats.faults++;
    const before = fault ? await applyFault(fault, req, res, 'v3') : 'continue';
    if (before === 'handled') return;
    const partnerId = req.headers['sendcloud-partner-id'];
    if (typeof partnerId === 'string' && !isValidPartnerId(partnerId))
      return send(
        res,
        jsonApiError(400, 'invalid', 'Must be a valid UUID.', { header: 'Sendcloud-Partner-Id' }),
      );
    const response = await v3.handle({
      account,
      method,
      path,
      query: url.searchParams,
      rawBody: body,
      headers: req.headers,
      carrierReject:
        fault?.kind === 'carrier_reject' ? (fault.message ?? 'Carrier refused the shipment') : null,
    });
    if (fault?.kind === 'drop_response') {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }

  function countRequest(route: string): void {
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
  }

  /** One budget per account, whichever API version it calls. */
  function throttled(account: SimAccount, method: string): boolean {
    const rules = account.rateLimits ?? defaultRules;
    if (!rules) return false;
    let limited = limiters.get(account.id);
    // New limits (admin API) start with empty windows.
    if (limited?.rules !== rules) {
      const clock = options.rateLimitClock ? { clock: options.rateLimitClock } : {};
      limited = { rules, limiter: new SlidingWindowRateLimiter({ rules, ...clock }) };
      limiters.set(account.id, limited);
    }
    if (limited.limiter.tryAcquire(method === 'GET' || method === 'HEAD' ? 'read' : 'write')) return false;
    stats.rateLimited++;
    return true;
  }

  async function latency(method: string): Promise<void> {
    if (!options.latencyMs) return;
    await new Promise((resolve) =>
      setTimeout(resolve, method === 'GET' ? options.latencyMs?.read : options.latencyMs?.write),
    );
  }

  async function applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    api: 'v2' | 'v3',
  ): Promise<'handled' | 'continue'> {
    switch (fault.kind) {
      case 'status': {
        const status = fault.status ?? 503;
        const message = fault.message ?? 'Injected fault';
        send(
          res,
          status >= 500
            ? { status, body: `<h1>${status}</h1>`, headers: { 'content-type': 'text/html' } }
            : api === 'v3'
              ? jsonApiError(status, 'invalid', message)
              : { status, json: { error: { code: status, request: req.url ?? '', message } } },
        );
        return 'handled';
      }
      case 'rate_limit':
        stats.rateLimited++;
        send(res, { status: 429, body: '' });
        return 'handled';
      case 'timeout':
        hanging.add(res);
        if (fault.delayMs !== undefined) setTimeout(() => req.socket.destroy(), fault.delayMs).unref();
        return 'handled';
      case 'reset':
        req.socket.destroy();
        return 'handled';
      case 'malformed':
        send(res, {
          status: 200,
          body: api === 'v3' ? '{"data": {"id": "' : '{"parcel": {"id": 1, "name": ',
          headers: { 'content-type': 'application/json' },
        });
        return 'handled';
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2_000));
        return 'continue';
      default:
        return 'continue';
    }
  }

  /** The account of a v2 request, or why there is none. */
  function authenticate(req: IncomingMessage, url: URL, servicePoints: boolean): SimAccount | string {
    if (/^(Basic|Bearer) /i.test(req.headers.authorization ?? '')) return authenticateV3(req);
    // Browsers may use the public key as `access_token` on the service-points host.
    const token = url.searchParams.get('access_token');
    const account =
      servicePoints && token ? [...sim.accounts.values()].find((a) => a.publicKey === token) : undefined;
    return account ?? 'Invalid username/password.';
  }

  function basicAccount(req: IncomingMessage): SimAccount | undefined {
    const match = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return sim.accountByKey(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  /** Basic with the integration's keys (unless it is OAuth2-only) or a bearer token it was issued. */
  function authenticateV3(req: IncomingMessage): SimAccount | string {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) return v3.bearerAccount(bearer.trim()) ?? 'Invalid or expired access token.';
    const account = basicAccount(req);
    if (!account) return 'Invalid username/password.';
    return account.oauthOnly ? 'This integration accepts OAuth2 access tokens only.' : account;
  }

  async function route_(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    accountId: string,
    req: IncomingMessage,
    carrierReject: string | null,
  ): Promise<SimResponse> {
    const account = sim.accounts.get(accountId);
    if (!account) return { status: 401, body: '' };
    const json = parseJson(body);
    if (json === INVALID)
      return {
        status: 400,
        json: { error: { code: 400, request: `api/v2${path}`, message: 'JSON parse error' } },
      };
    const closed = closedToNewAccounts(account, method, path, json);
    if (closed) return closed;
    const id = (pattern: RegExp) => Number(pattern.exec(path)?.[1]);
    const ids = () => (query.get('ids') ?? '').split(',').filter(Boolean).map(Number);
    const m = (verb: string, pattern: RegExp) => method === verb && pattern.test(path);

    if (m('POST', /^\/parcels\/?$/))
      return sim.createParcels(account, json, query.get('errors'), carrierReject);
    if (m('PUT', /^\/parcels\/?$/)) return sim.updateParcel(account, json, carrierReject);
    if (m('GET', /^\/parcels\/?$/)) return sim.listParcels(account, query);
    if (m('GET', /^\/parcels\/statuses\/?$/)) return sim.statuses();
    if (m('GET', /^\/parcels\/(\d+)\/?$/)) return sim.getParcel(account, id(/^\/parcels\/(\d+)/));
    // Allowed by the recorded `Allow` header; the body is the `PUT /parcels` one, the id taken from the path.
    if (m('PUT', /^\/parcels\/(\d+)\/?$/) || m('PATCH', /^\/parcels\/(\d+)\/?$/))
      return sim.updateParcel(account, withPathId(json, id(/^\/parcels\/(\d+)/)), carrierReject);
    if (m('POST', /^\/parcels\/(\d+)\/cancel\/?$/)) return sim.cancelParcel(account, id(/^\/parcels\/(\d+)/));
    if (m('GET', /^\/parcels\/(\d+)\/return_portal_url\/?$/))
      return sim.returnPortalUrl(account, id(/^\/parcels\/(\d+)/));
    if (m('GET', /^\/parcels\/(\d+)\/documents\/([a-z0-9-]+)\/?$/)) {
      const type = /documents\/([a-z0-9-]+)/.exec(path)?.[1] ?? '';
      return sim.document(
        account,
        id(/^\/parcels\/(\d+)/),
        type,
        String(req.headers.accept ?? 'application/pdf'),
      );
    }
    if (m('GET', /^\/customs_declaration\/normal_printer\/(\d+)\/?$/))
      return sim.customsDeclarationPdf(account, id(/(\d+)/));
    if (m('GET', /^\/labels\/(\d+)\/?$/)) return sim.labelLinks(account, id(/^\/labels\/(\d+)/));
    if (m('POST', /^\/labels\/?$/)) return sim.bulkLabelLinks(account, json);
    if (m('GET', /^\/labels\/label_printer\/(\d+)\/?$/))
      return sim.labelPdf(account, [id(/(\d+)/)], 'label', 0, `api/v2${path}`);
    if (m('GET', /^\/labels\/label_printer\/?$/))
      return sim.labelPdf(account, ids(), 'label', 0, `api/v2${path}`);
    if (m('GET', /^\/labels\/normal_printer\/(\d+)\/?$/))
      return sim.labelPdf(
        account,
        [id(/(\d+)/)],
        'normal',
        Number(query.get('start_from') ?? 'x'),
        `api/v2${path}`,
      );
    if (m('GET', /^\/labels\/normal_printer\/?$/))
      return sim.labelPdf(account, ids(), 'normal', Number(query.get('start_from') ?? 'x'), `api/v2${path}`);
    if (m('GET', /^\/shipping_methods\/?$/)) return sim.shippingMethods(account, query);
    if (m('GET', /^\/shipping_methods\/(\d+)\/?$/)) return sim.shippingMethod(account, id(/(\d+)/), query);
    if (m('GET', /^\/shipping-price\/?$/)) return sim.shippingPrice(query);
    if (m('GET', /^\/shipping-products\/?$/)) return shippingProducts(query);
    if (m('GET', /^\/user\/addresses\/sender\/?$/)) return sim.senderAddresses(account);
    if (m('GET', /^\/user\/addresses\/sender\/(\d+)\/?$/)) return sim.senderAddress(account, id(/(\d+)/));
    if (m('GET', /^\/brands\/?$/)) return brands(account);
    if (m('GET', /^\/brands\/(\d+)\/?$/)) return brand(account, id(/(\d+)/));
    if (m('GET', /^\/integrations\/?$/)) return integrations(account, sim.now());
    if (m('GET', /^\/integrations\/(\d+)\/?$/)) return integration(account, id(/(\d+)/), sim.now());
    if (m('PUT', /^\/integrations\/(\d+)\/?$/) || m('PATCH', /^\/integrations\/(\d+)\/?$/)) {
      const answer = updateIntegration(account, id(/(\d+)/), json, sim.now());
      // REFERENCE §6.4: a modified integration is told by an `integration_updated` webhook.
      if (answer.status === 200)
        sim.webhooks.send(account, {
          action: 'integration_updated',
          timestamp: sim.now().getTime(),
          integration: integrationJson(account, sim.now()),
        });
      return answer;
    }
    if (m('GET', /^\/user\/?$/)) return user(account, sim.baseUrl, sim.now());
    if (m('GET', /^\/user\/invoices\/?$/)) return invoices(account, sim.baseUrl, sim.now());
    if (m('GET', /^\/user\/invoices\/(\d+)\/?$/))
      return invoice(account, id(/(\d+)/), sim.baseUrl, sim.now());
    if (m('GET', /^\/returns\/?$/)) return sim.listReturns(account, query);
    if (m('GET', /^\/returns\/(\d+)\/?$/)) return sim.getReturn(account, id(/(\d+)/));
    if (m('GET', /^\/checkout\/configurations\/([^/]+)\/delivery-options\/?$/)) {
      return sim.deliveryOptions(
        account,
        decodeURIComponent(/configurations\/([^/]+)/.exec(path)?.[1] ?? ''),
        query,
      );
    }
    if (m('GET', /^\/service-points\/?$/)) return sim.searchServicePoints(query);
    if (m('GET', /^\/service-points\/(\d+)\/?$/)) return sim.servicePoint(id(/(\d+)/));
    if (m('GET', /^\/service-points\/(\d+)\/check-availability\/?$/)) {
      return { status: 200, json: sim.servicePoint(id(/(\d+)/)).status === 200 };
    }
    if (m('GET', /^\/carriers\/?$/)) return sim.servicePointCarriers();
    return { status: 404, json: { error: { code: 404, request: `api/v2${path}`, message: 'Not found.' } } };
  }

  // ---- admin API (/__sim) -----------------------------------------------------------------------

  async function admin(method: string, url: URL, body: Buffer): Promise<SimResponse> {
    const path = url.pathname.replace(/^\/__sim/, '');
    const json = parseJson(body);
    const parcelId = Number(/^\/parcels\/(\d+)/.exec(path)?.[1]);
    const parcel = Number.isFinite(parcelId) ? sim.parcels.get(parcelId) : undefined;
    if (method === 'GET' && path === '/health') return { status: 200, json: { ok: true } };
    if (method === 'GET' && path === '/stats')
      return {
        status: 200,
        json: {
          ...stats,
          batchCreates: sim.batchCreates,
          parcels: sim.parcels.size,
          webhooks: sim.webhooks.deliveries.length,
        },
      };
    if (method === 'GET' && path === '/faults') return { status: 200, json: faults.list };
    if (method === 'POST' && path === '/faults') {
      const input = FaultInput.safeParse(json);
      if (!input.success)
        return {
          status: 400,
          json: { errors: input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        };
      return { status: 201, json: faults.add(input.data) };
    }
    if (method === 'DELETE' && path === '/faults') {
      faults.clear();
      return { status: 204 };
    }
    if (method === 'GET' && path === '/counts') {
      const account = url.searchParams.get('account') ?? 'default';
      const ref = url.searchParams.get('external_reference') ?? '';
      return { status: 200, json: { account, external_reference: ref, ...v3.counts(account, ref) } };
    }
    if (method === 'GET' && path === '/accounts')
      return {
        status: 200,
        json: [...sim.accounts.values()].map((a) => ({
          id: a.id,
          api: a.api,
          oauthOnly: a.oauthOnly,
          duplicateExternalReference: a.duplicateExternalReference,
          bulkPageOrder: a.bulkPageOrder,
          webhookUrl: a.webhookUrl,
          ownRateLimits: a.rateLimits !== undefined,
          integrationId: a.integrationId,
          asyncAnnounceMs: a.asyncAnnounceMs,
        })),
      };
    const catalogue = /^\/accounts\/([^/]+)\/catalogue(?:\/([^/]+))?$/.exec(path);
    if (catalogue)
      return catalogueControl(sim, {
        method,
        accountId: decodeURIComponent(catalogue[1] ?? ''),
        methodName: catalogue[2] === undefined ? undefined : decodeURIComponent(catalogue[2]),
        query: url.searchParams,
      });
    const ordersOption = /^\/accounts\/([^/]+)\/(integration-id|async-announce-ms)$/.exec(path);
    if (ordersOption)
      return ordersApiOption(method, decodeURIComponent(ordersOption[1] ?? ''), ordersOption[2] ?? '', json);
    if (method === 'POST' && /^\/parcels\/\d+\/advance$/.test(path)) {
      if (!parcel) return { status: 404, json: { error: 'no such parcel' } };
      return { status: 200, json: { advanced: sim.advance(parcel), status: parcel.status } };
    }
    if (method === 'POST' && /^\/parcels\/\d+\/status$/.test(path)) {
      const input = z.object({ status: z.number().int() }).safeParse(json);
      if (!parcel || !input.success)
        return { status: 400, json: { error: 'POST {"status": <id>} to an existing parcel' } };
      sim.setStatus(parcel, input.data.status);
      return { status: 200, json: { status: parcel.status } };
    }
    if (method === 'POST' && path === '/tick') return { status: 200, json: { moved: sim.tick() } };
    if (method === 'GET' && path === '/webhooks') return { status: 200, json: sim.webhooks.deliveries };
    if (method === 'POST' && path === '/webhooks/mode') {
      const input = z
        .object({ duplicate: z.boolean().optional(), hold: z.boolean().optional() })
        .safeParse(json);
      if (!input.success)
        return { status: 400, json: { error: 'POST {"duplicate"?: boolean, "hold"?: boolean}' } };
      if (input.data.duplicate !== undefined) sim.webhooks.duplicate = input.data.duplicate;
      if (input.data.hold !== undefined) sim.webhooks.hold = input.data.hold;
      return { status: 200, json: { duplicate: sim.webhooks.duplicate, hold: sim.webhooks.hold } };
    }
    if (method === 'POST' && path === '/webhooks/release')
      return { status: 200, json: { released: sim.webhooks.release(sim.accounts) } };
    if (method === 'POST' && /^\/accounts\/[^/]+\/webhook$/.test(path)) {
      const account = sim.accounts.get(decodeURIComponent(path.split('/')[2] ?? ''));
      const input = z.object({ url: z.url().nullable() }).safeParse(json);
      if (!account || !input.success)
        return { status: 400, json: { error: 'POST {"url": "http://…" | null} to an existing account' } };
      account.webhookUrl = input.data.url;
      return { status: 200, json: { account: account.id, webhookUrl: account.webhookUrl } };
    }
    if (/^\/accounts\/[^/]+\/duplicate-external-reference$/.test(path)) {
      const account = sim.accounts.get(decodeURIComponent(path.split('/')[2] ?? ''));
      if (!account) return { status: 404, json: { error: 'no such account' } };
      if (method === 'PUT') {
        const input = z.object({ mode: z.enum(DUPLICATE_REFERENCE_MODES) }).safeParse(json);
        if (!input.success)
          return {
            status: 400,
            json: { error: `PUT {"mode": "${DUPLICATE_REFERENCE_MODES.join('" | "')}"}` },
          };
        account.duplicateExternalReference = input.data.mode;
      } else if (method !== 'GET') {
        return { status: 405, json: { error: 'GET or PUT {"mode": …}' } };
      }
      return { status: 200, json: { account: account.id, mode: account.duplicateExternalReference } };
    }
    if (/^\/accounts\/[^/]+\/bulk-page-order$/.test(path)) {
      const account = sim.accounts.get(decodeURIComponent(path.split('/')[2] ?? ''));
      if (!account) return { status: 404, json: { error: 'no such account' } };
      if (method === 'PUT') {
        const input = z.strictObject({ order: z.enum(BULK_PAGE_ORDERS) }).safeParse(json);
        if (!input.success)
          return { status: 400, json: { error: `PUT {"order": "${BULK_PAGE_ORDERS.join('" | "')}"}` } };
        account.bulkPageOrder = input.data.order;
      } else if (method !== 'GET') {
        return { status: 405, json: { error: 'GET or PUT {"order": …}' } };
      }
      return { status: 200, json: { account: account.id, order: account.bulkPageOrder } };
    }
    if (/^\/accounts\/[^/]+\/rate-limits$/.test(path)) {
      const account = sim.accounts.get(decodeURIComponent(path.split('/')[2] ?? ''));
      if (!account) return { status: 404, json: { error: 'no such account' } };
      if (method === 'PUT') {
        const input = SimRateLimitsInput.safeParse(json);
        if (!input.success)
          return {
            status: 400,
            json: {
              error: 'PUT {"read"?: [{"limit": n, "windowMs": ms}, …], "write"?: […]} or {"enabled": false}',
            },
          };
        account.rateLimits = rateLimitsFrom(input.data, defaultRules || SENDCLOUD_RATE_LIMITS);
      } else if (method === 'DELETE') {
        account.rateLimits = undefined;
      } else if (method !== 'GET') {
        return {
          status: 405,
          json: { error: 'GET, PUT {"read"?, "write"?} or DELETE (back to the default)' },
        };
      }
      return {
        status: 200,
        json: {
          account: account.id,
          rateLimits: account.rateLimits ?? defaultRules,
          own: account.rateLimits !== undefined,
        },
      };
    }
    if (method === 'PUT' && path === '/rate-limits') {
      const input = z.object({ enabled: z.boolean() }).safeParse(json);
      if (!input.success) return { status: 400, json: { error: 'PUT {"enabled": boolean}' } };
      defaultRules = input.data.enabled ? options.rateLimits || SENDCLOUD_RATE_LIMITS : false;
      limiters.clear();
      return { status: 200, json: { enabled: input.data.enabled } };
    }
    if (method === 'POST' && path === '/reset') {
      sim.reset();
      v3.reset();
      faults.clear();
      limiters.clear();
      Object.assign(stats, { requests: 0, rateLimited: 0, faults: 0, byRoute: {} });
      return { status: 204 };
    }
    return { status: 404, json: { error: `no admin route ${method} ${path}` } };
  }

  /**
   * `GET|PUT /__sim/accounts/{id}/integration-id` (`{"integrationId": 7}`: the one integration the Orders API
   * accepts) and `…/async-announce-ms` (`{"ms": 0}`: how long an order's label request stays `ANNOUNCING`).
   */
  function ordersApiOption(method: string, accountId: string, option: string, json: unknown): SimResponse {
    const account = sim.accounts.get(accountId);
    if (!account) return { status: 404, json: { error: 'no such account' } };
    const current = (): SimResponse => ({
      status: 200,
      json: {
        account: account.id,
        integrationId: account.integrationId,
        asyncAnnounceMs: account.asyncAnnounceMs,
      },
    });
    if (method === 'GET') return current();
    if (method !== 'PUT') return { status: 405, json: { error: 'GET or PUT' } };
    if (option === 'integration-id') {
      const input = z.strictObject({ integrationId: z.int().positive() }).safeParse(json);
      if (!input.success)
        return { status: 400, json: { error: 'PUT {"integrationId": <positive integer>}' } };
      const { integrationId } = input.data;
      if ([...sim.accounts.values()].some((a) => a !== account && a.integrationId === integrationId))
        return { status: 409, json: { error: `integration ${integrationId} belongs to another account` } };
      account.integrationId = integrationId;
      return current();
    }
    const input = z.strictObject({ ms: z.int().min(0).max(600_000) }).safeParse(json);
    if (!input.success) return { status: 400, json: { error: 'PUT {"ms": <0 to 600000>}' } };
    account.asyncAnnounceMs = input.data.ms;
    return current();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 4010, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  sim.baseUrl = `${url}${PANEL}`;
  v3.baseUrl = `${url}${V3}`;
  const timeline = options.timelineStepMs ? setInterval(() => sim.tick(), options.timelineStepMs) : undefined;
  timeline?.unref();
  // So webhooks of order label requests go out without a request to trigger them (on the simulator's clock).
  const announcements = setInterval(() => v3.settleDue(), ANNOUNCEMENT_SWEEP_MS);
  announcements.unref();
  const persist = options.stateFile
    ? setInterval(() => saveState(sim, options.stateFile ?? '', v3.store), 2_000)
    : undefined;
  persist?.unref();

  return {
    url,
    ...simulatorEndpoints(url),
    sim,
    v3,
    faults,
    async stop() {
      if (timeline) clearInterval(timeline);
      clearInterval(announcements);
      if (persist) clearInterval(persist);
      if (options.stateFile) saveState(sim, options.stateFile, v3.store);
      sim.webhooks.stop();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * What SendCloud answers before a view runs: an invalid partner header (400, REFERENCE §1), a method the
 * resource's `Allow` header leaves out (405, body in SendCloud's error envelope — text inferred from the
 * framework), and `OPTIONS`.
 */
function refuse(
  method: string,
  req: IncomingMessage,
  resource: SimResource | undefined,
  request: string,
): SimResponse | undefined {
  const partnerId = req.headers['sendcloud-partner-id'];
  if (typeof partnerId === 'string' && !isValidPartnerId(partnerId))
    return {
      status: 400,
      json: { error: { code: 400, request, message: 'Sendcloud-Partner-Id: "Must be a valid UUID."' } },
    };
  if (!resource) return undefined;
  if (!resource.allow.includes(method))
    return {
      status: 405,
      json: { error: { code: 405, request, message: `Method "${method}" not allowed.` } },
    };
  if (method === 'OPTIONS')
    return { status: 200, json: { renders: ['application/json'], parses: ['application/json'] } };
  return undefined;
}

/**
 * Accounts created after 13 April 2026 (`api: 'v3'`) may not create v2 parcels (REFERENCE.md §0): `POST
 * /parcels`, and a `PUT` that asks for a label. No refusal was ever recorded, so this is the worst case for a
 * client: a 403 it must not retry, in v2's error envelope.
 */
function closedToNewAccounts(
  account: SimAccount,
  method: string,
  path: string,
  json: unknown,
): SimResponse | undefined {
  if (account.api !== 'v3') return undefined;
  const parcel = asRecord(asRecord(json).parcel);
  const create = method === 'POST' && /^\/parcels\/?$/.test(path);
  const labelLater =
    ['PUT', 'PATCH'].includes(method) &&
    /^\/parcels(\/\d+)?\/?$/.test(path) &&
    (requestsLabel(parcel) || parcel.request_label_async === true);
  if (!create && !labelLater) return undefined;
  return {
    status: 403,
    json: {
      error: {
        code: 403,
        request: `api/v2${path.replace(/\/$/, '')}`,
        message:
          'Creating parcels with API v2 is closed to new users (accounts created after 13 April 2026): use /api/v3/shipments.',
      },
    },
  };
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};

const INVALID = Symbol('invalid json');

function withPathId(json: unknown, id: number): { parcel: Record<string, unknown> } {
  const parcel =
    typeof json === 'object' && json !== null && 'parcel' in json && typeof json.parcel === 'object'
      ? json.parcel
      : {};
  return { parcel: { ...parcel, id } };
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return INVALID;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'x-frame-options': 'DENY',
    ...(response.json !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...response.headers,
  };
  res.writeHead(response.status, headers);
  if (response.json !== undefined) res.end(JSON.stringify(response.json));
  else res.end(response.body ?? '');
}
