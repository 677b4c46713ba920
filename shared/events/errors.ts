/** EventBridge refused the entry (an outage or throttling): worth another try. */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError' as const;
  readonly code = 'EVENT_PUBLISH_FAILED' as const;
  readonly retryable = true;
  constructor(detailType: string, options?: ErrorOptions) {
    super(`EventBridge refused a "${detailType}" event`, options);
  }
}

/** An entry over EventBridge's 256 KB: refused before it is sent, and never worth retrying. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError' as const;
  readonly code = 'EVENT_TOO_LARGE' as const;
  readonly retryable = false;
  constructor(detailType: string, bytes: number, limit: number) {
    super(`a "${detailType}" event of ${bytes} bytes is over EventBridge's ${limit}-byte entry limit`);
  }
}
