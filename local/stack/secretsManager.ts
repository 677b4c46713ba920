import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecret {
  readonly name: string;
  /** The secret's value is this file's content, read on every call (edit it to rotate). */
  readonly file: string;
}

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

/**
 * Secrets Manager `GetSecretValue` (AWS JSON 1.1) on 127.0.0.1, so functions read their keys through the
 * same SDK call as in AWS — and the local IAM check decides, from the template, which of them may.
 */
export class LocalSecretsManager {
  readonly #server: Server;
  readonly #secrets: ReadonlyMap<string, LocalSecret & { readonly arn: string }>;

  private constructor(server: Server, secrets: ReadonlyMap<string, LocalSecret & { readonly arn: string }>) {
    this.#server = server;
    this.#secrets = secrets;
  }

  /** The ARN AWS would give `name` (Secrets Manager appends six random characters; fixed here). */
  static arnOf(name: string, region: string): string {
    return `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-LOCAL0`;
  }

  static async start(secrets: readonly LocalSecret[], region: string): Promise<LocalSecretsManager> {
    const byId = new Map<string, LocalSecret & { readonly arn: string }>();
    for (const secret of secrets) {
      const entry = { ...secret, arn: LocalSecretsManager.arnOf(secret.name, region) };
      byId.set(secret.name, entry);
      byId.set(entry.arn, entry);
    }
    let manager: LocalSecretsManager | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void manager
          ?.answer(String(req.headers['x-amz-target'] ?? ''), Buffer.concat(chunks))
          .then(({ status, body }) => res.writeHead(status, JSON_TYPE).end(JSON.stringify(body)));
      });
    });
    manager = new LocalSecretsManager(server, byId);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return manager;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  private async answer(target: string, raw: Buffer): Promise<{ status: number; body: unknown }> {
    if (target !== 'secretsmanager.GetSecretValue')
      return { status: 400, body: { __type: 'UnknownOperationException' } };
    let secretId: unknown;
    try {
      secretId = (JSON.parse(raw.toString('utf8')) as { SecretId?: unknown }).SecretId;
    } catch {
      return { status: 400, body: { __type: 'SerializationException' } };
    }
    const secret = typeof secretId === 'string' ? this.#secrets.get(secretId) : undefined;
    if (!secret)
      return {
        status: 400,
        body: {
          __type: 'ResourceNotFoundException',
          Message: "Secrets Manager can't find the specified secret.",
        },
      };
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: await readFile(secret.file, 'utf8'),
        VersionId: '00000000-0000-4000-8000-000000000000',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      },
    };
  }
}
