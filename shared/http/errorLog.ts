import { errorFields } from '../observability';
import * as z from '../validation/zod';

const MAX_LOGGED_PROBLEMS = 20;

/**
 * An error as the `error` key of a log line. zod's errors are not `Error`s, so without this an invalid order
 * or a refused service point is logged as `"error":"error"`: for them the fields at fault and why (our
 * messages, which never quote the value); for the rest `errorFields` (name, code, message, causes).
 */
export function errorLogFields(error: unknown): { readonly error: Record<string, unknown> } {
  if (!(error instanceof z.ZodError)) return { error: errorFields(error) };
  return {
    error: {
      name: 'ZodError',
      code: 'INVALID_REQUEST',
      problems: error.issues.slice(0, MAX_LOGGED_PROBLEMS).map((issue) => ({
        path: issue.path.map(String).join('.') || '(body)',
        message: issue.message,
      })),
    },
  };
}
