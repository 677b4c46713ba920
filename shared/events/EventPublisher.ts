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
  /**
   * The same publisher with `publishMany` calls made within `windowMs` of each other sent together (see
   * `EventBridgePublisher.gathering`); absent where a publisher cannot gather.
   */
  gathering?(windowMs: number): EventPublisher;
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

/** One PutEvents entry, validated. */
interface Entry {
  readonly detailType: DetailType;
  readonly json: string;
  readonly bytes: number;
}

const bytesOf = (entries: readonly Entry[]) => entries.reduce((sum, entry) => sum + entry.bytes, 0);
const fitsOneCall = (entries: readonly Entry[]) =>
  entries.length <= MAX_EVENTS_PER_CALL && bytesOf(entries) <= MAX_EVENTS_CALL_BYTES;

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
    return this.#many(events.map((event) => this.#entry(event)));
  }

  /**
   * A view of this publisher whose `publishMany` calls made within `windowMs` of each other (0: in the same
   * turn of the event loop) go out in one PutEvents call: many orders finishing at once (an end-of-day group)
   * make one call for several orders' events instead of one each. Each caller is answered for its own
   * entries, its entries stay in one call, and an event of its that cannot be sent (schema, size) fails it
   * alone, before anything is gathered; a call that fails fails every caller in it. A full call (10 entries,
   * 256 KiB) goes at once; a caller waits at most `windowMs` more. `publish` is not gathered.
   */
  gathering(windowMs: number): EventPublisher {
    type Caller = {
      readonly entries: readonly Entry[];
      readonly resolve: (published: boolean[]) => void;
      readonly reject: (error: unknown) => void;
    };
    let pending: Caller[] = [];
    let timer: { cancel(): void } | undefined;
    const count = () => pending.reduce((sum, caller) => sum + caller.entries.length, 0);
    const bytes = () => pending.reduce((sum, caller) => sum + bytesOf(caller.entries), 0);
    const flush = () => {
      timer?.cancel();
      timer = undefined;
      const callers = pending;
      pending = [];
      this.#put(callers.flatMap((caller) => caller.entries)).then(
        (published) => {
          let at = 0;
          for (const caller of callers) {
            caller.resolve(published.slice(at, at + caller.entries.length));
            at += caller.entries.length;
          }
        },
        (error: unknown) => {
          for (const caller of callers) caller.reject(error);
        },
      );
    };
    const later = (): { cancel(): void } => {
      if (windowMs <= 0) {
        const immediate = setImmediate(flush);
        return { cancel: () => clearImmediate(immediate) };
      }
      const timeout = setTimeout(flush, windowMs);
      return { cancel: () => clearTimeout(timeout) };
    };
    return {
      publish: (detailType, detail) => this.publish(detailType, detail),
      publishMany: async (events) => {
        const entries = events.map((event) => this.#entry(event));
        if (!fitsOneCall(entries)) return this.#many(entries);
        if (
          count() + entries.length > MAX_EVENTS_PER_CALL ||
          bytes() + bytesOf(entries) > MAX_EVENTS_CALL_BYTES
        )
          flush();
        return new Promise<boolean[]>((resolve, reject) => {
          pending.push({ entries, resolve, reject });
          if (count() === MAX_EVENTS_PER_CALL) flush();
          else timer ??= later();
        });
      },
    };
  }

  /** In one call where they fit in one, else one call each. */
  async #many(entries: readonly Entry[]): Promise<boolean[]> {
    if (fitsOneCall(entries)) return this.#put(entries);
    const published: boolean[] = [];
    for (const entry of entries) published.push(...(await this.#put([entry])));
    return published;
  }

  /** Validated against its schema and EventBridge's entry limit, which fails the whole call (a ValidationException). */
  #entry({ detailType, detail }: AnyEvent): Entry {
    const json = JSON.stringify(EVENT_SCHEMAS[detailType].parse(detail));
    const bytes = eventEntryBytes(detailType, json);
    if (bytes > MAX_EVENT_ENTRY_BYTES) throw new EventTooLargeError(detailType, bytes, MAX_EVENT_ENTRY_BYTES);
    return { detailType, json, bytes };
  }

  async #put(entries: readonly Entry[]): Promise<boolean[]> {
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
