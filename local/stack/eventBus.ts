import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

/** One entry as PutEvents receives it, stamped with the id and time EventBridge would give it. */
export interface RecordedEvent {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly eventBusName: string;
  readonly detail: unknown;
}

/**
 * EventBridge `PutEvents` (AWS JSON 1.1) on 127.0.0.1: every entry is appended to a JSONL file and kept in
 * memory for `GET /_local/events`. No emulator exists for EventBridge; rules are asserted on the template.
 */
export class LocalEventBus {
  readonly events: RecordedEvent[] = [];
  readonly #file: string;
  readonly #server: Server;

  private constructor(file: string, server: Server) {
    this.#file = file;
    this.#server = server;
  }

  static async start(file: string): Promise<LocalEventBus> {
    mkdirSync(dirname(file), { recursive: true });
    let bus: LocalEventBus | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target !== 'AWSEvents.PutEvents' || !bus) {
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'UnknownOperationException' }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Entries?: Array<Record<string, string>>;
        };
        const entries = (body.Entries ?? []).map((entry) => bus?.record(entry) ?? { EventId: '' });
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: 0, Entries: entries }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bus = new LocalEventBus(file, server);
    return bus;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  record(entry: Record<string, string>): { EventId: string } {
    let detail: unknown = entry.Detail;
    try {
      detail = JSON.parse(entry.Detail ?? 'null');
    } catch {
      // kept as the string it was
    }
    const event: RecordedEvent = {
      id: randomUUID(),
      time: new Date().toISOString(),
      source: entry.Source ?? '',
      'detail-type': entry.DetailType ?? '',
      eventBusName: entry.EventBusName ?? 'default',
      detail,
    };
    this.events.push(event);
    appendFileSync(this.#file, `${JSON.stringify(event)}\n`);
    return { EventId: event.id };
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
