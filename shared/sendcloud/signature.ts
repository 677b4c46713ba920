import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * SendCloud signs webhook deliveries with `Sendcloud-Signature`: lowercase hex HMAC-SHA256 of the raw
 * request body keyed with the integration's secret. Verify against the bytes as received, before parsing.
 */
export const SENDCLOUD_SIGNATURE_HEADER = 'sendcloud-signature';

export type SignatureVerification =
  | { readonly valid: true /** 0 = current secret, 1 = previous (rotation) */; readonly secretIndex: number }
  | { readonly valid: false; readonly reason: 'missing' | 'malformed' | 'mismatch' | 'no-secret' };

export interface VerifySignatureInput {
  readonly rawBody: Uint8Array | string;
  readonly signature: string | undefined | null;
  /** Current secret first, then the previous one while a rotation is in progress. */
  readonly secrets: readonly string[];
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

export function verifySendcloudSignature(input: VerifySignatureInput): SignatureVerification {
  const secrets = input.secrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0) return { valid: false, reason: 'no-secret' };
  const header = input.signature?.trim();
  if (!header) return { valid: false, reason: 'missing' };
  if (!HEX_SHA256.test(header)) return { valid: false, reason: 'malformed' };
  const received = Buffer.from(header, 'hex');
  // Compare against every secret (no early exit) so timing does not reveal which one matched.
  let matched = -1;
  secrets.forEach((secret, index) => {
    const expected = createHmac('sha256', secret).update(toBuffer(input.rawBody)).digest();
    if (timingSafeEqual(expected, received) && matched === -1) matched = index;
  });
  return matched === -1 ? { valid: false, reason: 'mismatch' } : { valid: true, secretIndex: matched };
}

/** The signer SendCloud uses; the simulator and tests sign real deliveries with it. */
export function signSendcloudPayload(rawBody: Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(toBuffer(rawBody)).digest('hex');
}

function toBuffer(body: Uint8Array | string): Buffer {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
