import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DetailType, EVENT_SCHEMAS, EVENT_SOURCE, type EventDetail } from './schemas';

export interface EventPublisher {
  publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void>;
}

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError' as const;
  readonly code = 'EVENT_PUBLISH_FAILED' as const;
  readonly retryable = true;
  constructor(detailType: string, options?: ErrorOptions) {
    super(`EventBridge refused a "${detailType}" event`, options);
  }
}

/** Validates the detail against its schema, then PutEvents on the service's bus. */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #busName: string;

  constructor(client: EventBridgeClient, options: { readonly busName: string }) {
    this.#client = client;
    this.#busName = options.busName;
  }

  async publish<T extends DetailType>(detailType: T, detail: EventDetail<T>): Promise<void> {
    const valid = EVENT_SCHEMAS[detailType].parse(detail);
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(valid),
            EventBusName: this.#busName,
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) throw new EventPublishError(detailType);
  }
}
