import { readFile } from 'node:fs/promises';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { type AccountCredentials, type CredentialsSource, UnknownAccountError } from '../sendcloud';

/** `{"<account>": {"publicKey", "secretKey", "partnerId"?, "webhookSecrets"?: [current, previous]}}` */
export const CredentialsDocument = z.record(
  z.string(),
  z.object({
    publicKey: z.string().min(1),
    secretKey: z.string().min(1),
    partnerId: z.uuid().optional(),
    webhookSecrets: z.array(z.string()).optional(),
  }),
);
export type CredentialsDocument = z.infer<typeof CredentialsDocument>;

/** Account keys from one JSON document, re-read at most every `maxAgeMs` so rotated keys are picked up. */
class DocumentCredentials implements CredentialsSource {
  readonly #load: () => Promise<unknown>;
  #cached: { at: number; doc: CredentialsDocument } | undefined;
  readonly #maxAgeMs: number;

  constructor(load: () => Promise<unknown>, maxAgeMs: number) {
    this.#load = load;
    this.#maxAgeMs = maxAgeMs;
  }

  async document(): Promise<CredentialsDocument> {
    if (!this.#cached || Date.now() - this.#cached.at > this.#maxAgeMs) {
      this.#cached = { at: Date.now(), doc: CredentialsDocument.parse(await this.#load()) };
    }
    return this.#cached.doc;
  }

  async credentials(accountId: string): Promise<AccountCredentials> {
    const entry = (await this.document())[accountId];
    if (!entry) throw new UnknownAccountError(accountId);
    return { publicKey: entry.publicKey, secretKey: entry.secretKey, partnerId: entry.partnerId };
  }

  /** Keys for `Sendcloud-Signature`: the configured ones (current, previous), else the API secret key. */
  async webhookSecrets(accountId: string): Promise<string[]> {
    const entry = (await this.document())[accountId];
    if (!entry) return [];
    return entry.webhookSecrets && entry.webhookSecrets.length > 0 ? entry.webhookSecrets : [entry.secretKey];
  }

  async accounts(): Promise<string[]> {
    return Object.keys(await this.document());
  }
}

export type AccountDirectory = CredentialsSource & {
  accounts(): Promise<string[]>;
  webhookSecrets(accountId: string): Promise<string[]>;
  document(): Promise<CredentialsDocument>;
};

export function secretsManagerCredentials(secretArn: string): AccountDirectory {
  return new DocumentCredentials(() => getSecret(secretArn, { transform: 'json', maxAge: 300 }), 300_000);
}

export function fileCredentials(path: string): AccountDirectory {
  return new DocumentCredentials(async () => JSON.parse(await readFile(path, 'utf8')), 5_000);
}
