import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * Customs at intake are decided from where the account ships (`accounts.<id>.shipsFrom`): here a Swiss
 * warehouse, for which every EU address is an import. Intake asks nothing of SendCloud, so one API is enough;
 * the orders suites run the EU-sender rules over v2 and v3.
 */
let bridge: Bridge;
const example = exampleOrder();
let n = 0;
const order = (overrides: Record<string, unknown> = {}) => ({
  ...example,
  orderId: `CH-${n++}`,
  dispatch: 'end_of_day',
  ...overrides,
});
const post = (path: string, body: unknown) =>
  fetch(`${bridge.stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const ioss = { taxNumbers: { sender: [{ kind: 'IOSS', country: 'NL', value: 'IM5280000123' }] } };

beforeAll(async () => {
  bridge = await startBridge({ api: 'v3', wiring: { shipsFrom: { default: 'CH' } } });
}, 30_000);
afterAll(() => bridge.stop());

describe('an account that ships from outside the EU', () => {
  it('refuses low-value goods into the EU without the seller’s IOSS number, naming the field; nothing is kept', async () => {
    const refused = order();
    const response = await post('/orders', refused);

    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors).toEqual([
      {
        path: 'customs.taxNumbers.sender',
        message: expect.stringMatching(
          /^goods of €150 or less sent from CH into the EU \(NL\) need the seller's IOSS/,
        ),
      },
    ]);
    expect((await fetch(`${bridge.stack.url}/orders/${refused.orderId}`)).status).toBe(404);
  });

  it('takes the order with its IOSS number, and asks customs lines for an EU address', async () => {
    expect((await post('/orders', order({ customs: ioss }))).status).toBe(202);

    const noLines = await post('/orders', order({ customs: ioss, items: [] }));
    expect(noLines.status).toBe(400);
    expect(JSON.stringify(await noLines.json())).toContain(
      'customs need the items for NL: goods from CH cross',
    );
  });

  it('answers per order in a batch, and refuses an IOSS number where it does not apply', async () => {
    const toGb = order({
      recipient: { ...(example.recipient as object), country: 'GB', postalCode: 'SW1A 1AA', city: 'London' },
      customs: ioss,
    });
    const response = await post('/orders/batch', { orders: [order({ customs: ioss }), toGb] });

    expect(response.status).toBe(207);
    const { results } = (await response.json()) as {
      results: { status: number; errors?: { path: string; message: string }[] }[];
    };
    expect(results.map((r) => r.status)).toEqual([202, 400]);
    expect(results[1]?.errors).toEqual([
      {
        path: 'customs.taxNumbers.sender.0.kind',
        message: 'IOSS is for goods sent into the EU from outside it; this order goes from CH to GB',
      },
    ]);
  });

  it('fails an order when SendCloud’s sender address is on the other side of the customs border than the stage says', async () => {
    // Prepare: the simulator's sender address is in NL, the stage says CH
    const posted = order({ customs: ioss, dispatch: 'immediate' });

    // Act
    expect((await post('/orders', posted)).status).toBe(202);

    // Assess: nothing announced; the reason names both countries and the setting
    const view = await until(
      async () =>
        (await (await fetch(`${bridge.stack.url}/orders/${posted.orderId}`)).json()) as {
          status: string;
          failure?: { reason: string };
        },
      (v) => v.status === 'failed',
    );
    expect(view.failure?.reason).toMatch(
      /sender address is in NL, but the stage says it ships from CH \(accounts.default.shipsFrom\)/,
    );
    const counts = (await (
      await fetch(`${bridge.sim.url}/__sim/counts?external_reference=webshop:${posted.orderId}`)
    ).json()) as { created: number };
    expect(counts.created).toBe(0);
  });
});
