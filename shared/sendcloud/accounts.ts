import * as z from 'zod';
import { type RateLimitRules, SlidingWindowRateLimiter } from './RateLimiter';
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

export type SharedClientOptions = Omit<
  SendcloudClientOptions,
  'credentials' | 'partnerId' | 'rateLimiter'
> & {
  readonly rateLimits?: RateLimitRules;
};

/**
 * One client per SendCloud account, each with its own rate limiter: SendCloud's budget is per account,
 * shared by everything that calls it. Build once per process (module scope in a Lambda handler).
 */
export class SendcloudClients {
  readonly #source: CredentialsSource;
  readonly #options: SharedClientOptions;
  readonly #clients = new Map<string, Promise<SendcloudClient>>();

  constructor(source: CredentialsSource, options: SharedClientOptions = {}) {
    this.#source = source;
    this.#options = options;
  }

  forAccount(accountId: string): Promise<SendcloudClient> {
    let client = this.#clients.get(accountId);
    if (!client) {
      client = this.#build(accountId);
      this.#clients.set(accountId, client);
      // A failed lookup (secret store down) is not cached.
      client.catch(() => this.#clients.delete(accountId));
    }
    return client;
  }

  async #build(accountId: string): Promise<SendcloudClient> {
    const { rateLimits, ...options } = this.#options;
    const { partnerId, ...credentials } = await this.#source.credentials(AccountId.parse(accountId));
    return new SendcloudClient({
      ...options,
      credentials,
      partnerId,
      rateLimiter: new SlidingWindowRateLimiter({ ...(rateLimits ? { rules: rateLimits } : {}) }),
    });
  }
}
