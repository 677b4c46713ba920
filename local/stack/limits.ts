/**
 * The AWS limits the local stack enforces, each with its source. Where AWS has since raised a limit we keep
 * the older, lower one: the local stand-ins must be at least as strict as AWS, never more lenient.
 */
export const LIMITS = {
  /**
   * Lambda synchronous invocation request: "Request must be smaller than 6291456 bytes for the InvokeFunction
   * operation" (RequestEntityTooLargeException). The event is counted as serialized JSON, so a base64 body
   * counts at its encoded size. https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   */
  lambdaRequestBytes: 6 * 1024 * 1024,
  /**
   * Lambda invocation response: 6 MB. AWS answers "Response payload size exceeded maximum allowed payload size
   * (6291556 bytes)" — 100 bytes more than the request limit; we apply the request's 6,291,456 to both.
   * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   */
  lambdaResponseBytes: 6 * 1024 * 1024,
  /**
   * HTTP API request payload: 10 MB, answered with 413. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
   */
  httpApiBodyBytes: 10 * 1024 * 1024,
  /**
   * HTTP API integration timeout: 30 s at most (configurable down to 50 ms); answered with
   * `503 {"message":"Service Unavailable"}` while the function runs on. We take REST APIs' 29 s, the lower.
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
   */
  httpApiIntegrationTimeoutMs: 29_000,
  /**
   * SQS message: body plus every attribute's name, data type and value. AWS raised it to 1 MiB in August 2025;
   * we keep 256 KiB, the older limit (and a queue's MaximumMessageSize may still say so). A batch's total has
   * the same limit (BatchRequestTooLong). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
   */
  sqsMessageBytes: 256 * 1024,
  /**
   * EventBridge PutEvents: the entries of one request together (Time 14 bytes, Source, DetailType, Detail,
   * each Resource as UTF-8) — "Total size of the entries in the request is over the limit." AWS raised it
   * to 1 MB in January 2026; we keep 256 KB. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
   */
  putEventsBytes: 256 * 1024,
  /** EventBridge PutEvents: 1–10 entries per request. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html */
  putEventsEntries: 10,
  /**
   * DynamoDB item: 400 KB, names and values as UTF-8. Enforced by dynalite itself (409,600 bytes, a
   * ValidationException on PutItem, UpdateItem and BatchWriteItem).
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
   */
  dynamoItemBytes: 400 * 1024,
} as const;

/** Defaults for functions whose declaration gives none. */
export const FUNCTION_DEFAULTS = {
  /** What the local context always counted down from; the lead's per-function declaration replaces it. */
  timeoutSeconds: 30,
  /** The house function construct's default (infra/constructs/BridgeFunction.ts). */
  memoryMb: 256,
  /**
   * Lambda's "Max Memory Used" includes the Node.js runtime and the loaded handler, which an in-process
   * measurement of the invocation's own growth cannot see: an estimate of what a small Node.js function reports.
   */
  runtimeBaselineMb: 64,
} as const;

export function utf8Bytes(value: string | undefined): number {
  return value === undefined ? 0 : Buffer.byteLength(value, 'utf8');
}

/** SQS's size of one message: the body plus each attribute's name, data type and value (binary as sent, base64). */
export function sqsMessageSize(
  body: string | undefined,
  attributes: Readonly<
    Record<
      string,
      | {
          readonly DataType?: string | undefined;
          readonly StringValue?: string | undefined;
          readonly BinaryValue?: string | undefined;
        }
      | undefined
    >
  > = {},
): number {
  let size = utf8Bytes(body);
  for (const [name, attribute] of Object.entries(attributes))
    size +=
      utf8Bytes(name) +
      utf8Bytes(attribute?.DataType) +
      utf8Bytes(attribute?.StringValue) +
      utf8Bytes(attribute?.BinaryValue);
  return size;
}

/** EventBridge's size of one PutEvents entry (eb-putevent-size.html). */
export function putEventsEntrySize(entry: {
  readonly Time?: unknown;
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
}): number {
  return (
    (entry.Time === undefined ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8Bytes(resource), 0)
  );
}
