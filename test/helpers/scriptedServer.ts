import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly json: unknown;
}

export type Reply =
  | {
      readonly status: number;
      readonly json?: unknown;
      readonly body?: string | Buffer;
      readonly headers?: Record<string, string>;
    }
  /** Never answer (the client times out). */
  | 'hang'
  /** Drop the connection (the client sees a network error). */
  | 'destroy';

type Handler = (request: Captured) => Reply | Promise<Reply>;

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handler: Handler;
}

/**
 * A real HTTP server on 127.0.0.1 and a random port, answering from routes a test scripts. Unmatched
 * requests get 599 so a test never passes by accident.
 */
export class ScriptedServer {
  readonly requests: Captured[] = [];
  readonly #routes: Route[] = [];
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ScriptedServer> {
    let instance: ScriptedServer | undefined;
    const server = createServer((req, res) => void instance?.handle(req, res));
    instance = new ScriptedServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Routes added later win, so a test can override a default. */
  on(method: string, path: RegExp, handler: Handler | Reply): this {
    this.#routes.unshift({ method, path, handler: typeof handler === 'function' ? handler : () => handler });
    return this;
  }

  /** Answers the listed replies in order, then repeats the last one. */
  sequence(method: string, path: RegExp, replies: readonly Reply[]): this {
    let i = 0;
    return this.on(method, path, () => replies[Math.min(i++, replies.length - 1)] ?? { status: 599 });
  }

  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.url.pathname)).length;
  }

  reset(): void {
    this.#routes.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let json: unknown;
    try {
      json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      json = undefined;
    }
    const captured: Captured = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', this.url),
      headers: req.headers,
      body,
      json,
    };
    this.requests.push(captured);
    const route = this.#routes.find(
      (r) => r.method === captured.method && r.path.test(captured.url.pathname),
    );
    const reply = route
      ? await route.handler(captured)
      : { status: 599, json: { error: 'no route scripted' } };
    if (reply === 'hang') {
      this.#hanging.add(res);
      return;
    }
    if (reply === 'destroy') {
      req.socket.destroy();
      return;
    }
    const payload = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
    const headers: Record<string, string> = {
      ...(reply.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}
