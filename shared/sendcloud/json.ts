// Apart from SendcloudHttp so error mapping (v3/errors) can read bodies without loading the HTTP client (ky).

/** A response body as JSON, or `ok: false` when it is empty or not JSON. */
export function tryParseJson(body: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  if (body.byteLength === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(body).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
