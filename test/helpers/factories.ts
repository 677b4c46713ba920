import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { OrderRecord } from '../../shared/orders/Order';
import {
  type ParcelDraft,
  SendcloudClient,
  type SendcloudClientOptions,
  unlimited,
} from '../../shared/sendcloud';
import { fixture } from './fixtures';
import type { ScriptedServer } from './scriptedServer';

type Json = Record<string, unknown>;

/** A real parcel as SendCloud returned it (BloomAndWild, 2024), with the fields a test cares about replaced. */
export function parcelJson(overrides: Json = {}): Json {
  const recorded = fixture<{ interactions: Array<{ response: { body: { parcel: Json } } }> }>(
    'BloomAndWild-sendcloud/tracking_request/valid_parcel_id.json',
  );
  return { ...recorded.interactions[0]?.response.body.parcel, ...overrides };
}

export function parcelDraft(overrides: Partial<ParcelDraft> = {}): ParcelDraft {
  return {
    externalReference: 'webshop:WEB-10001:1',
    orderNumber: 'WEB-10001',
    recipient: {
      name: 'Jan de Vries',
      street: 'Damrak',
      houseNumber: '1',
      postalCode: '1012AB',
      city: 'Amsterdam',
      country: 'NL',
      email: 'jan@example.invalid',
      phone: '+31612345678',
    },
    weightGrams: 1200,
    dimensionsCm: { length: 30, width: 20, height: 10 },
    shippingMethodId: 8,
    ...overrides,
  };
}

export const TEST_CREDENTIALS = {
  publicKey: 'pk_test_public',
  secretKey: 'sk_test_secret_never_logged',
} as const;

/** A client on the scripted server that records its backoff sleeps instead of sleeping. */
export function clientFor(server: ScriptedServer, overrides: Partial<SendcloudClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new SendcloudClient({
    credentials: TEST_CREDENTIALS,
    baseUrl: `${server.url}/api/v2`,
    servicePointsBaseUrl: `${server.url}/sp/api/v2`,
    timeoutMs: 300,
    rateLimiter: unlimited,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { client, sleeps };
}

/** A one-page PDF, so label tests move real PDF bytes. */
export async function tinyPdf(text = 'label'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([297.64, 419.53]);
  page.drawText(text, { x: 20, y: 380, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/**
 * An order record as the store holds it: a Dutch standard parcel of 1 kg and €10, accepted at `at`
 * (default a fixed time — never the wall clock), with whatever the test cares about overridden.
 */
export function orderRecord(
  overrides: Partial<OrderRecord> & Pick<OrderRecord, 'orderId'>,
  at = '2030-01-01T00:00:00.000Z',
): OrderRecord {
  return {
    channel: 'webshop',
    account: 'default',
    status: 'accepted',
    bodyHash: 'h',
    spec: {
      toCountry: 'NL',
      weightGrams: 1000,
      serviceLevel: 'standard',
      orderValue: { amount: '10.00', currency: 'EUR' },
      delivery: { type: 'home' },
    },
    attempt: 0,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}
