import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { type InvocationOptions, invoke, LambdaInvocationError } from './invoke';
import { LIMITS } from './limits';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface Route {
  /** `GET /orders/{orderId}` — API Gateway's route-key syntax. */
  readonly routeKey: string;
  readonly name: string;
  readonly handler: HttpHandler;
  /** The function's configured timeout; past it the invocation fails (500). Default 30 s. */
  readonly timeoutSeconds?: number;
  /** The function's configured memory, for the memory report. Default 256 MB. */
  readonly memoryMb?: number;
}

type LocalRoute = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
) => Promise<{ status: number; json?: unknown; body?: string; headers?: Record<string, string> } | undefined>;

export interface GatewayOptions {
  readonly port: number;
  readonly routes: readonly Route[];
  /** `/_local/...` helpers (events, jobs, health), answered before the routes. */
  readonly local?: LocalRoute;
  /** Base64-encode every body, as API Gateway does for binary media types (tests both forms). */
  readonly base64Bodies?: boolean;
  /** Around, strict memory: as for every invocation in the stack. */
  readonly invocation?: InvocationOptions;
  /** The integration timeout: past it the client gets 503 while the function runs on. Default 29 s. */
  readonly integrationTimeoutMs?: number;
  /**
   * Route keys a page on another origin may call; there the functions' CORS decides. Every other request
   * with a foreign `Origin` is refused. Default: the public checkout routes (CHECKOUT_ROUTES).
   */
  readonly crossOriginRoutes?: readonly string[];
}

/** What a shop's checkout page calls from its own origin: the component and what it shows. */
export const CHECKOUT_ROUTES = [
  'GET /service-points',
  'GET /service-points/{id}',
  'GET /delivery-options',
  'GET /checkout/component.js',
] as const;

/**
 * The names the gateway answers to. A page whose own host name resolves to 127.0.0.1 (DNS rebinding) sends
 * that name as Host, and is refused.
 */
const LOCAL_HOST = /^(127\.0\.0\.1|localhost)(:\d{1,5})?$/i;

const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+json)/i;

/** A payload format 2.0 response with a `statusCode`; anything else with one is an invalid Lambda response. */
const StructuredResult = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

const INTEGRATION_TIMED_OUT = Symbol('integration timed out');

/**
 * An API Gateway HTTP API (payload format 2.0) on 127.0.0.1: requests become the events Lambda receives,
 * raw bodies included (base64 for binary media types), and handler results become HTTP responses. AWS's
 * answers where it would fail: 413 past 10 MB of body, 500 when the invocation fails (a handler error, its
 * timeout, an event or response past Lambda's 6 MB, an invalid response), 503 past the integration timeout.
 * It is not open to web pages: 403 for a foreign Host, and for a foreign Origin outside the checkout routes.
 */
export class LocalGateway {
  readonly #server: Server;
  readonly #options: GatewayOptions;

  private constructor(server: Server, options: GatewayOptions) {
    this.#server = server;
    this.#options = options;
  }

  static async start(options: GatewayOptions): Promise<LocalGateway> {
    let gateway: LocalGateway | undefined;
    const server = createServer((req, res) => void gateway?.handle(req, res));
    gateway = new LocalGateway(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', resolve);
    });
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /**
   * A web page open in the developer's browser can reach 127.0.0.1, and with real SendCloud keys an order
   * is a paid label: only the gateway's own names and origin get in, and other origins only on the routes
   * meant for shop pages. (API Gateway in AWS has IAM on every other route instead.)
   */
  #refusal(req: IncomingMessage, path: string, match: { route: Route } | undefined): string | undefined {
    const host = req.headers.host ?? '';
    if (!LOCAL_HOST.test(host))
      return 'the local gateway answers only to Host 127.0.0.1 or localhost (with its port)';
    const origin = req.headers.origin;
    if (origin === undefined || this.#ownOrigins(host).has(origin.toLowerCase())) return undefined;
    const open = this.#options.crossOriginRoutes ?? CHECKOUT_ROUTES;
    // a browser's preflight for an open route is let through (API Gateway's CORS would answer it)
    const target = req.method === 'OPTIONS' ? this.#match('GET', path) : match;
    if (target && open.includes(target.route.routeKey)) return undefined;
    return `requests from another origin (${origin.slice(0, 100)}) reach only the checkout routes; call this route from a server`;
  }

  #ownOrigins(host: string): Set<string> {
    const port = (this.#server.address() as AddressInfo).port;
    return new Set([`http://${host.toLowerCase()}`, `http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const match = this.#match(method, url.pathname);
      const refusal = this.#refusal(req, url.pathname, match);
      if (refusal) return send(res, 403, { message: 'Forbidden', reason: refusal });
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, { message: 'Request Entity Too Large' });
      const local = await this.#options.local?.(req, url, body);
      if (local) {
        res.writeHead(local.status, { 'content-type': 'application/json', ...local.headers });
        res.end(local.json === undefined ? (local.body ?? '') : JSON.stringify(local.json));
        return;
      }
      if (!match) return send(res, 404, { message: 'Not Found' });
      const event = toEvent(
        req,
        url,
        body,
        match.route.routeKey,
        match.params,
        this.#options.base64Bodies ?? false,
      );
      const invocation = invoke(match.route, event, this.#options.invocation);
      const result = await withIntegrationTimeout(
        invocation,
        this.#options.integrationTimeoutMs ?? LIMITS.httpApiIntegrationTimeoutMs,
      );
      if (result === INTEGRATION_TIMED_OUT) {
        // As in AWS, the function carries on to its own end; only its answer is lost.
        invocation.catch((error: unknown) => logFailure(match.route.name, error));
        return send(res, 503, { message: 'Service Unavailable' });
      }
      writeResult(res, result);
    } catch (error) {
      // API Gateway answers 500 with this body when the integration fails; the cause goes to the console.
      logFailure('request', error);
      send(res, 500, { message: 'Internal Server Error' });
    }
  }

  #match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.#options.routes) {
      const [routeMethod, template = ''] = route.routeKey.split(' ');
      if (routeMethod !== method && routeMethod !== 'ANY') continue;
      const names: string[] = [];
      const pattern = template.replace(/\{([^}+]+)(\+)?\}/g, (_, name: string, greedy?: string) => {
        names.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      });
      const found = new RegExp(`^${pattern}$`).exec(path);
      if (found)
        return {
          route,
          params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1] ?? '')])),
        };
    }
    return undefined;
  }
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
  forceBase64: boolean,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const base64 = body.length > 0 && (forceBase64 || !TEXT.test(headers['content-type'] ?? ''));
  const now = new Date();
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim());
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(cookies ? { cookies } : {}),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: base64 ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: base64,
  };
}

function writeResult(res: ServerResponse, result: unknown): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    // HTTP APIs infer a 200 JSON answer from anything that is not a structured response.
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const parsed = StructuredResult.safeParse(result);
  if (!parsed.success) {
    console.error(
      '[gateway] invalid Lambda response:',
      parsed.error.issues.map((i) => i.path.join('.')),
    );
    send(res, 500, { message: 'Internal Server Error' });
    return;
  }
  const response = parsed.data;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (response.cookies?.length) headers['set-cookie'] = response.cookies;
  const body =
    response.body === undefined
      ? ''
      : response.isBase64Encoded
        ? Buffer.from(response.body, 'base64')
        : response.body;
  res.writeHead(response.statusCode, headers).end(body);
}

function withIntegrationTimeout(
  invocation: Promise<unknown>,
  timeoutMs: number,
): Promise<unknown | typeof INTEGRATION_TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof INTEGRATION_TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(INTEGRATION_TIMED_OUT), timeoutMs);
  });
  return Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
}

function logFailure(what: string, error: unknown): void {
  // Codes and messages only: a handler's error may carry request data.
  if (error instanceof LambdaInvocationError) console.error(`[gateway] ${error.code} ${error.message}`);
  else console.error(`[gateway] ${what} failed:`, error instanceof Error ? error.name : 'error');
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}

/** The body, or undefined past HTTP APIs' 10 MB (the rest is read and dropped so the client sees the 413). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= LIMITS.httpApiBodyBytes) chunks.push(chunk as Buffer);
  }
  return size > LIMITS.httpApiBodyBytes ? undefined : Buffer.concat(chunks);
}
