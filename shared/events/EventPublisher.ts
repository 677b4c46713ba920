import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventPublishError, EventTooLargeError } from './errors';
import { type DetailType, EVENT_SCHEMAS, EVENT_SOURCE, type EventDetail } from './schemas';

export interface EventPublisher {
  publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void>;
}

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
    const json = JSON.stringify(EVENT_SCHEMAS[detailType].parse(detail));
    const bytes = eventEntryBytes(detailType, json);
    // AWS fails the whole PutEvents call for it (a ValidationException): say so before the call.
    if (bytes > MAX_EVENT_ENTRY_BYTES) throw new EventTooLargeError(detailType, bytes, MAX_EVENT_ENTRY_BYTES);
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          { Source: EVENT_SOURCE, DetailType: detailType, Detail: json, EventBusName: this.#busName },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) throw new EventPublishError(detailType);
  }
}
