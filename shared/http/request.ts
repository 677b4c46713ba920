import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './errors';

/** The request body as API Gateway delivered it (base64 or not), parsed as JSON. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = rawBody(event).toString('utf8');
  if (raw.trim() === '')
    throw new HttpError(400, 'EMPTY_BODY', 'The request has no body; send the order as JSON.');
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'The body is not valid JSON.');
  }
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
