import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './errors';

const BOM = '\uFEFF';

/**
 * The request body as API Gateway delivered it (base64 or not), parsed as JSON. Only `application/json`
 * (UTF-8) is read: a browser can send text/plain or a form to another origin without asking first, never
 * JSON, so this also closes cross-site order creation for every function that reads a body.
 */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  requireJsonContentType(header(event, 'content-type'));
  let raw = rawBody(event).toString('utf8');
  // Some Windows tools write a byte-order mark before the JSON; it is not part of the value.
  if (raw.startsWith(BOM)) raw = raw.slice(BOM.length);
  if (raw.trim() === '')
    throw new HttpError(400, 'EMPTY_BODY', 'The request has no body; send the order as JSON.');
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The body is not valid JSON.');
  }
}

/** `application/json`, optionally with `charset=utf-8`; anything else is a 415 saying what to send. */
export function requireJsonContentType(contentType: string | undefined): void {
  const [type = '', ...parameters] = (contentType ?? '').split(';');
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1];
  const utf8 = charset === undefined || /^"?utf-?8"?$/i.test(charset.trim());
  if (type.trim().toLowerCase() === 'application/json' && utf8) return;
  const got = contentType ? `Content-Type ${JSON.stringify(contentType.slice(0, 80))}` : 'no Content-Type';
  throw new HttpError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `The body must be JSON sent with "Content-Type: application/json" (UTF-8); this request has ${got}.`,
  );
}

export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** CORS for the public checkout routes: the caller's origin when it is one of the shops (or `*` allows all). */
export function corsHeaders(
  event: APIGatewayProxyEventV2,
  allowed: readonly string[],
): Record<string, string> {
  const origin = header(event, 'origin');
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
  return {};
}

/** Query parameters as API Gateway delivered them (comma-joined repeats), never undefined. */
export const queryOf = (event: APIGatewayProxyEventV2): Record<string, string> =>
  Object.fromEntries(
    Object.entries(event.queryStringParameters ?? {}).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
