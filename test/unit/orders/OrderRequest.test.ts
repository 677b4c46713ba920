import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHttpResponse } from '../../../shared/http/errors';
import { ISO_COUNTRIES } from '../../../shared/orders/countries';
import { customsProblems } from '../../../shared/orders/customsChecks';
import { fieldProblems, OrderRequest, textProblem } from '../../../shared/orders/OrderRequest';
import { ReturnRequest } from '../../../shared/returns/ReturnRequest';

/** The order schema's hygiene: what goes on a label is printable and bounded, numbers are in range. */
const example = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../docs/examples/order.json'), 'utf8'),
) as Record<string, unknown> & { recipient: Record<string, unknown>; parcel: Record<string, unknown> };

const recipient = (fields: Record<string, unknown>) => ({
  ...example,
  recipient: { ...example.recipient, ...fields },
});
const parcel = (fields: Record<string, unknown>) => ({
  ...example,
  parcel: { ...example.parcel, ...fields },
});

/** Path → message of every problem (the schema's, then the customs rules from `from`), or {} when valid. */
function problemsOf(input: unknown, from = 'NL'): Record<string, string> {
  const parsed = OrderRequest.safeParse(input);
  return parsed.success
    ? Object.fromEntries(customsProblems(parsed.data, from).map((p) => [p.path, p.message]))
    : Object.fromEntries(fieldProblems(parsed.error).map((p) => [p.path, p.message]));
}

describe('text on labels', () => {
  it('takes the README example, accents, non-Latin scripts and emoji joined with ZWJ', () => {
    // Prepare
    const names = ['Sanne Jansen', 'Zoë Ñúñez-Ørsted', 'Анна Петрова', '山田 太郎', 'محمد', 'Family 👨‍👩‍👧'];

    // Act
    const results = names.map((name) => problemsOf(recipient({ name })));

    // Assess
    expect(results).toEqual(names.map(() => ({})));
  });

  it.each([
    ['NUL', 'Sanne\u0000Jansen', /U\+0000 at position 6/],
    ['a tab', 'Sanne\tJansen', /U\+0009/],
    ['a line break', 'Sanne\nJansen', /U\+000A/],
    ['ESC (terminal colours)', '\u001B[31mSanne', /U\+001B at position 1/],
    ['DEL', 'Sanne\u007F', /U\+007F/],
    ['a C1 control (NEL)', 'Sanne\u0085', /U\+0085/],
    ['half a surrogate pair', 'Sanne\uD800', /half of a surrogate pair/],
  ])('refuses %s in a one-line field, saying where', (_, name, message) => {
    expect(problemsOf(recipient({ name }))['recipient.name']).toMatch(message);
  });

  it.each([
    ['zero-width space', '\u200B'],
    ['a BOM', '\uFEFF\u200B'],
    ['bidi marks', '\u200E\u200F\u202E'],
    ['word joiner and soft hyphen', '\u2060\u00AD'],
    ['Hangul filler', '\u3164'],
  ])('refuses a value of only %s as empty', (_, city) => {
    expect(problemsOf(recipient({ city }))['recipient.city']).toMatch(/only invisible characters/);
  });

  it('refuses whitespace-only required text as empty, and invisible-only optional text too', () => {
    expect(problemsOf(recipient({ street: ' \u00A0\u2007\u202F\u3000 ' }))['recipient.street']).toBe(
      'must not be empty',
    );
    expect(problemsOf(recipient({ company: '\u200B' }))['recipient.company']).toMatch(/only invisible/);
    expect(problemsOf(recipient({ company: '' }))).toEqual({});
  });

  it('bounds every text field by SendCloud’s limits', () => {
    const long = (n: number) => 'a'.repeat(n);
    expect(
      problemsOf(
        recipient({
          name: long(76),
          company: long(51),
          street: long(76),
          houseNumber: long(21),
          postalCode: long(13),
          city: long(31),
          state: long(15),
          email: `${long(320)}@example.invalid`,
        }),
      ),
    ).toEqual({
      'recipient.name': 'at most 75 characters',
      'recipient.company': 'at most 50 characters',
      'recipient.street': 'at most 75 characters',
      'recipient.houseNumber': 'at most 20 characters',
      'recipient.postalCode': 'at most 12 characters',
      'recipient.city': 'at most 30 characters',
      'recipient.state': 'at most 14 characters',
      'recipient.email': expect.any(String),
    });
    expect(Object.keys(problemsOf({ ...example, orderId: long(51), channel: long(31) }))).toEqual([
      'orderId',
      'channel',
    ]);
    expect(Object.keys(problemsOf({ ...example, packingStation: '\u200B' }))).toEqual(['packingStation']);
  });

  it('lets a multi-line field keep its tabs and line breaks, and nothing else', () => {
    expect(textProblem('line one\r\n\tline two', { multiline: true })).toBeUndefined();
    expect(textProblem('line one\u0000', { multiline: true })).toMatch(/U\+0000/);
    expect(textProblem('line one\ttwo')).toMatch(/U\+0009/);
  });
});

describe('problems', () => {
  it('say "required" for a missing field, and what was wrong for a wrong type', () => {
    const { name: _name, ...nameless } = example.recipient;
    expect(problemsOf({ ...example, recipient: nameless })['recipient.name']).toBe('required');
    expect(problemsOf(recipient({ name: 42 }))['recipient.name']).toMatch(
      /^expected a string, received a number$/,
    );
  });
});

describe('input that is never silently misread', () => {
  it('the HTTP answer to an order body it did not parse itself suggests the same field', async () => {
    const parsed = OrderRequest.safeParse({ ...example, shippingMethodID: 1030 });
    if (parsed.success) throw new Error('a misspelt field must be refused');
    const answer = toHttpResponse(parsed.error, 'req-1');
    const body = JSON.parse(typeof answer === 'object' ? String(answer.body) : '{}') as {
      errors: Array<{ path: string; message: string }>;
    };
    expect(body.errors).toContainEqual({
      path: 'shippingMethodID',
      message: expect.stringMatching(/did you mean "shippingMethodId"/),
    });
  });

  it('refuses an unknown field by name, with the known field it most likely meant', () => {
    const problems = problemsOf({
      ...example,
      shippingMethodID: 1030,
      dispach: 'end_of_day',
      recipient: { ...example.recipient, postcode: '1012AB' },
      colour: 'red',
    });
    expect(problems).toEqual({
      shippingMethodID: expect.stringMatching(/^unknown field: did you mean "shippingMethodId"\?/),
      dispach: expect.stringMatching(/^unknown field: did you mean "dispatch"\?/),
      'recipient.postcode': expect.stringMatching(/^unknown field/),
      colour: expect.stringMatching(/^unknown field: remove it/),
    });
    // a dropped field would have shipped PostNL 1010 and labelled at once
    expect(OrderRequest.safeParse({ ...example, shippingMethodID: 1030 }).success).toBe(false);
  });

  it('takes ISO 3166-1 countries only, and says which code to use for common mistakes', () => {
    expect(problemsOf(recipient({ country: 'UK' }))['recipient.country']).toBe(
      '"UK" is not an ISO 3166-1 alpha-2 country code; use "GB"',
    );
    expect(problemsOf(recipient({ country: 'EL' }))['recipient.country']).toMatch(/use "GR"/);
    expect(problemsOf(recipient({ country: 'XX' }))['recipient.country']).toMatch(/not an ISO 3166-1/);
    expect(problemsOf(recipient({ country: 'EU' }))['recipient.country']).toMatch(/not an ISO 3166-1/);
    expect(problemsOf(recipient({ country: 'be' }))).toEqual({});
    expect(ISO_COUNTRIES.size).toBe(249);
  });

  it('says what type was expected and what came', () => {
    expect(problemsOf(parcel({ weightGrams: '1200' }))['parcel.weightGrams']).toBe(
      'expected a number, received a string',
    );
  });
});

describe('numbers in range', () => {
  it('refuses dimensions under 0.1 cm (1e-200 used to reach DynamoDB) and over 10 m', () => {
    expect(problemsOf(parcel({ lengthCm: 1e-200 }))['parcel.lengthCm']).toBe('at least 0.1 cm');
    expect(problemsOf(parcel({ widthCm: 0 }))['parcel.widthCm']).toBe('at least 0.1 cm');
    expect(problemsOf(parcel({ heightCm: 1_000.5 }))['parcel.heightCm']).toBe('at most 1,000 cm');
    expect(problemsOf(parcel({ lengthCm: 0.1, widthCm: 0.1, heightCm: 0.1 }))).toEqual({});
  });

  it('takes whole grams from 1 g, item quantities up to 10,000, and amounts with at most two decimals', () => {
    expect(problemsOf(parcel({ weightGrams: 0.5 }))['parcel.weightGrams']).toBe('whole grams');
    expect(problemsOf(parcel({ weightGrams: 0 }))['parcel.weightGrams']).toBe('at least 1 gram');
    const item = (fields: Record<string, unknown>) => ({
      ...example,
      items: [{ description: 'Mug', quantity: 1, unitPrice: '1.00', weightGrams: 1, ...fields }],
    });
    expect(problemsOf(item({ quantity: 10_001 }))['items.0.quantity']).toBe('at most 10,000');
    expect(problemsOf(item({ weightGrams: 1e-200 }))['items.0.weightGrams']).toBeDefined();
    expect(problemsOf(item({ unitPrice: '1.005' }))['items.0.unitPrice']).toMatch(/decimal amount/);
    expect(
      problemsOf({ ...example, orderValue: { amount: '-1', currency: 'EUR' } })['orderValue.amount'],
    ).toMatch(/decimal amount/);
  });
});

describe('return requests', () => {
  it('hold to the same rules, and keep the customer’s multi-line message', () => {
    // Prepare
    const request = (item: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      orderId: 'WEB-10001',
      channel: 'webshop',
      items: [{ description: 'Mug', quantity: 1, reason: 'damaged', ...item }],
      ...extra,
    });

    // Act
    const kept = ReturnRequest.safeParse(request({ message: 'Broken handle.\nSecond line.' }));
    const refused = ReturnRequest.safeParse(
      request({ description: '\u200B', sku: 'A\u0000' }, { channel: 'x'.repeat(31) }),
    );

    // Assess
    expect(kept.success).toBe(true);
    expect(refused.success ? [] : fieldProblems(refused.error).map((p) => p.path)).toEqual([
      'channel',
      'items.0.description',
      'items.0.sku',
    ]);
  });
});

describe('several parcels', () => {
  const { parcel: _one, ...withoutParcel } = example;
  const boxes = (parcels: unknown) => ({ ...withoutParcel, parcels });

  it('takes 1 to 20 boxes as parcels, each checked like the one parcel', () => {
    expect(problemsOf(boxes([{ weightGrams: 1200 }, { weightGrams: 800 }]))).toEqual({});
    expect(problemsOf(boxes([]))['parcels']).toBe('at least one parcel');
    const many = Array.from({ length: 21 }, () => ({ weightGrams: 100 }));
    expect(problemsOf(boxes(many))['parcels']).toMatch(/at most 20 parcels/);
    expect(problemsOf(boxes([{ weightGrams: 100 }, { weightGrams: 0 }]))['parcels.1.weightGrams']).toBe(
      'at least 1 gram',
    );
    expect(
      problemsOf(boxes([{ weightGrams: 100 }, { weightGrams: 100, lengthCm: 10 }]))['parcels.1'],
    ).toMatch(/lengthCm, widthCm and heightCm together/);
  });

  it('wants exactly one of parcel and parcels, and says how to send each', () => {
    expect(problemsOf(withoutParcel)['parcel']).toMatch(/required: the box as \{weightGrams/);
    expect(problemsOf({ ...example, parcels: [{ weightGrams: 100 }] })['parcels']).toMatch(
      /either parcel \(one box\) or parcels \(several boxes\), not both/,
    );
  });
});

describe('customs', () => {
  const to = (country: string, postalCode: string, extra: Record<string, unknown> = {}) => ({
    ...recipient({ country, postalCode, city: 'Las Palmas', ...(country === 'US' ? { state: 'NY' } : {}) }),
    ...extra,
  });
  const mug = { description: 'Mug', quantity: 1, unitPrice: '12.50', weightGrams: 400 };

  it('asks the items of a Canary Islands order (ES, but outside the customs territory), naming the territory', () => {
    expect(problemsOf(to('ES', '28001', { items: [] }))).toEqual({});
    expect(problemsOf(to('ES', '35001', { items: [] }))['items']).toBe(
      'customs need the items for the Canary Islands (ES 35001), outside the EU customs territory',
    );
    expect(problemsOf(to('ES', '35001', { items: [mug] }))['items.0.hsCode']).toMatch(/the Canary Islands/);
  });

  it('takes a customs block with tax numbers and an importer of record, checked field by field', () => {
    const line = { ...mug, hsCode: '691200', originCountry: 'NL' };
    const customs = {
      shipmentType: 'commercial_goods',
      invoiceNumber: 'INV-2026-001',
      invoiceDate: '2026-12-01',
      exportType: 'commercial_b2b',
      taxNumbers: {
        sender: [{ kind: 'EORI', country: 'NL', value: 'NL123456789' }],
        receiver: [{ kind: 'VAT', country: 'GB', value: 'GB123456789' }],
      },
      importerOfRecord: {
        name: 'Import Ltd',
        street: 'Dock Road',
        postalCode: 'E16 1AA',
        city: 'London',
        country: 'GB',
      },
    };
    expect(problemsOf(to('GB', 'SW1A 1AA', { items: [line], customs }))).toEqual({});
    const wrong = {
      ...customs,
      invoiceDate: '01-12-2026',
      taxNumbers: { sender: [{ kind: 'EROI', country: 'NL', value: 'x' }] },
    };
    const problems = problemsOf(to('GB', 'SW1A 1AA', { items: [line], customs: wrong }));
    expect(problems['customs.invoiceDate']).toMatch(/a date such as/);
    expect(problems['customs.taxNumbers.sender.0.kind']).toBeDefined();
    expect(
      problemsOf(to('GB', 'SW1A 1AA', { items: [{ ...line, unitPrice: '0.00' }] }))['items.0.unitPrice'],
    ).toMatch(/declared at 0.00/);
  });

  it('refuses a customs block where there are no customs papers, and returned goods on an order', () => {
    expect(problemsOf(to('NL', '1012 AB', { customs: { shipmentType: 'gift' } }))['customs']).toMatch(
      /inside the EU customs territory/,
    );
    expect(problemsOf(to('GB', 'BT1 1AA', { customs: { shipmentType: 'gift' } }))['customs']).toMatch(
      /Northern Ireland/,
    );
    const line = { ...mug, hsCode: '691200', originCountry: 'NL' };
    expect(
      problemsOf(to('CH', '8001', { items: [line], customs: { shipmentType: 'returned_goods' } }))[
        'customs.shipmentType'
      ],
    ).toMatch(/for returns/);
  });
});

describe('customs from where the account ships', () => {
  const line = {
    description: 'Mug',
    quantity: 2,
    unitPrice: '12.50',
    weightGrams: 400,
    hsCode: '691200',
    originCountry: 'CN',
  };
  const order = (country: string, postalCode: string, extra: Record<string, unknown> = {}) => ({
    ...recipient({ country, postalCode, city: 'Berlin' }),
    items: [line],
    ...extra,
  });
  const ioss = { sender: [{ kind: 'IOSS', country: 'NL', value: 'IM5280000123' }] };

  it('from outside the EU, an EU address crosses a border and low-value consumer goods need an IOSS number', () => {
    expect(problemsOf(order('DE', '10115'), 'NL')).toEqual({});
    const problems = problemsOf(order('DE', '10115'), 'CH');
    expect(problems['customs.taxNumbers.sender']).toMatch(
      /goods of €150 or less sent from CH into the EU \(DE\) need the seller's IOSS number/,
    );
    expect(problemsOf(order('DE', '10115', { customs: { taxNumbers: ioss } }), 'CH')).toEqual({});
    expect(
      problemsOf(order('DE', '10115', { items: [{ ...line, hsCode: null }] }), 'CH')['items.0.hsCode'],
    ).toBe('required for DE: goods from CH cross a customs border');
    // above €150, business to business, or a gift: no IOSS
    expect(problemsOf(order('DE', '10115', { items: [{ ...line, quantity: 13 }] }), 'CH')).toEqual({});
    expect(problemsOf(order('DE', '10115', { customs: { exportType: 'commercial_b2b' } }), 'CH')).toEqual({});
    expect(problemsOf(order('DE', '10115', { customs: { shipmentType: 'gift' } }), 'CH')).toEqual({});
  });

  it('is domestic in the sender’s own country, and Northern Ireland needs no papers from GB', () => {
    expect(problemsOf(order('CH', '8001', { items: [] }), 'CH')).toEqual({});
    expect(problemsOf(order('CH', '8001', { customs: { shipmentType: 'gift' } }), 'CH')['customs']).toBe(
      "CH is in CH's own customs territory: there are no customs papers; leave customs out",
    );
    expect(problemsOf(order('GB', 'BT1 1AA', { items: [] }), 'GB')).toEqual({});
    expect(problemsOf(order('GB', 'SW1A 1AA', { items: [] }), 'CH')['items']).toMatch(/goods from CH cross/);
  });

  it('checks each tax number by its kind, and IOSS only where it applies', () => {
    const numbers = (sender: unknown[], receiver: unknown[] = []) => ({
      customs: { taxNumbers: { sender, receiver } },
    });
    const gb = (extra: Record<string, unknown>) => order('GB', 'SW1A 1AA', extra);
    const problems = problemsOf(
      gb(
        numbers(
          [
            { kind: 'EORI', country: 'NL', value: 'DE123456789' },
            { kind: 'VAT', country: 'GB', value: 'GB12345' },
            { kind: 'VAT', country: 'NO', value: 'VOEC12' },
            { kind: 'IOSS', country: 'NL', value: 'IM52800001' },
          ],
          [{ kind: 'IOSS', country: 'GB', value: 'IM5280000123' }],
        ),
      ),
    );
    expect(problems).toEqual({
      'customs.taxNumbers.sender.0.value':
        'an EORI number is NL and up to 15 letters or digits, e.g. "NL123456789"',
      'customs.taxNumbers.sender.1.value': 'a UK VAT number is GB and 9 digits, e.g. "GB123456789"',
      'customs.taxNumbers.sender.2.value': 'a VOEC number is VOEC and 7 digits, e.g. "VOEC1234567"',
      'customs.taxNumbers.sender.3.value': 'an IOSS number is IM and 10 digits, e.g. "IM5280000123"',
      'customs.taxNumbers.sender.3.kind':
        'IOSS is for goods sent into the EU from outside it; this order goes from NL to GB',
      'customs.taxNumbers.receiver.0.kind':
        'an IOSS number is the seller’s: give it under customs.taxNumbers.sender',
    });
    expect(
      problemsOf(
        gb(
          numbers([
            { kind: 'EORI', country: 'GB', value: 'XI123456789000' },
            { kind: 'VAT', country: 'GB', value: 'GB 123 4567 89' },
            { kind: 'VAT', country: 'NO', value: 'VOEC1234567' },
          ]),
        ),
      ),
    ).toEqual({});
  });
});

describe('insurance and delivery extras', () => {
  it('takes an insured value up to €5,000 and the extras a carrier can promise', () => {
    expect(
      problemsOf({ ...example, insuredValue: '250.00', deliveryOptions: { signature: true, ageCheck: 18 } }),
    ).toEqual({});
    expect(problemsOf({ ...example, insuredValue: '5000.01' }).insuredValue).toMatch(/at most "5000.00"/);
    expect(problemsOf({ ...example, insuredValue: '0.00' }).insuredValue).toMatch(/leave insuredValue out/);
    expect(problemsOf({ ...example, deliveryOptions: { ageCheck: 21 } })['deliveryOptions.ageCheck']).toBe(
      'an age of 16 or 18',
    );
    expect(
      problemsOf({ ...example, deliveryOptions: { signture: true } })['deliveryOptions.signture'],
    ).toMatch(/did you mean "?signature/);
    expect(
      problemsOf({
        ...example,
        delivery: { type: 'service_point', servicePointId: 10663 },
        deliveryOptions: { signature: true },
      }).deliveryOptions,
    ).toMatch(/for home delivery/);
  });
});
