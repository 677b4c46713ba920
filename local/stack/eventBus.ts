import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import * as z from 'zod';
import { LIMITS, putEventsEntrySize } from './limits';

/** One entry as PutEvents receives it, stamped with the id and time EventBridge would give it. */
export interface RecordedEvent {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly eventBusName: string;
  readonly detail: unknown;
}

const PutEventsRequest = z.object({
  Entries: z
    .array(
      z.object({
        Source: z.string().optional(),
        DetailType: z.string().optional(),
        Detail: z.string().optional(),
        EventBusName: z.string().optional(),
        Resources: z.array(z.string()).optional(),
        Time: z.number().optional(),
        TraceHeader: z.string().optional(),
      }),
    )
    .nullish(),
  EndpointId: z.string().optional(),
});
type PutEventsEntry = NonNullable<z.infer<typeof PutEventsRequest>['Entries']>[number];
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * EventBridge `PutEvents` (AWS JSON 1.1) on 127.0.0.1: every entry is appended to a JSONL file and kept in
 * memory for `GET /_local/events`. No emulator exists for EventBridge; rules are asserted on the template.
 * Refuses what AWS refuses: more than 10 entries or entries over 256 KB together fail the whole request
 * (ValidationException); an entry without Source, DetailType or a JSON-object Detail fails on its own.
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
        const answer = (status: number, json: unknown) =>
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target !== 'AWSEvents.PutEvents' || !bus)
          return answer(400, { __type: 'UnknownOperationException' });
        const outcome = bus.putEvents(Buffer.concat(chunks).toString('utf8'));
        answer(outcome.status, outcome.json);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bus = new LocalEventBus(file, server);
    return bus;
  }

  /** One PutEvents request body, answered as EventBridge answers it. */
  putEvents(body: string): { status: number; json: unknown } {
    let parsed: z.infer<typeof PutEventsRequest>;
    try {
      parsed = PutEventsRequest.parse(JSON.parse(body));
    } catch {
      return { status: 400, json: { __type: 'SerializationException', message: 'Invalid request body' } };
    }
    const entries = parsed.Entries ?? [];
    const invalid = (message: string) => ({
      status: 400,
      json: { __type: 'ValidationException', message },
    });
    if (entries.length < 1 || entries.length > LIMITS.putEventsEntries)
      return invalid(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${
          entries.length < 1
            ? 'greater than or equal to 1'
            : `less than or equal to ${LIMITS.putEventsEntries}`
        }`,
      );
    const size = entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
    if (size > LIMITS.putEventsBytes)
      return invalid('Total size of the entries in the request is over the limit.');
    const results = entries.map((entry) => this.#put(entry));
    return {
      status: 200,
      json: { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results },
    };
  }

  #put(entry: PutEventsEntry): EntryResult {
    for (const field of ['Source', 'DetailType', 'Detail'] as const)
      if (!entry[field])
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? '');
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    return this.#record({
      id: randomUUID(),
      time: new Date(entry.Time === undefined ? Date.now() : entry.Time * 1000).toISOString(),
      source: entry.Source ?? '',
      'detail-type': entry.DetailType ?? '',
      eventBusName: entry.EventBusName ?? 'default',
      detail,
    });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #record(event: RecordedEvent): { EventId: string } {
    this.events.push(event);
    appendFileSync(this.#file, `${JSON.stringify(event)}\n`);
    return { EventId: event.id };
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
