import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  COMPONENT_MODULE,
  componentModule,
  eventDocuments,
  openApiDocument,
  render,
} from '../../../docs/generate';
import { EVENT_SCHEMAS } from '../../../shared/events';

const docs = join(import.meta.dirname, '../../../docs');
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

describe('published contracts', () => {
  it('docs/openapi.json and docs/events/*.schema.json are what the code generates (run `npm run docs`)', () => {
    expect(readFileSync(join(docs, 'openapi.json'), 'utf8')).toBe(render(openApiDocument()));
    for (const [file, document] of Object.entries(eventDocuments())) {
      expect(readFileSync(join(docs, 'events', file), 'utf8'), file).toBe(render(document));
    }
    expect(Object.keys(eventDocuments())).toHaveLength(Object.keys(EVENT_SCHEMAS).length);
    expect(readFileSync(COMPONENT_MODULE, 'utf8')).toBe(componentModule());
  });

  it('the README example order validates against the published request schema', () => {
    const document = openApiDocument() as {
      paths: Record<
        string,
        { post: { requestBody: { content: { 'application/json': { schema: object } } } } }
      >;
    };
    const validate = ajv.compile(
      document.paths['/orders']?.post.requestBody.content['application/json'].schema ?? {},
    );
    expect(validate(JSON.parse(readFileSync(join(docs, 'examples/order.json'), 'utf8')))).toBe(true);
    expect(validate({ orderId: 'x' })).toBe(false);
  });

  it('an event the service publishes validates against its published JSON Schema, and a PII field would not be declared', () => {
    const documents = eventDocuments();
    const announced = ajv.compile(documents['parcel-announced.schema.json'] ?? {});
    const event = {
      source: 'sendcloud-bridge',
      'detail-type': 'Parcel Announced',
      detail: {
        orderId: 'WEB-10001',
        channel: 'webshop',
        account: 'default',
        parcelId: 400000001,
        carrier: 'postnl',
        shippingMethodId: 1010,
        shippingMethod: '1010',
        shippingMethodName: 'PostNL Standard 0-23kg',
        trackingNumber: '3SCLDB325446337',
        trackingUrl: 'https://tracking.example/3SCLDB325446337',
        collo: { number: 1, count: 1 },
        parcels: [
          {
            parcelId: 400000001,
            trackingNumber: '3SCLDB325446337',
            trackingUrl: 'https://tracking.example/3SCLDB325446337',
            collo: { number: 1, count: 1 },
          },
        ],
        routingRule: 'domestic NL',
        fallbackUsed: false,
        announcedAt: '2026-11-25T10:00:00.000Z',
      },
    };
    expect(announced(event)).toBe(true);
    expect(announced({ ...event, 'detail-type': 'Label Stored' })).toBe(false);
    const allProperties = JSON.stringify(
      Object.values(documents).map(
        (d) => (d as { properties: { detail: { properties: object } } }).properties.detail.properties,
      ),
    );
    expect(allProperties).not.toMatch(/"(name|email|phone|street|postalCode|telephone)"/);
  });
});
