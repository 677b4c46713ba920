import type * as z from '../../validation/zod';
import { type ContractIssue, SendcloudContractError } from '../errors';
import type { RetryPolicy } from '../retry';
import {
  parseBody,
  type SendcloudHttp,
  type SendcloudRequest,
  type SendcloudResponse,
} from '../SendcloudHttp';
import { v3ErrorFromResponse } from './errors';

/**
 * `SendcloudHttp` (rate limits, timeouts, retries, `onAttempt`) with v3's error bodies and media checks.
 * Non-2xx answers become the error family through `v3ErrorFromResponse`; 2xx bodies are zod-checked.
 */
export class V3Http {
  readonly #http: SendcloudHttp;

  constructor(http: SendcloudHttp) {
    this.#http = http;
  }

  get retryPolicy(): RetryPolicy {
    return this.#http.retryPolicy;
  }

  send(request: SendcloudRequest): Promise<SendcloudResponse> {
    return this.#http.send({ ...request, accept: request.accept ?? 'application/json' });
  }

  async json<S extends z.ZodType>(request: SendcloudRequest, schema: S): Promise<z.infer<S>> {
    const response = await this.send(request);
    if (!isOk(response)) throw v3ErrorFromResponse(request, response);
    return parseBody(request, response, schema);
  }

  /** The body as bytes, checked to be of the media type asked for (PDF `%PDF-`, ZPL `^XA`, PNG). */
  async bytes(request: SendcloudRequest & { readonly accept: string }): Promise<Uint8Array> {
    const response = await this.send(request);
    if (!isOk(response)) throw v3ErrorFromResponse(request, response);
    const issues = mediaIssues(request.accept, response);
    if (issues.length > 0)
      throw new SendcloudContractError({
        method: request.method,
        path: request.url.pathname,
        status: response.status,
        issues,
      });
    return response.body;
  }
}

export const isOk = (response: SendcloudResponse): boolean =>
  response.status >= 200 && response.status <= 299;

function mediaIssues(accept: string, response: SendcloudResponse): ContractIssue[] {
  const expected = accept.split(';')[0]?.trim() ?? '';
  const contentType = response.headers.get('content-type') ?? '';
  const head = Buffer.from(response.body.subarray(0, 1024)).toString('latin1');
  const issues: ContractIssue[] = [];
  if (!contentType.startsWith(expected))
    issues.push({ path: 'content-type', message: `expected ${expected}, got ${contentType}` });
  if (expected === 'application/pdf' && !head.startsWith('%PDF-'))
    issues.push({ path: '(body)', message: 'not a PDF' });
  if (expected === 'application/zpl' && !head.includes('^XA'))
    issues.push({ path: '(body)', message: 'not ZPL (no ^XA)' });
  if (expected === 'image/png' && !head.startsWith('\x89PNG'))
    issues.push({ path: '(body)', message: 'not a PNG' });
  return issues;
}

/** The `rel="next"` target of an RFC 8288 `Link` header (v3 list pagination). */
export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]+)>(.*)$/.exec(part);
    if (match?.[1] && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}
