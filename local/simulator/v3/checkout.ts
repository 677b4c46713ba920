import { createHash } from 'node:crypto';
import type { V3Handler } from './context';
import { errorObject, errorsResponse, jsonApiError } from './errors';
import { optionForMethod } from './options';

/**
 * Dynamic Checkout on v3: `GET /checkout/configurations/{configuration_id}/delivery-options`. The options
 * are the v2 mode's (one per method that carries the destination and weight), named by shipping option
 * code as the document's `checkout_identifier_type=shipping_option_code` asks. The document types the
 * configuration id as a UUID: each of an account's configurations has one (`checkoutConfigurationUuid`).
 */
export const checkoutDeliveryOptions: V3Handler = (ctx, req) => {
  const [configurationId = ''] = req.params;
  const configuration = req.account.checkoutConfigurations.find(
    (id) => checkoutConfigurationUuid(req.account.id, id) === configurationId,
  );
  if (!UUID.test(configurationId))
    return jsonApiError(400, 'invalid', 'Must be a valid UUID.', { parameter: 'configuration_id' });
  if (!configuration) return jsonApiError(404, 'not_found', 'Checkout configuration not found.');
  const problems = queryProblems(req.query);
  if (problems.length > 0) return errorsResponse(400, problems);
  const answer = ctx.sim.deliveryOptions(req.account, configuration, req.query);
  if (answer.status !== 200) return answer;
  const body = answer.json as { delivery_options: Array<Record<string, unknown> & { id: number }> };
  const today = ctx.sim.now().toISOString().slice(0, 10);
  const options = body.delivery_options.flatMap((option) => {
    const shipping = optionForMethod(option.id);
    // As in the document's examples: a delivery method's id is a UUID, its cut-off a date-time.
    return shipping
      ? [
          {
            ...option,
            id: checkoutConfigurationUuid(configurationId, String(option.id)),
            cut_off_time: `${today}T15:00:00+00:00`,
            carrier: {
              ...(option.carrier as Record<string, unknown>),
              logo_url: `${ctx.baseUrl}/__logos/${shipping.method.carrier}.svg`,
            },
            description: `${String(option.title)} by ${shipping.method.carrier}`,
            sustainability_rating: 'medium',
            delivery_dates: (
              (option.delivery_dates as Array<{ parcel_handover_date: string; delivery_date: string }>) ?? []
            ).map((d) => ({
              parcel_handover_date: `${d.parcel_handover_date}T15:00:00+00:00`,
              delivery_date: `${d.delivery_date}T12:00:00+00:00`,
            })),
            lead_time_hours: percentiles((option.lead_time_hours as { p50: number }).p50),
            checkout_identifier: { type: 'shipping_option_code', value: shipping.code },
          },
        ]
      : [];
  });
  return { status: 200, json: { configuration_id: configurationId, delivery_options: options } };
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The v3 (UUID) id of one of an account's checkout configurations: stable, derived from both names. */
export function checkoutConfigurationUuid(accountId: string, configurationId: string): string {
  const hex = createHash('sha256').update(`${accountId}/${configurationId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The document's required query parameters and their types. */
function queryProblems(query: URLSearchParams) {
  const problems = [];
  for (const name of ['weight_value', 'total_order_value', 'from_country_code', 'to_country_code']) {
    if (!query.get(name))
      problems.push(errorObject(400, 'required', 'This field is required.', { parameter: name }));
  }
  const weight = query.get('weight_value');
  if (weight && !(/^\d+$/.test(weight) && Number(weight) >= 1))
    problems.push(
      errorObject(400, 'invalid', 'A valid integer of at least 1 is required.', {
        parameter: 'weight_value',
      }),
    );
  for (const name of ['from_country_code', 'to_country_code']) {
    const country = query.get(name);
    if (country && !/^[A-Z]{2}$/.test(country))
      problems.push(
        errorObject(400, 'invalid', 'Enter a valid ISO 3166-1 alpha-2 code.', { parameter: name }),
      );
  }
  const type = query.get('checkout_identifier_type');
  if (type !== null && type !== 'shipping_option_code')
    problems.push(
      errorObject(400, 'invalid_choice', `"${type}" is not a valid choice.`, {
        parameter: 'checkout_identifier_type',
      }),
    );
  return problems;
}

/** The document's `lead_time_hours`: every decile from p10 to p95, around the method's typical lead time. */
function percentiles(p50: number): Record<string, number> {
  const spread = [0.75, 0.8, 0.9, 0.95, 1, 1.1, 1.25, 1.5, 2, 3];
  const names = ['p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95'];
  return Object.fromEntries(names.map((name, i) => [name, Math.round(p50 * (spread[i] ?? 1))]));
}
