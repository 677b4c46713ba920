import { describe, expect, it } from 'vitest';
import { pythonJsonDumps, signSendcloudPayload, verifySendcloudSignature } from '../../../shared/sendcloud';
import { fixture } from '../../helpers/fixtures';

interface Vector {
  test: string;
  headers: Record<string, string>;
  secret_key_used_by_test: string;
  body_raw: string;
  body: unknown;
}
const { vectors } = fixture<{ vectors: Vector[] }>('OCA-delivery-carrier/webhook_signature_vectors.json');

describe('verifySendcloudSignature', () => {
  it.each(vectors.map((v) => [v.test, v] as const))(
    'verifies the recorded vector %s over the raw bytes',
    (_, vector) => {
      const result = verifySendcloudSignature({
        rawBody: Buffer.from(vector.body_raw, 'utf8'),
        signature: vector.headers['Sendcloud-Signature'],
        secrets: [vector.secret_key_used_by_test],
      });
      expect(result).toEqual({ valid: true, secretIndex: 0 });
    },
  );

  it('verifies the documentation vector (REFERENCE.md §6.2)', () => {
    const result = verifySendcloudSignature({
      rawBody: '{"key": "value"}',
      signature: '1eed4b3d41f4653ac64fd56f1bf1cbfd349e4482cbc11dff7134bd93e5da4b0a',
      secrets: ['secretkey'],
    });
    expect(result.valid).toBe(true);
  });

  it('rejects the same payload re-serialised compactly: only the raw bytes count', () => {
    const result = verifySendcloudSignature({
      rawBody: '{"key":"value"}',
      signature: '1eed4b3d41f4653ac64fd56f1bf1cbfd349e4482cbc11dff7134bd93e5da4b0a',
      secrets: ['secretkey'],
    });
    expect(result).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('accepts the previous secret during a rotation and says which one matched', () => {
    const body = '{"action": "test_webhook", "timestamp": 1}';
    const signature = signSendcloudPayload(body, 'old-secret');
    expect(
      verifySendcloudSignature({ rawBody: body, signature, secrets: ['new-secret', 'old-secret'] }),
    ).toEqual({
      valid: true,
      secretIndex: 1,
    });
    expect(verifySendcloudSignature({ rawBody: body, signature, secrets: ['new-secret'] }).valid).toBe(false);
  });

  it('tells missing, malformed and unconfigured apart', () => {
    const body = '{}';
    expect(verifySendcloudSignature({ rawBody: body, signature: undefined, secrets: ['s'] })).toEqual({
      valid: false,
      reason: 'missing',
    });
    expect(verifySendcloudSignature({ rawBody: body, signature: 'abc', secrets: ['s'] })).toEqual({
      valid: false,
      reason: 'malformed',
    });
    expect(verifySendcloudSignature({ rawBody: body, signature: 'z'.repeat(64), secrets: ['s'] })).toEqual({
      valid: false,
      reason: 'malformed',
    });
    expect(
      verifySendcloudSignature({ rawBody: body, signature: signSendcloudPayload(body, 's'), secrets: [] }),
    ).toEqual({
      valid: false,
      reason: 'no-secret',
    });
  });

  it('accepts an upper-case hex header and a body with one flipped byte fails', () => {
    const body = Buffer.from('{"action": "parcel_status_changed", "timestamp": 1712163088943}');
    const signature = signSendcloudPayload(body, 'k').toUpperCase();
    expect(verifySendcloudSignature({ rawBody: body, signature, secrets: ['k'] }).valid).toBe(true);
    const tampered = Buffer.from(body);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(verifySendcloudSignature({ rawBody: tampered, signature, secrets: ['k'] }).valid).toBe(false);
  });
});

describe('pythonJsonDumps', () => {
  it.each(vectors.map((v) => [v.test, v] as const))(
    'reproduces the bytes SendCloud signed for %s',
    (_, vector) => {
      expect(pythonJsonDumps(vector.body)).toBe(vector.body_raw);
    },
  );

  it('escapes non-ASCII like Python ensure_ascii', () => {
    expect(pythonJsonDumps({ city: "'s-Hertogenbosch", name: 'Zoë 😀' })).toBe(
      '{"city": "\'s-Hertogenbosch", "name": "Zo\\u00eb \\ud83d\\ude00"}',
    );
    expect(JSON.parse(pythonJsonDumps({ name: 'Zoë 😀' }))).toEqual({ name: 'Zoë 😀' });
  });
});
