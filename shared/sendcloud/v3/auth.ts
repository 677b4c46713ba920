import { SendcloudContractError } from '../errors';
import type { AuthorizationProvider, SendcloudHttp } from '../SendcloudHttp';
import { Token } from './schemas';
import { V3Http } from './V3Http';

export type V3AuthMode = 'basic' | 'oauth2';

export interface OAuth2AuthorizationOptions {
  /** A client with Basic auth (the integration's keys are the OAuth2 client id and secret). */
  readonly http: SendcloudHttp;
  readonly tokenUrl: URL;
  readonly clock: () => number;
  /** Refresh this long before `expires_in` runs out. Default 60 s. */
  readonly refreshMarginMs?: number;
}

/**
 * OAuth2 client credentials (REFERENCE.md §1; `POST /oauth2/token` in the v3 bundle): a form body
 * `grant_type=client_credentials&scope=api`, the client authenticated with Basic. The token is cached and
 * refreshed before it expires; concurrent callers share one token request. A 401 drops the cached token, so
 * `SendcloudHttp` sends the request once more with a fresh one.
 */
export class OAuth2Authorization implements AuthorizationProvider {
  readonly #http: V3Http;
  readonly #tokenUrl: URL;
  readonly #clock: () => number;
  readonly #marginMs: number;
  #token: { readonly header: string; readonly refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(options: OAuth2AuthorizationOptions) {
    this.#http = new V3Http(options.http);
    this.#tokenUrl = options.tokenUrl;
    this.#clock = options.clock;
    this.#marginMs = options.refreshMarginMs ?? 60_000;
  }

  header(): Promise<string> {
    const token = this.#token;
    if (token && this.#clock() < token.refreshAt) return Promise.resolve(token.header);
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  rejected(header: string): boolean {
    if (this.#token?.header === header) this.#token = undefined;
    return header.startsWith('Bearer ');
  }

  async #fetch(): Promise<string> {
    const requestedAt = this.#clock();
    const request = {
      method: 'POST',
      url: this.#tokenUrl,
      form: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
      // Asking for a token has no side effect worth reconciling.
      retry: true,
    } as const;
    const token = await this.#http.json(request, Token);
    if (token.token_type && token.token_type.toLowerCase() !== 'bearer')
      throw new SendcloudContractError({
        method: request.method,
        path: request.url.pathname,
        status: 200,
        issues: [{ path: 'token_type', message: `expected bearer, got ${token.token_type}` }],
      });
    const lifetimeMs = token.expires_in * 1000;
    const header = `Bearer ${token.access_token}`;
    this.#token = {
      header,
      refreshAt:
        requestedAt + (lifetimeMs > 2 * this.#marginMs ? lifetimeMs - this.#marginMs : lifetimeMs / 2),
    };
    return header;
  }
}
