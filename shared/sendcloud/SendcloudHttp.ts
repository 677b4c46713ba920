import ky, { TimeoutError } from 'ky';
import * as z from '../validation/zod';
import {
  type ContractIssue,
  SendcloudContractError,
  SendcloudHttpError,
  SendcloudRateLimitedError,
  SendcloudTimeoutError,
  SendcloudTransportError,
} from './errors';
import { tryParseJson } from './json';
import { type RateLimiter, type RequestKind, SlidingWindowRateLimiter, sleep } from './RateLimiter';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retry';

export { tryParseJson };

export interface SendcloudCredentials {
  readonly publicKey: string;
  readonly secretKey: string;
}

/** What one attempt looked like; feed it to metrics and logs (it holds no payload). */
export interface SendcloudAttempt {
  readonly method: string;
  readonly path: string;
  readonly attempt: number;
  readonly durationMs: number;
  readonly status?: number;
  readonly error?: string;
}

/**
 * Where the `Authorization` header comes from when it is not the credentials' Basic pair (OAuth2 Bearer
 * tokens). Without one, every request carries Basic auth.
 */
export interface AuthorizationProvider {
  /** The header value for the next attempt (e.g. `Bearer …`); may fetch or refresh a token. */
  header(): Promise<string>;
  /**
   * SendCloud answered 401 to a request sent with `header`. Returns true when a fresh header may succeed
   * (a cached token was dropped); the request is then sent once more with it — nothing was processed.
   */
  rejected?(header: string): boolean;
}

export interface SendcloudHttpOptions {
  readonly credentials: SendcloudCredentials;
  /** Default: HTTP Basic with `credentials`. */
  readonly authorization?: AuthorizationProvider | undefined;
  /** Official tech partners only; validated by SendCloud (an unknown UUID is a 400). */
  readonly partnerId?: string | undefined;
  /** Per attempt, until the response headers arrive. Default 10 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Share one limiter between every client of the same SendCloud account. */
  readonly rateLimiter?: RateLimiter;
  readonly fetch?: typeof globalThis.fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onAttempt?: (attempt: SendcloudAttempt) => void;
}

export interface SendcloudRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly json?: unknown;
  /** An `application/x-www-form-urlencoded` body instead of JSON (the OAuth2 token call). */
  readonly form?: URLSearchParams;
  readonly accept?: string;
  /**
   * Retry 429, 5xx and network failures with backoff. True for GETs and side-effect-free POSTs only:
   * writes are never retried here; their callers reconcile first.
   */
  readonly retry: boolean;
}

export interface SendcloudResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** The real 429 has no Retry-After; waiting less than this mostly buys another 429. */
const MIN_RATE_LIMITED_BACKOFF_MS = 1_000;

export class SendcloudHttp {
  readonly #authorization: string;
  readonly #provider: AuthorizationProvider | undefined;
  readonly #partnerId: string | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #limiter: RateLimiter;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onAttempt: ((attempt: SendcloudAttempt) => void) | undefined;

  constructor(options: SendcloudHttpOptions) {
    const { publicKey, secretKey } = options.credentials;
    if (!publicKey || !secretKey)
      throw new RangeError('SendCloud credentials need a public and a secret key');
    this.#authorization = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`;
    this.#provider = options.authorization;
    this.#partnerId = options.partnerId;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#limiter = options.rateLimiter ?? new SlidingWindowRateLimiter();
    this.#fetch = options.fetch;
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
    this.#onAttempt = options.onAttempt;
  }

  get retryPolicy(): RetryPolicy {
    return this.#retry;
  }

  /** Sends with rate limiting, timeout and (where allowed) retries; returns the final response. */
  async send(request: SendcloudRequest): Promise<SendcloudResponse> {
    const kind: RequestKind = request.method === 'GET' ? 'read' : 'write';
    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const authorization = this.#provider ? await this.#provider.header() : this.#authorization;
      await this.#limiter.acquire(kind);
      const last = attempt >= this.#retry.maxAttempts || !request.retry;
      let response: SendcloudResponse;
      try {
        response = await this.#once(request, attempt, authorization);
      } catch (error) {
        if (last) throw error;
        await this.#sleep(backoffDelay(attempt, this.#retry, this.#random));
        continue;
      }
      // A 401 was not processed, so even a write may go once more, with a fresh token; it costs no attempt.
      if (response.status === 401 && !reauthorized && this.#provider?.rejected?.(authorization)) {
        reauthorized = true;
        attempt--;
        continue;
      }
      if (response.status === 429) await this.#throttled(kind);
      if (last || !RETRYABLE_STATUS.has(response.status)) return response;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > this.#retry.maxRetryAfterMs) return response;
      const backoff = backoffDelay(attempt, this.#retry, this.#random);
      await this.#sleep(
        retryAfter ?? (response.status === 429 ? Math.max(backoff, MIN_RATE_LIMITED_BACKOFF_MS) : backoff),
      );
    }
  }

  /** Sends and parses a JSON body with `schema`; any non-2xx becomes a typed error. */
  async json<S extends z.ZodType>(request: SendcloudRequest, schema: S): Promise<z.infer<S>> {
    const response = await this.send({ ...request, accept: request.accept ?? 'application/json' });
    if (response.status < 200 || response.status > 299) throw errorFromResponse(request, response);
    return parseBody(request, response, schema);
  }

  /** Sends and returns the body as bytes, checking it is of the expected media type. */
  async bytes(request: SendcloudRequest & { readonly accept: string }): Promise<Uint8Array> {
    const response = await this.send(request);
    if (response.status < 200 || response.status > 299) throw errorFromResponse(request, response);
    const contentType = response.headers.get('content-type') ?? '';
    const expected = request.accept.split(';')[0]?.trim() ?? '';
    const issues: ContractIssue[] = [];
    if (!contentType.startsWith(expected))
      issues.push({ path: 'content-type', message: `expected ${expected}, got ${contentType}` });
    if (expected === 'application/pdf' && !startsWith(response.body, '%PDF-'))
      issues.push({ path: '(body)', message: 'not a PDF' });
    if (expected === 'image/png' && !startsWith(response.body, '\x89PNG'))
      issues.push({ path: '(body)', message: 'not a PNG' });
    if (issues.length > 0)
      throw new SendcloudContractError({
        method: request.method,
        path: request.url.pathname,
        status: response.status,
        issues,
      });
    return response.body;
  }

  async #once(request: SendcloudRequest, attempt: number, authorization: string): Promise<SendcloudResponse> {
    const { method, url } = request;
    const started = performance.now();
    const headers: Record<string, string> = {
      authorization,
      accept: request.accept ?? 'application/json',
    };
    if (this.#partnerId) headers['sendcloud-partner-id'] = this.#partnerId;
    try {
      const response = await ky(url, {
        method,
        headers,
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.form === undefined ? {} : { body: request.form }),
        timeout: this.#timeoutMs,
        retry: 0,
        throwHttpErrors: false,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      });
      const body = new Uint8Array(await response.arrayBuffer());
      this.#report({
        method,
        path: url.pathname,
        attempt,
        durationMs: performance.now() - started,
        status: response.status,
      });
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      const durationMs = performance.now() - started;
      if (error instanceof TimeoutError) {
        this.#report({ method, path: url.pathname, attempt, durationMs, error: 'timeout' });
        throw new SendcloudTimeoutError({
          method,
          path: url.pathname,
          timeoutMs: this.#timeoutMs,
          cause: error,
        });
      }
      this.#report({ method, path: url.pathname, attempt, durationMs, error: 'transport' });
      throw new SendcloudTransportError({ method, path: url.pathname, cause: error });
    }
  }

  /** Tells the limiter of a 429; failing to record it must not turn SendCloud's answer into another error. */
  async #throttled(kind: RequestKind): Promise<void> {
    try {
      await this.#limiter.onThrottled?.(kind);
    } catch {
      // The 429 itself is still answered (retried or raised); the next one will teach the limiter.
    }
  }

  #report(attempt: SendcloudAttempt): void {
    this.#onAttempt?.(attempt);
  }
}

/** Non-2xx → the matching error of the family, with SendCloud's message where it sent one. */
export function errorFromResponse(request: SendcloudRequest, response: SendcloudResponse): Error {
  const base = { method: request.method, path: request.url.pathname };
  if (response.status === 429) {
    return new SendcloudRateLimitedError({
      ...base,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }
  return new SendcloudHttpError({
    ...base,
    status: response.status,
    sendcloudMessage: messageOf(response.body),
  });
}

const MessageBody = z.union([
  z.pipe(
    z.object({ error: z.object({ message: z.string() }) }),
    z.transform((body) => body.error.message),
  ),
  z.pipe(
    z.object({ message: z.string() }),
    z.transform((body) => body.message),
  ),
  z.pipe(
    z.object({ detail: z.string() }),
    z.transform((body) => body.detail),
  ),
]);

/** `{"error":{"message"}}`, `{"status","message"}`, `{"message"}` or `{"detail"}`; anything else → undefined. */
export function messageOf(body: Uint8Array): string | undefined {
  const parsed = tryParseJson(body);
  if (!parsed.ok) return undefined;
  const message = MessageBody.safeParse(parsed.value);
  return message.success ? message.data : undefined;
}

export function parseBody<S extends z.ZodType>(
  request: SendcloudRequest,
  response: SendcloudResponse,
  schema: S,
): z.infer<S> {
  const parsed = tryParseJson(response.body);
  const base = { method: request.method, path: request.url.pathname, status: response.status };
  if (!parsed.ok)
    throw new SendcloudContractError({ ...base, issues: [{ path: '(body)', message: 'not JSON' }] });
  const result = z.safeParse(schema, parsed.value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new SendcloudContractError({ ...base, issues, cause: result.error });
  }
  return result.data;
}

function startsWith(body: Uint8Array, prefix: string): boolean {
  return Buffer.from(body.subarray(0, prefix.length)).toString('latin1') === prefix;
}
