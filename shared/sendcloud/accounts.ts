import * as z from 'zod';
import { type RateLimiter, type RateLimitRules, SlidingWindowRateLimiter } from './RateLimiter';
import { SendcloudClient, type SendcloudClientOptions } from './SendcloudClient';
import type { SendcloudCredentials } from './SendcloudHttp';

export const AccountId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');

export interface AccountCredentials extends SendcloudCredentials {
  readonly partnerId?: string | undefined;
}

/** Where credentials come from: a secret store in AWS, a local file or memory in tests. */
export interface CredentialsSource {
  credentials(accountId: string): Promise<AccountCredentials>;
}

export class UnknownAccountError extends Error {
  override readonly name = 'UnknownAccountError' as const;
  readonly code = 'UNKNOWN_ACCOUNT' as const;
  readonly retryable = false;
  constructor(accountId: string) {
    super(`No SendCloud account "${accountId}" is configured`);
  }
}

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

export type Priority = 'realtime' | 'batch';

export type SharedClientOptions = Omit<
  SendcloudClientOptions,
  'credentials' | 'partnerId' | 'rateLimiter'
> & {
  readonly rateLimits?: RateLimitRules;
  /** A budget shared beyond this process (the DynamoDB governor); by default one in-process limiter per account. */
  readonly limiterFor?: (account: string, priority: Priority) => RateLimiter;
};

/**
 * One client per SendCloud account, each with its own rate limiter: SendCloud's budget is per account,
 * shared by everything that calls it. Build once per process (module scope in a Lambda handler).
 */
export class SendcloudClients {
  readonly #source: CredentialsSource;
  readonly #options: SharedClientOptions;
  readonly #clients = new Map<string, Promise<SendcloudClient>>();
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

  async #build(accountId: string, priority: Priority): Promise<SendcloudClient> {
    const { rateLimits, limiterFor, ...options } = this.#options;
    const { partnerId, ...credentials } = await this.#source.credentials(AccountId.parse(accountId));
    return new SendcloudClient({
      ...options,
      credentials,
      partnerId,
      rateLimiter: limiterFor ? limiterFor(accountId, priority) : this.#limiter(accountId),
    });
  }

  /** Without a governor, both priorities of an account share one in-process budget. */
  #limiter(accountId: string): RateLimiter {
    let limiter = this.#limiters.get(accountId);
    if (!limiter) {
      const { rateLimits } = this.#options;
      limiter = new SlidingWindowRateLimiter({ ...(rateLimits ? { rules: rateLimits } : {}) });
      this.#limiters.set(accountId, limiter);
    }
    return limiter;
  }
}
