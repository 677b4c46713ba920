import { type SendcloudErrorDetail, SendcloudHttpError, SendcloudRateLimitedError } from '../errors';
import { tryParseJson } from '../json';
import type { AnnounceOutcome } from '../port';
import { parseRetryAfter } from '../retry';
import type { SendcloudRequest, SendcloudResponse } from '../SendcloudHttp';
import { type ErrorObject, JsonApiErrors, LegacyError, MessageError, OAuth2Error } from './schemas';

/**
 * v3 error bodies → the error family. v3 speaks JSON:API (`{"errors":[{status, code, detail,
 * source:{pointer}}]}`); the returns endpoints also answer `{"errors":[{field, code, message}]}` and the
 * v2-style `{"error":{code, message}}`; the token endpoint OAuth2's `{"error", "error_description"}`.
 */
export function errorDetails(body: Uint8Array): SendcloudErrorDetail[] {
  const json = tryParseJson(body);
  if (!json.ok) return [];
  const jsonApi = JsonApiErrors.safeParse(json.value);
  if (jsonApi.success) return jsonApi.data.errors.map(detailOf);
  const legacy = LegacyError.safeParse(json.value);
  if (legacy.success) return [{ code: text(legacy.data.error.code), detail: legacy.data.error.message }];
  const oauth = OAuth2Error.safeParse(json.value);
  if (oauth.success) return [{ code: oauth.data.error, detail: oauth.data.error_description ?? undefined }];
  const message = MessageError.safeParse(json.value);
  return message.success ? [{ detail: message.data.message }] : [];
}

export function detailOf(error: ErrorObject): SendcloudErrorDetail {
  const pointer =
    error.source?.pointer ?? error.source?.parameter ?? (error.field ? `/${error.field}` : null);
  return {
    status: text(error.status),
    code: text(error.code),
    detail: error.detail ?? error.message ?? error.title ?? undefined,
    pointer: pointer ?? undefined,
  };
}

/** `"/to_address/name: This field is required. (required); …"` — what SendCloud said, field by field. */
export function describeErrors(details: readonly SendcloudErrorDetail[]): string {
  const parts = details.map((d) => {
    const what = [d.detail, d.code && d.code !== d.detail ? `(${d.code})` : undefined]
      .filter(Boolean)
      .join(' ');
    return d.pointer ? `${d.pointer}: ${what}` : what;
  });
  return truncate(parts.filter(Boolean).join('; ') || 'no details given');
}

/** What SendCloud said, as one sentence for a caller (`detail`s, or codes); undefined when it said nothing. */
export function messageOf(details: readonly SendcloudErrorDetail[]): string | undefined {
  const said = details.map((d) => d.detail ?? d.code).filter((text): text is string => Boolean(text));
  return said.length > 0 ? truncate(said.join('; ')) : undefined;
}

/**
 * SendCloud does not know the shipping option the request names (any more): the documented JSON:API 400 on
 * `/ship_with/properties/shipping_option_code` saying it does not exist (or is not enabled for the account).
 */
export function namesMissingOption(details: readonly SendcloudErrorDetail[]): boolean {
  return details.some(
    (d) =>
      d.pointer === '/ship_with/properties/shipping_option_code' &&
      /does not exist|not enabled/i.test(d.detail ?? ''),
  );
}

/** The carrier refused (as opposed to SendCloud refusing our data). */
export function isCarrierRefusal(details: readonly SendcloudErrorDetail[]): boolean {
  return details.some(
    (d) => d.code === 'parcel_announcement_error' || /service error|carrier/i.test(d.detail ?? ''),
  );
}

export function v3ErrorFromResponse(request: SendcloudRequest, response: SendcloudResponse): Error {
  const base = { method: request.method, path: request.url.pathname };
  if (response.status === 429)
    return new SendcloudRateLimitedError({
      ...base,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  const errors = errorDetails(response.body);
  return new SendcloudHttpError({
    ...base,
    status: response.status,
    // The message is logged: quoted values (which may echo an address or email) are left out of it.
    sendcloudMessage: errors.length > 0 ? redact(describeErrors(errors)) : undefined,
    errors,
    carrierError: isCarrierRefusal(errors),
  });
}

/**
 * `announceMany` finished, but some announcements failed with an error (not an outcome). Holds the outcomes
 * that were reached, so they are not lost; announcing the failed ones again is safe (reconciled by reference).
 */
export class V3AnnounceManyError extends Error {
  override readonly name = 'V3AnnounceManyError' as const;
  readonly code = 'SENDCLOUD_ANNOUNCE_MANY' as const;
  readonly retryable: boolean;
  readonly outcomes: ReadonlyMap<string, AnnounceOutcome>;
  /** External reference → the error its announcement ended with. */
  readonly failures: ReadonlyMap<string, unknown>;
  constructor(outcomes: ReadonlyMap<string, AnnounceOutcome>, failures: ReadonlyMap<string, unknown>) {
    const first = failures.values().next().value;
    super(
      `${failures.size} of ${failures.size + outcomes.size} announcements failed`,
      first === undefined ? {} : { cause: first },
    );
    this.outcomes = outcomes;
    this.failures = failures;
    this.retryable = [...failures.values()].every(
      (error) =>
        typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === true,
    );
  }
}

/** `Enter a valid value: "jan@example.com"` → `Enter a valid value: "…"`; bare emails too. */
export function redact(message: string): string {
  return message
    .replace(/"[^"]*"|“[^”]*”|(?<=^|[\s:(])'[^']*'(?=$|[\s.,;:)])/g, '"…"')
    .replace(/[^\s@"']+@[^\s@"']+\.[^\s@"']+/g, '…@…');
}

function text(value: string | number | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function truncate(value: string, max = 500): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
