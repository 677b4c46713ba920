import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** The header CloudFront adds to every origin request (infra/constructs/PublicEdge.ts): the edge token. */
export const EDGE_TOKEN_HEADER = 'x-origin-verify';
/** The viewer's `IP:port` as CloudFront saw it, forwarded by the edge's origin request policy. */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/** The parts of a public request that say who sent it. */
export interface ClientRequest {
  /** The TCP peer API Gateway saw (`requestContext.http.sourceIp`): the client itself, or CloudFront. */
  readonly sourceIp: string;
  readonly header: (name: string) => string | undefined;
}

/**
 * The client's address. Without an edge token it is API Gateway's source address: the client itself, which
 * it cannot forge. Behind CloudFront that is an edge server shared by many shoppers, so with `edgeToken`
 * set (the stage puts CloudFront in front) the viewer address CloudFront adds is used, but only on requests
 * that carry CloudFront's token: a caller going around CloudFront straight to the API could write any viewer
 * address, and is counted by its own source address instead. X-Forwarded-For is never read: CloudFront
 * appends to it, so its first entries are whatever the client sent.
 */
export function clientAddress(
  request: ClientRequest,
  options: { readonly edgeToken?: string | undefined } = {},
): string {
  if (!options.edgeToken) return request.sourceIp;
  const token = request.header(EDGE_TOKEN_HEADER);
  if (token === undefined || !sameToken(token, options.edgeToken)) return request.sourceIp;
  return viewerIp(request.header(VIEWER_ADDRESS_HEADER)) ?? request.sourceIp;
}

/** `192.0.2.1:46532`, `2001:db8::1:46532` (CloudFront's unbracketed form) or `[2001:db8::1]:46532`. */
function viewerIp(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(text);
  const ip = bracketed ? bracketed[1] : text.slice(0, text.lastIndexOf(':'));
  return ip && isIP(ip) ? ip : undefined;
}

/** Constant-time comparison of equal-length digests, so the token cannot be guessed byte by byte. */
function sameToken(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
