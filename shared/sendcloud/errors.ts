/**
 * One error family for every SendCloud call. Errors carry what a caller needs to decide (status, code,
 * `retryable`) and never the request payload, addresses or credentials.
 */
export type SendcloudErrorCode =
  | 'SENDCLOUD_TRANSPORT'
  | 'SENDCLOUD_TIMEOUT'
  | 'SENDCLOUD_HTTP'
  | 'SENDCLOUD_RATE_LIMITED'
  | 'SENDCLOUD_CONTRACT'
  | 'SENDCLOUD_VALIDATION';

export interface SendcloudErrorOptions {
  readonly method: string;
  /** Path only (`/api/v2/parcels`), never the query string, which may carry references. */
  readonly path: string;
  readonly cause?: unknown;
}

export abstract class SendcloudError extends Error {
  abstract override readonly name: string;
  abstract readonly code: SendcloudErrorCode;
  abstract readonly retryable: boolean;
  readonly method: string;
  readonly path: string;

  protected constructor(message: string, options: SendcloudErrorOptions) {
    super(
      `${message} (${options.method} ${options.path})`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.method = options.method;
    this.path = options.path;
  }
}

/** Network failure before a response arrived: DNS, reset, refused. Retryable; for writes, reconcile first. */
export class SendcloudTransportError extends SendcloudError {
  override readonly name = 'SendcloudTransportError' as const;
  readonly code = 'SENDCLOUD_TRANSPORT' as const;
  readonly retryable = true;
  constructor(options: SendcloudErrorOptions) {
    super('SendCloud could not be reached', options);
  }
}

/** No response within the configured timeout. The request may still have been processed. */
export class SendcloudTimeoutError extends SendcloudError {
  override readonly name = 'SendcloudTimeoutError' as const;
  readonly code = 'SENDCLOUD_TIMEOUT' as const;
  readonly retryable = true;
  readonly timeoutMs: number;
  constructor(options: SendcloudErrorOptions & { readonly timeoutMs: number }) {
    super(`SendCloud did not answer within ${options.timeoutMs} ms`, options);
    this.timeoutMs = options.timeoutMs;
  }
}

/** SendCloud answered 429. The real body is empty and `Retry-After` is usually absent. */
export class SendcloudRateLimitedError extends SendcloudError {
  override readonly name = 'SendcloudRateLimitedError' as const;
  readonly code = 'SENDCLOUD_RATE_LIMITED' as const;
  readonly retryable = true;
  readonly status = 429 as const;
  readonly retryAfterMs: number | undefined;
  constructor(options: SendcloudErrorOptions & { readonly retryAfterMs: number | undefined }) {
    super('SendCloud rate limit exceeded', options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** One entry of a v3 JSON:API `errors[]` body (`{status, code, detail, source: {pointer | parameter}}`). */
export interface SendcloudErrorDetail {
  readonly status?: string | undefined;
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
  /** JSON pointer into the request body (`/to_address/name`), or the query parameter's name. */
  readonly pointer?: string | undefined;
}

/**
 * Any other non-2xx answer. `sendcloudMessage` is SendCloud's own message (from
 * `{"error":{code,request,message}}`, `{"status","message"}` or `{"message"}`), `carrierError` is true
 * when the carrier rejected the parcel (`non_field_errors: "Service error: …"`). v3 answers also fill
 * `errors` (every JSON:API entry) and `errorCode` / `pointer` (the first one's).
 */
export class SendcloudHttpError extends SendcloudError {
  override readonly name = 'SendcloudHttpError' as const;
  readonly code = 'SENDCLOUD_HTTP' as const;
  readonly status: number;
  readonly retryable: boolean;
  readonly sendcloudMessage: string | undefined;
  readonly carrierError: boolean;
  readonly errorCode: string | undefined;
  readonly pointer: string | undefined;
  readonly errors: readonly SendcloudErrorDetail[];
  constructor(
    options: SendcloudErrorOptions & {
      readonly status: number;
      readonly sendcloudMessage?: string | undefined;
      readonly errors?: readonly SendcloudErrorDetail[] | undefined;
      /** Overrides the message heuristic, e.g. for v3's `parcel_announcement_error`. */
      readonly carrierError?: boolean | undefined;
    },
  ) {
    super(
      `SendCloud answered ${options.status}${options.sendcloudMessage ? `: ${truncate(options.sendcloudMessage)}` : ''}`,
      options,
    );
    this.status = options.status;
    this.retryable = options.status >= 500;
    this.sendcloudMessage = options.sendcloudMessage;
    this.carrierError =
      options.carrierError ?? /non_field_errors|service error/i.test(options.sendcloudMessage ?? '');
    this.errors = options.errors ?? [];
    this.errorCode = this.errors[0]?.code;
    this.pointer = this.errors[0]?.pointer;
  }
}

export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

/** A 2xx response that does not match the contract: SendCloud changed, or something is in between. */
export class SendcloudContractError extends SendcloudError {
  override readonly name = 'SendcloudContractError' as const;
  readonly code = 'SENDCLOUD_CONTRACT' as const;
  readonly retryable = false;
  readonly status: number;
  readonly issues: readonly ContractIssue[];
  constructor(
    options: SendcloudErrorOptions & { readonly status: number; readonly issues: readonly ContractIssue[] },
  ) {
    const first = options.issues.slice(0, 3).map((issue) => `${issue.path || '(body)'}: ${issue.message}`);
    super(`SendCloud response ${options.status} breaks the contract: ${first.join('; ')}`, options);
    this.status = options.status;
    this.issues = options.issues;
  }
}

/** Our own input was refused before anything was sent. Field messages say what to fix. */
export class SendcloudValidationError extends SendcloudError {
  override readonly name = 'SendcloudValidationError' as const;
  readonly code = 'SENDCLOUD_VALIDATION' as const;
  readonly retryable = false;
  readonly issues: readonly ContractIssue[];
  constructor(options: SendcloudErrorOptions & { readonly issues: readonly ContractIssue[] }) {
    super(
      `Invalid request: ${options.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      options,
    );
    this.issues = options.issues;
  }
}

export const isSendcloudError = (error: unknown): error is SendcloudError => error instanceof SendcloudError;

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
