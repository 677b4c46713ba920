import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventPublishError, EventTooLargeError } from './errors';
import { type DetailType, EVENT_SCHEMAS, EVENT_SOURCE, type EventDetail } from './schemas';

export interface EventPublisher {
  publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void>;
  /**
   * Several events in one PutEvents call where they fit in one (10 entries, 256 KiB), else one call each;
   * answers, per event, whether EventBridge took it (each entry succeeds or fails on its own). Throws what
   * `publish` throws for an event that cannot be sent at all (its schema, its size) or a call that failed.
   */
  publishMany?(events: readonly AnyEvent[]): Promise<boolean[]>;
}

/** One event of any detail type, as `publishMany` takes it. */
export type AnyEvent = { [T in DetailType]: { detailType: T; detail: EventDetail<T> } }[DetailType];

/** EventBridge's limits for one PutEvents call. */
export const MAX_EVENTS_PER_CALL = 10;
export const MAX_EVENTS_CALL_BYTES = 256 * 1024;

/** EventBridge's limit for one PutEvents entry: source, detail-type and detail, in UTF-8 bytes. */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

export const eventEntryBytes = (detailType: string, detail: string): number =>
  Buffer.byteLength(EVENT_SOURCE) + Buffer.byteLength(detailType) + Buffer.byteLength(detail);

/** Validates the detail against its schema and EventBridge's size limit, then PutEvents on the service's bus. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  constructor(client: EventBridgeClient, options: { readonly busName: string }) {
    this.#client = client;
    this.#busName = options.busName;
  }

  async publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void> {
    const [published] = await this.#put([this.#entry({ detailType, detail } as AnyEvent)]);
    if (!published) throw new EventPublishError(detailType);
  }

  async publishMany(events: readonly AnyEvent[]): Promise<boolean[]> {
    const entries = events.map((event) => this.#entry(event));
    const bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    if (entries.length <= MAX_EVENTS_PER_CALL && bytes <= MAX_EVENTS_CALL_BYTES) return this.#put(entries);
    const published: boolean[] = [];
    for (const entry of entries) published.push(...(await this.#put([entry])));
    return published;
  }

  /** Validated against its schema and EventBridge's entry limit, which fails the whole call (a ValidationException). */
  #entry({ detailType, detail }: AnyEvent): { detailType: DetailType; json: string; bytes: number } {
    const json = JSON.stringify(EVENT_SCHEMAS[detailType].parse(detail));
    const bytes = eventEntryBytes(detailType, json);
    if (bytes > MAX_EVENT_ENTRY_BYTES) throw new EventTooLargeError(detailType, bytes, MAX_EVENT_ENTRY_BYTES);
    return { detailType, json, bytes };
  }

  async #put(entries: ReadonlyArray<{ detailType: DetailType; json: string }>): Promise<boolean[]> {
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: entries.map(({ detailType, json }) => ({
          Source: EVENT_SOURCE,
          DetailType: detailType,
          Detail: json,
          EventBusName: this.#busName,
        })),
      }),
    );
    // No failed entry: all were taken. Else entries answer in the order sent, a failed one with an ErrorCode.
    if ((result.FailedEntryCount ?? 0) === 0) return entries.map(() => true);
    return entries.map((_, i) => result.Entries?.[i]?.EventId !== undefined && !result.Entries[i]?.ErrorCode);
  }
}
