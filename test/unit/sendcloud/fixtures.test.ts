import { describe, expect, it } from 'vitest';
import { KnownWebhook, Parcel, parseSendcloudDate } from '../../../shared/sendcloud';
import { allJsonFiles, fixture, recordedResponses } from '../../helpers/fixtures';
import { schemaFor } from '../../helpers/sendcloudContract';

const all = recordedResponses();
const responses = all.filter((r) => r.hasJsonBody);

describe('recorded SendCloud responses', () => {
  it('covers every JSON fixture file', () => {
    // Prepare
    const files = new Set(all.map((r) => r.file));
    // Assess: every file but the signature vectors (tested in signature.test.ts) yields responses
    const missing = allJsonFiles().filter(
      (file) => !files.has(file) && !file.endsWith('webhook_signature_vectors.json'),
    );
    expect(missing).toEqual([]);
    expect(responses.length).toBeGreaterThan(70);
  });

  it.each(responses.map((r) => [`${r.file} ${r.method} ${r.path} → ${r.status}`, r] as const))(
    '%s parses',
    (_, recorded) => {
      const schema = schemaFor(recorded.method, recorded.path, recorded.status);
      expect(schema, `no schema for ${recorded.method} ${recorded.path} ${recorded.status}`).toBeDefined();
      const result = schema?.safeParse(recorded.body);
      expect(result?.error?.issues ?? []).toEqual([]);
    },
  );

  it('reads real parcel dates as UTC and keeps kilogram strings', () => {
    const body = fixture<{ interactions: Array<{ response: { body: { parcel: unknown } } }> }>(
      'BloomAndWild-sendcloud/tracking_request/valid_parcel_id.json',
    );
    const parcel = Parcel.parse(body.interactions[0]?.response.body.parcel);
    expect(parcel.weight).toBe('1.000');
    expect(parcel.status).toMatchObject({ id: 1000, message: 'Ready to send' });
    expect(parseSendcloudDate(parcel.date_created).toISOString()).toBe('2024-01-23T09:49:03.000Z');
  });

  it('parses every recorded webhook payload', () => {
    const { vectors } = fixture<{ vectors: Array<{ body: unknown }> }>(
      'OCA-delivery-carrier/webhook_signature_vectors.json',
    );
    for (const vector of vectors) expect(KnownWebhook.safeParse(vector.body).error?.issues ?? []).toEqual([]);
  });
});
