import { unlimited } from '../../../../shared/sendcloud';
import type { ShipmentDraft } from '../../../../shared/sendcloud/port';
import { V3Port, type V3PortOptions } from '../../../../shared/sendcloud/v3';
import { TEST_CREDENTIALS } from '../../../helpers/factories';
import type { ScriptedServer } from '../../../helpers/scriptedServer';

type Json = Record<string, unknown>;

/** A fixed instant (never the wall clock): 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1);

/** A port on the scripted server with a settable clock; backoff sleeps are recorded, not slept. */
export function portFor(server: ScriptedServer, overrides: Partial<V3PortOptions> = {}) {
  const sleeps: number[] = [];
  const clock = { now: T0 };
  const port = new V3Port({
    credentials: TEST_CREDENTIALS,
    baseUrl: `${server.url}/api/v3`,
    servicePointsBaseUrl: `${server.url}/sp/api/v2`,
    timeoutMs: 300,
    rateLimiter: unlimited,
    random: () => 0.5,
    clock: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { port, sleeps, clock };
}

export function homeDraft(overrides: Partial<ShipmentDraft> = {}): ShipmentDraft {
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
    method: 'postnl:standard@517',
    orderValue: { amount: '25.00', currency: 'EUR' },
    ...overrides,
  };
}

export function internationalDraft(overrides: Partial<ShipmentDraft> = {}): ShipmentDraft {
  return homeDraft({
    externalReference: 'amazon:402-1:1',
    recipient: {
      name: 'Ann Lee',
      company: 'Lee Ltd',
      street: 'West 43rd St',
      houseNumber: '123',
      addressLine2: 'Unit 2',
      postalCode: '10036',
      city: 'New York',
      country: 'US',
      state: 'NY',
      email: 'ann@example.invalid',
      phone: '+12129976661',
    },
    method: 'dhl_express:worldwide/incoterm=dap@4195',
    items: [
      {
        description: 'Mug',
        quantity: 2,
        unitPrice: '12.50',
        hsCode: '691200',
        originCountry: 'NL',
        sku: 'MUG-1',
        weightGrams: 500,
      },
    ],
    customs: { invoiceNumber: 'INV-1', shipmentType: 'commercial_goods', exportType: 'commercial_b2c' },
    ...overrides,
  });
}

export function returnDraft(overrides: Partial<ShipmentDraft> = {}): ShipmentDraft {
  return homeDraft({
    externalReference: 'return:WEB-10001:1',
    isReturn: true,
    method: 'postnl:standard/return',
    from: {
      name: 'Jan de Vries',
      street: 'Damrak',
      houseNumber: '1',
      postalCode: '1012 AB',
      city: 'Amsterdam',
      country: 'NL',
    },
    recipient: {
      name: 'Returns desk',
      company: 'Webshop BV',
      street: 'Stadhuisplein',
      houseNumber: '10',
      postalCode: '5611EM',
      city: 'Eindhoven',
      country: 'NL',
    },
    ...overrides,
  });
}

const ADDRESS = {
  name: 'Marie Doe',
  company_name: 'Sendcloud',
  address_line_1: 'Stadhuisplein',
  house_number: '10',
  postal_code: '5611 EM',
  city: 'Eindhoven',
  country_code: 'NL',
};

export interface ParcelSpec {
  readonly id: number;
  readonly code?: string;
  readonly message?: string;
  readonly updatedAt?: string;
}

/** A v3 shipment as the shipments document shapes it (valid against its 201 and list schemas). */
export function shipmentJson(
  options: {
    readonly id?: string;
    readonly ref?: string | null;
    readonly parcels?: readonly ParcelSpec[];
    readonly errors?: readonly Json[];
  } = {},
): Json {
  const parcels = options.parcels ?? [{ id: 383707309 }];
  return {
    id: options.id ?? 'a1b2c3d4-shipment',
    external_reference_id: options.ref === undefined ? 'webshop:WEB-10001:1' : options.ref,
    order_number: 'WEB-10001',
    label_details: { mime_type: 'application/pdf', dpi: 72 },
    from_address: ADDRESS,
    to_address: { ...ADDRESS, name: 'Jan de Vries', postal_code: '1012 AB', city: 'Amsterdam' },
    ship_with: {
      type: 'shipping_option_code',
      properties: { shipping_option_code: 'postnl:standard', contract_id: 517 },
    },
    parcels: parcels.map((parcel) => ({
      id: parcel.id,
      status: { code: parcel.code ?? 'READY_TO_SEND', message: parcel.message ?? 'Ready to send' },
      documents: [
        {
          type: 'label',
          size: 'a6',
          link: `https://panel.sendcloud.sc/api/v3/parcels/${parcel.id}/documents/label`,
        },
      ],
      weight: { value: '1.200', unit: 'kg' },
      tracking_number: `3SYZXG${parcel.id}`,
      tracking_url: `https://tracking.example.invalid/${parcel.id}`,
      created_at: '2029-12-31T23:59:58.000000Z',
      updated_at: parcel.updatedAt ?? '2030-01-01T00:00:00.500000Z',
      announced_at: '2030-01-01T00:00:00.400000Z',
    })),
    carrier: { code: 'postnl', name: 'PostNL' },
    errors: options.errors ?? [],
  };
}

/** A v3 return as the returns document shapes it, plus the `id` real answers are assumed to carry. */
export function returnJson(overrides: Json = {}): Json {
  return {
    id: 12345,
    created_at: '2030-01-01T00:00:01+00:00',
    from_address: { ...ADDRESS, name: 'Jan de Vries', postal_code: '1012 AB', city: 'Amsterdam' },
    to_address: ADDRESS,
    shipping_product: { code: 'postnl:standard/return' },
    shipping_option: { code: 'postnl:standard/return' },
    weight: { value: 1200, unit: 'g' },
    send_tracking_emails: false,
    is_cancellable: true,
    order_number: 'WEB-10001',
    tracking_number: 'JVGL1234567800001339',
    tracking_url: 'https://tracking.example.invalid/JVGL1234567800001339',
    label: {
      label_printer: 'https://panel.sendcloud.sc/api/v3/parcels/67880/documents/label',
      normal_printer: ['https://panel.sendcloud.sc/api/v3/parcels/67880/documents/label?paper_size=a4'],
    },
    label_cost: { value: 6.15, currency: 'EUR' },
    delivered_at: null,
    delivered_at_iso: null,
    status_history: [
      {
        carrier_update_timestamp: '2030-01-01T00:00:01+00:00',
        parcel_status_history_id: '1',
        parent_status: 'ready-to-send',
        carrier_code: 'postnl',
        carrier_message: 'Label created',
      },
    ],
    ...overrides,
  };
}

export const SENDER_ADDRESSES = {
  data: [
    {
      id: 1,
      name: 'John Doe',
      company_name: 'Sendcloud',
      address_line_1: 'Stadhuisplein',
      house_number: '10',
      address_line_2: '',
      postal_code: '5611 EM',
      city: 'Eindhoven',
      country_code: 'NL',
      state_province_code: 'null',
      email: 'johndoe@example.invalid',
      phone_number: '+31626262626',
    },
  ],
};
