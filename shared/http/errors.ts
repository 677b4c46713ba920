/**
 * Powertools' idempotency errors, told apart by their literal `name`: importing the classes would bundle the
 * idempotency package's index (and jmespath, ≈ 23 KiB) into every HTTP function.
 */
const isErrorNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { UnknownAccountError } from '../sendcloud/UnknownAccountError';
import { fieldProblems, loadedVocabulary } from '../validation';
import * as z from '../validation/zod';

/** An error whose message is safe to show the caller (4xx). */
export class HttpError extends Error {
  override readonly name = 'HttpError' as const;
  readonly status: number;
  readonly code: string;
  readonly retryable = false;
  readonly details: unknown;
  constructor(
    status: number,
    code: string,
    message: string,
    options: { readonly details?: unknown; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details;
  }
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The one place errors become HTTP answers: 4xx say what to fix, 5xx say nothing internal (the request id
 * finds the log line).
 */
export function toHttpResponse(error: unknown, requestId: string): APIGatewayProxyResultV2 {
  if (error instanceof HttpError)
    return json(error.status, {
      code: error.code,
      message: error.message,
      ...(error.details ? { errors: error.details } : {}),
    });
  if (error instanceof z.ZodError) {
    return json(400, {
      code: 'INVALID_REQUEST',
      message: 'The request is invalid; see errors for every field to fix.',
      errors: fieldProblems(error, loadedVocabulary),
    });
  }
  if (isErrorNamed(error, 'IdempotencyValidationError')) {
    return json(409, {
      code: 'IDEMPOTENCY_KEY_REUSED',
      message:
        'This Idempotency-Key was used with a different request body. Use a new key for a new request.',
    });
  }
  if (isErrorNamed(error, 'IdempotencyAlreadyInProgressError')) {
    return json(
      409,
      {
        code: 'REQUEST_IN_PROGRESS',
        message: 'A request with this Idempotency-Key is still being processed; retry in a moment.',
      },
      { 'retry-after': '1' },
    );
  }
  if (error instanceof UnknownAccountError)
    return json(400, { code: 'UNKNOWN_ACCOUNT', message: error.message });
  return json(500, { code: 'INTERNAL', message: 'Something went wrong on our side.', requestId });
}
