import { readFile } from 'node:fs/promises';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { AccountCredentials, CredentialsSource } from '../sendcloud/accounts';
import { UnknownAccountError } from '../sendcloud/UnknownAccountError';
import * as z from '../validation/zod';

/** What the deployed secret holds until someone fills it in (the stack creates it from this template). */
export const CREDENTIALS_PLACEHOLDER = 'REPLACE_ME';

const key = (what: string) =>
  z.string({ error: `${what} is required (a string)` }).check(
    z.minLength(1, `${what} is empty`),
    z.refine((value) => value !== CREDENTIALS_PLACEHOLDER, {
      message: `${what} still holds the placeholder ${CREDENTIALS_PLACEHOLDER}: put the account's key from SendCloud (Settings → Integrations → Sendcloud API)`,
    }),
  );

/** Headers an api_key connection cannot use: HTTP or the gateway sets them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'cookie',
  'user-agent',
]);

/** A value the account also sets on its SendCloud event-subscription connection (`auth_config`). */
const connectionSecret = (what: string) =>
  z.string({ error: `${what} is required (a string)` }).check(
    z.minLength(1, `${what} is empty`),
    z.refine((value) => value !== CREDENTIALS_PLACEHOLDER, {
      message: `${what} still holds the placeholder ${CREDENTIALS_PLACEHOLDER}: put the value the account's SendCloud event-subscription connection sends (auth_config)`,
    }),
  );

/**
 * How SendCloud's v3 event subscriptions (beta) authenticate to `POST /webhooks/sendcloud/{account}/events`: the
 * `auth_type` of the account's webhook connection (REFERENCE.md §6.5) and the same values as its `auth_config`.
 * `none` — the connection's fourth type — is not accepted: an open route would let anyone move parcels.
 */
export const EventSubscriptionAuth = z.discriminatedUnion(
  'auth',
  [
    /** `Authorization: Bearer <token>` */
    z.strictObject({ auth: z.literal('bearer'), token: connectionSecret('eventSubscription.token') }),
    /** `Authorization: Basic base64(<username>:<password>)` */
    z.strictObject({
      auth: z.literal('basic'),
      username: connectionSecret('eventSubscription.username').check(
        z.refine((value) => !value.includes(':'), {
          message:
            'eventSubscription.username cannot contain ":" (HTTP Basic separates it from the password with one)',
        }),
      ),
      password: connectionSecret('eventSubscription.password'),
    }),
    /** `<header>: <value>` (the connection's `header_name` and `api_key`) */
    z.strictObject({
      auth: z.literal('api_key'),
      header: z
        .string({ error: 'eventSubscription.header is required (the header name, e.g. "X-Api-Key")' })
        .check(
          z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'eventSubscription.header is not an HTTP header name'),
          z.refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), {
            message:
              'eventSubscription.header names a header HTTP or the gateway sets itself; use e.g. "X-Api-Key"',
          }),
        ),
      value: connectionSecret('eventSubscription.value'),
    }),
  ],
  {
    error:
      'eventSubscription.auth is "bearer", "basic" or "api_key" (SendCloud\'s auth_type; "none" is refused)',
  },
);
export type EventSubscriptionAuth = z.infer<typeof EventSubscriptionAuth>;

/**
 * `{"<account>": {"publicKey", "secretKey", "api"?: "v2" | "v3", "auth"?: "basic" | "oauth2", "partnerId"?,
 * "senderAddressId"?, "integrationId"?,
 * "webhookSecrets"?: [current, previous], "eventSubscription"?: EventSubscriptionAuth}}`
 */
export const CredentialsDocument = z.record(
  z.string(),
  z.strictObject({
    publicKey: key('publicKey'),
    secretKey: key('secretKey'),
    partnerId: z.optional(z.uuid()),
    /**
     * The SendCloud API the account uses. Default `v3`: v2's parcel create is closed to accounts created on
     * or after 13 April 2026; older accounts may keep `v2` (README: choosing the API version).
     */
    api: z.optional(z.enum(['v2', 'v3'], { error: 'api is "v2" or "v3"' })),
    /** v3 only: the sender address to ship from (v3 marks no default; else the oldest, lowest id). */
    senderAddressId: z.optional(z.number().check(z.int(), z.positive())),
    /**
     * v3 only: the id of the account's SendCloud API integration (Settings → Integrations). With it,
     * end-of-day and `POST /orders/batch` go through the Orders API (a few writes for many labels); without,
     * one synchronous announce per order.
     */
    integrationId: z.optional(
      z
        .number({ error: 'integrationId is a number (the SendCloud API integration id)' })
        .check(z.int(), z.positive()),
    ),
    /** v3 only: `basic` (default) or `oauth2` (client credentials with the same keys). */
    auth: z.optional(z.enum(['basic', 'oauth2'], { error: 'auth is "basic" or "oauth2"' })),
    /** Keys SendCloud signs webhooks with, newest first; empty: the API secret key. */
    webhookSecrets: z.optional(z.array(z.string().check(z.minLength(1)))),
    /** v3 event subscriptions (beta): how their deliveries authenticate; absent: the events route refuses all. */
    eventSubscription: z.optional(EventSubscriptionAuth),
  }),
);
export type CredentialsDocument = z.infer<typeof CredentialsDocument>;

/** The document the stack creates the secret with: one entry per account, keys to be filled in. */
export function credentialsTemplate(accounts: readonly string[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    accounts.map((account) => [
      account,
      {
        publicKey: CREDENTIALS_PLACEHOLDER,
        secretKey: CREDENTIALS_PLACEHOLDER,
        api: 'v3',
        webhookSecrets: [],
      },
    ]),
  );
}

export class CredentialsConfigError extends Error {
  override readonly name = 'CredentialsConfigError' as const;
  readonly code = 'CREDENTIALS_INVALID' as const;
  readonly retryable = false;
}

/** Parses the credentials document; a problem names the account and field and says what to put there. */
export function parseCredentials(raw: unknown, where: string): CredentialsDocument {
  const result = CredentialsDocument.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`,
  );
  throw new CredentialsConfigError(
    `SendCloud credentials in ${where} are not usable: ${problems.join('; ')}. Expected ` +
      '{"<account>": {"publicKey": "...", "secretKey": "...", "webhookSecrets": []}} (see README, deploy guide).',
  );
}

/** Account keys from one JSON document, re-read at most every `maxAgeMs` so rotated keys are picked up. */
class DocumentCredentials implements CredentialsSource {
  readonly #load: () => Promise<unknown>;
  #cached: { at: number; doc: CredentialsDocument } | undefined;
  readonly #maxAgeMs: number;
  readonly #where: string;

  constructor(load: () => Promise<unknown>, options: { readonly maxAgeMs: number; readonly where: string }) {
    this.#load = load;
    this.#maxAgeMs = options.maxAgeMs;
    this.#where = options.where;
  }

  async document(): Promise<CredentialsDocument> {
    if (!this.#cached || Date.now() - this.#cached.at > this.#maxAgeMs) {
      this.#cached = { at: Date.now(), doc: parseCredentials(await this.#load(), this.#where) };
    }
    return this.#cached.doc;
  }

  async credentials(accountId: string): Promise<AccountCredentials> {
    const entry = (await this.document())[accountId];
    if (!entry) throw new UnknownAccountError(accountId);
    return {
      publicKey: entry.publicKey,
      secretKey: entry.secretKey,
      partnerId: entry.partnerId,
      api: entry.api ?? 'v3',
      auth: entry.auth ?? 'basic',
      ...(entry.senderAddressId ? { senderAddressId: entry.senderAddressId } : {}),
      ...(entry.integrationId ? { integrationId: entry.integrationId } : {}),
    };
  }

  /** Keys for `Sendcloud-Signature`: the configured ones (current, previous), else the API secret key. */
  async webhookSecrets(accountId: string): Promise<string[]> {
    const entry = (await this.document())[accountId];
    if (!entry) return [];
    return entry.webhookSecrets && entry.webhookSecrets.length > 0 ? entry.webhookSecrets : [entry.secretKey];
  }

  /** How the account's event-subscription deliveries authenticate; undefined: none accepted (unknown account too). */
  async eventSubscriptionAuth(accountId: string): Promise<EventSubscriptionAuth | undefined> {
    return (await this.document())[accountId]?.eventSubscription;
  }

  async accounts(): Promise<string[]> {
    return Object.keys(await this.document());
  }
}

export type AccountDirectory = CredentialsSource & {
  accounts(): Promise<string[]>;
  webhookSecrets(accountId: string): Promise<string[]>;
  eventSubscriptionAuth(accountId: string): Promise<EventSubscriptionAuth | undefined>;
  document(): Promise<CredentialsDocument>;
};

/** Keys from Secrets Manager, re-read every `maxAgeSeconds` (300 in AWS: rotation reaches warm functions). */
export function secretsManagerCredentials(secretArn: string, maxAgeSeconds = 300): AccountDirectory {
  return new DocumentCredentials(() => getSecret(secretArn, { transform: 'json', maxAge: maxAgeSeconds }), {
    maxAgeMs: maxAgeSeconds * 1000,
    where: 'the secret SENDCLOUD_CREDENTIALS_SECRET_ARN names',
  });
}

export function fileCredentials(path: string): AccountDirectory {
  return new DocumentCredentials(async () => JSON.parse(await readFile(path, 'utf8')), {
    maxAgeMs: 5_000,
    where: path,
  });
}
