import type * as z from 'zod';
import type { SimResponse } from '../Simulator';

/**
 * v3 errors in SendCloud's JSON:API form (REFERENCE.md §10.2, `ErrorObject` of every v3 document):
 * `{"errors":[{"status":"400","code":"required","detail":"…","source":{"pointer":"/to_address/name"}}]}`.
 */
export type ErrorCode =
  | 'unknown_field'
  | 'invalid'
  | 'forbidden'
  | 'invalid_choice'
  | 'min_value'
  | 'null'
  | 'not_found'
  | 'required'
  | 'not_a_list'
  | 'non_field_errors'
  | 'authentication_failed'
  | 'validation_error'
  | 'parcel_announcement_error';

export interface ErrorObject {
  readonly status: string;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly title?: string;
  readonly source?: { readonly pointer?: string; readonly parameter?: string; readonly header?: string };
}

export type ErrorSource = NonNullable<ErrorObject['source']>;

export const errorObject = (
  status: number,
  code: ErrorCode,
  detail: string,
  source?: ErrorSource,
): ErrorObject => ({ status: String(status), code, detail, ...(source ? { source } : {}) });

export const errorsResponse = (status: number, errors: readonly ErrorObject[]): SimResponse => ({
  status,
  json: { errors },
});

/** One error as a whole response. */
export const jsonApiError = (
  status: number,
  code: ErrorCode,
  detail: string,
  source?: ErrorSource,
): SimResponse => errorsResponse(status, [errorObject(status, code, detail, source)]);

export const notFound = (detail = 'Not found.'): SimResponse => jsonApiError(404, 'not_found', detail);

export const pointer = (path: readonly PropertyKey[]): string =>
  `/${path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );

const TYPE_MESSAGES: Readonly<Record<string, string>> = {
  string: 'Not a valid string.',
  number: 'A valid number is required.',
  int: 'A valid integer is required.',
  boolean: 'Must be a valid boolean.',
  object: 'Invalid data. Expected a dictionary.',
};

/** Request-body validation problems as SendCloud words them (Django REST framework messages). */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[], input: unknown): ErrorObject[] {
  return issues.flatMap((issue): ErrorObject[] => {
    const at = (path: readonly PropertyKey[]) => ({ pointer: pointer(path) });
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) =>
          errorObject(400, 'unknown_field', 'Unknown field.', at([...issue.path, key])),
        );
      case 'invalid_type': {
        const value = valueAt(input, issue.path);
        if (value === undefined)
          return [errorObject(400, 'required', 'This field is required.', at(issue.path))];
        if (value === null) return [errorObject(400, 'null', 'This field may not be null.', at(issue.path))];
        if (issue.expected === 'array')
          return [
            errorObject(
              400,
              'not_a_list',
              `Expected a list of items but got type "${typeof value}".`,
              at(issue.path),
            ),
          ];
        return [errorObject(400, 'invalid', TYPE_MESSAGES[issue.expected] ?? 'Invalid.', at(issue.path))];
      }
      case 'invalid_value':
        return [
          errorObject(
            400,
            'invalid_choice',
            `"${String(valueAt(input, issue.path))}" is not a valid choice.`,
            at(issue.path),
          ),
        ];
      case 'too_small':
        return [errorObject(400, ...tooSmall(issue), at(issue.path))];
      case 'too_big':
        return [errorObject(400, 'invalid', tooBig(issue), at(issue.path))];
      case 'invalid_format':
        return [
          errorObject(
            400,
            'invalid',
            issue.format === 'email' ? 'Enter a valid email address.' : 'Enter a valid value.',
            at(issue.path),
          ),
        ];
      default:
        return [errorObject(400, 'invalid', issue.message, at(issue.path))];
    }
  });
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): [ErrorCode, string] {
  if (issue.origin === 'array')
    return ['invalid', `Ensure this field has at least ${issue.minimum} elements.`];
  if (issue.origin === 'string')
    return ['invalid', issue.minimum === 1 ? 'This field may not be blank.' : 'Too short.'];
  return ['min_value', `Ensure this value is greater than or equal to ${issue.minimum}.`];
}

function tooBig(issue: z.core.$ZodIssueTooBig): string {
  if (issue.origin === 'array') return `Ensure this field has no more than ${issue.maximum} elements.`;
  if (issue.origin === 'string') return `Ensure this field has no more than ${issue.maximum} characters.`;
  return `Ensure this value is less than or equal to ${issue.maximum}.`;
}
