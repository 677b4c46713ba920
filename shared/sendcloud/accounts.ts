import * as z from '../validation/zod';
import type { ApiVersion, SendcloudPort } from './port';
import {
  CHECKOUT_SHARE_PER_MINUTE,
  RateBudgetExhaustedError,
  type RateLimiter,
  type RateLimitRules,
  SlidingWindowRateLimiter,
} from './RateLimiter';
import type { SendcloudClient, SendcloudClientOptions } from './SendcloudClient';
import type { SendcloudCredentials } from './SendcloudHttp';
import { UnknownAccountError } from './UnknownAccountError';
import type { ComposeA4 } from './v3/DocumentsApi';

export const AccountId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'));

export interface AccountCredentials extends SendcloudCredentials {
  readonly partnerId?: string | undefined;
  /**
   * Which SendCloud API the account speaks. v2 only for accounts created before 13 April 2026 (v2's parcel
   * create is closed to newer ones); default v3.
   */
  readonly api?: ApiVersion | undefined;
  /** v3: HTTP Basic (default) or OAuth2 client credentials (for integrations that allow only OAuth2). */
  readonly auth?: 'basic' | 'oauth2' | undefined;
  /** v3: the sender address to ship from; default the account's oldest. */
  readonly senderAddressId?: number | undefined;
  /** v3: the account's API integration; with it, batches go through the Orders API. */
  readonly integrationId?: number | undefined;
}

/** Where credentials come from: a secret store in AWS, a local file or memory in tests. */
export interface CredentialsSource {
  credentials(accountId: string): Promise<AccountCredentials>;
}

export { UnknownAccountError };

/** In-memory credentials, for the local stack and tests. */
export function staticCredentials(accounts: Readonly<Record<string, AccountCredentials>>): CredentialsSource {
  return {
    credentials: async (accountId) => {
      const found = accounts[accountId];
      if (!found) throw new UnknownAccountError(accountId);
      return found;
    },
  };
}

/** `batch` yields the reserve to `realtime`; `checkout` is capped to its share and never waits for it. */
export type Priority = 'realtime' | 'batch' | 'checkout';

export type SharedClientOptions = Omit<
  SendcloudClientOptions,
  'credentials' | 'partnerId' | 'rateLimiter'
> & {
  readonly rateLimits?: RateLimitRules;
  /** Each account's own windows for the in-process limiter (`SENDCLOUD_RATE_LIMITS`); else `rateLimits`. */
  readonly rateLimitsFor?: (account: string) => RateLimitRules;
  /**
   * A budget shared beyond this process (the DynamoDB governor, which may be loaded on first use); by default
   * one in-process limiter per account.
   */
  readonly limiterFor?: (account: string, priority: Priority) => RateLimiter | Promise<RateLimiter>;
  /** The panel API v3 for v3 accounts; default https://panel.sendcloud.sc/api/v3. */
  readonly v3BaseUrl?: string;
  /** GETs a minute checkout lookups may take per account (without a governor). */
  readonly checkoutSharePerMinute?: number;
  /** v3 accounts: composes A4 labels (`labelOnA4`); only functions that serve A4 pass it (it brings pdf-lib). */
  readonly composeA4?: ComposeA4;
  /** A create named a method the account no longer has: its catalogue should be read again. */
  readonly onMethodGone?: (account: string) => void;
};

/**
 * One client per SendCloud account, each with its own rate limiter: SendCloud's budget is per account,
 * shared by everything that calls it. Build once per process (module scope in a Lambda handler).
 */
export class SendcloudClients {
  readonly #source: CredentialsSource;
  readonly #options: SharedClientOptions;
  readonly #clients = new Map<string, Promise<SendcloudClient>>();
  readonly #ports = new Map<string, Promise<SendcloudPort>>();
  readonly #limiters = new Map<string, RateLimiter>();

  constructor(source: CredentialsSource, options: SharedClientOptions = {}) {
    this.#source = source;
    this.#options = options;
  }

  /** The account's client; `batch` callers yield the governor's reserve to `realtime` ones. */
  forAccount(accountId: string, priority: Priority = 'realtime'): Promise<SendcloudClient> {
    const key = `${accountId}|${priority}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = this.#build(accountId, priority);
      this.#clients.set(key, client);
      // A failed lookup (secret store down) is not cached.
      client.catch(() => this.#clients.delete(key));
    }
    return client;
  }

  /**
   * The account's SendCloud behind the version-neutral port: v2 or v3 as its credentials say. Every use case
   * goes through this; `forAccount` (the v2 client) remains for what only v2 offers (checkout, cancel).
   */
  port(accountId: string, priority: Priority = 'realtime', api?: ApiVersion): Promise<SendcloudPort> {
    const key = `${accountId}|${priority}|${api ?? ''}`;
    let port = this.#ports.get(key);
    if (!port) {
      port = this.#buildPort(accountId, priority, api);
      this.#ports.set(key, port);
      port.catch(() => this.#ports.delete(key));
    }
    return port;
  }

  /**
   * Drops the cached catalogue of every port of the account built in this process (each priority and API),
   * after a catalogue refresh found it changed: the next routing reads SendCloud.
   */
  async forgetCatalog(accountId: string): Promise<void> {
    const ports = [...this.#ports.entries()].filter(([key]) => key.startsWith(`${accountId}|`));
    for (const [, port] of ports) (await port.catch(() => undefined))?.forgetCatalog();
  }

  /** `api` overrides the account's own choice (moving an account: v3's compat lookups before it switches). */
  async #buildPort(accountId: string, priority: Priority, api?: ApiVersion): Promise<SendcloudPort> {
    const credentials = await this.#source.credentials(AccountId.parse(accountId));
    const { onMethodGone: onGone } = this.#options;
    const onMethodGone = onGone ? { onMethodGone: () => onGone(accountId) } : {};
    // Each API version's adapter is loaded when an account first needs it: a function whose accounts are all
    // on v3 never loads v2's, and one that never reaches SendCloud loads neither (separate chunks).
    if ((api ?? credentials.api ?? 'v3') === 'v2') {
      const [{ V2Port }, client] = await Promise.all([
        import('./V2Port'),
        this.forAccount(accountId, priority),
      ]);
      return new V2Port(client, onMethodGone);
    }
    const { V3Port } = await import('./v3/V3Port');
    const {
      rateLimits: _r,
      rateLimitsFor: _f,
      limiterFor: _l,
      v3BaseUrl,
      baseUrl: _v2,
      onMethodGone: _gone,
      ...options
    } = this.#options;
    return new V3Port({
      ...options,
      ...(v3BaseUrl ? { baseUrl: v3BaseUrl } : {}),
      credentials: {
        publicKey: credentials.publicKey,
        secretKey: credentials.secretKey,
        auth: credentials.auth ?? 'basic',
      },
      partnerId: credentials.partnerId,
      ...(credentials.senderAddressId ? { senderAddressId: credentials.senderAddressId } : {}),
      ...(credentials.integrationId ? { integrationId: credentials.integrationId } : {}),
      // v2 and v3 calls of one account share its budget: SendCloud counts them together.
      rateLimiter: await this.#limiterOf(accountId, priority),
      ...onMethodGone,
    });
  }

  async #build(accountId: string, priority: Priority): Promise<SendcloudClient> {
    const {
      rateLimits,
      rateLimitsFor,
      limiterFor,
      composeA4: _v3only,
      onMethodGone: _gone,
      ...options
    } = this.#options;
    const {
      partnerId,
      api: _api,
      auth: _auth,
      senderAddressId: _sender,
      integrationId: _integration,
      ...credentials
    } = await this.#source.credentials(AccountId.parse(accountId));
    const { SendcloudClient } = await import('./SendcloudClient');
    return new SendcloudClient({
      ...options,
      credentials,
      partnerId,
      rateLimiter: await this.#limiterOf(accountId, priority),
    });
  }

  async #limiterOf(accountId: string, priority: Priority): Promise<RateLimiter> {
    const { limiterFor } = this.#options;
    return limiterFor
      ? limiterFor(accountId, priority)
      : priority === 'checkout'
        ? this.#checkoutLimiter(accountId)
        : this.#limiter(accountId);
  }

  /** Without a governor: the checkout share in this process, then the account's budget. */
  #checkoutLimiter(accountId: string): RateLimiter {
    const perMinute = this.#options.checkoutSharePerMinute ?? CHECKOUT_SHARE_PER_MINUTE;
    const share = new SlidingWindowRateLimiter({
      rules: { read: [{ limit: perMinute, windowMs: 60_000 }], write: [{ limit: 1, windowMs: 60_000 }] },
    });
    const budget = this.#limiter(accountId);
    return {
      acquire: async (kind) => {
        if (!share.tryAcquire(kind)) throw new RateBudgetExhaustedError(accountId, kind);
        await budget.acquire(kind);
      },
    };
  }

  /** Without a governor, both priorities of an account share one in-process budget. */
  #limiter(accountId: string): RateLimiter {
    let limiter = this.#limiters.get(accountId);
    if (!limiter) {
      const rules = this.#options.rateLimitsFor?.(accountId) ?? this.#options.rateLimits;
      limiter = new SlidingWindowRateLimiter({ ...(rules ? { rules } : {}) });
      this.#limiters.set(accountId, limiter);
    }
    return limiter;
  }
}
