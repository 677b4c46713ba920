import * as z from 'zod';
import { formatSendcloudDate } from '../../shared/sendcloud/units';
import type { SimAccount } from './accounts';
import { servicePointCarriers } from './servicePoints';

/**
 * The account endpoints real clients call, shaped as recorded: `GET /brands` and `/brands/{id}` (OCA and
 * onesteinbv brands.json), `GET /integrations` and `/integrations/{id}` (OCA and onesteinbv
 * integrations.json), `GET /user/invoices` and `/user/invoices/{id}` (OCA invoices.json, invoice.json) and
 * `GET /user` (Webador testGetUser_1.json, a library author's mock modelled on the real answer). The values
 * are the simulated shop's; an account has one brand, one API integration and one invoice.
 */
type Json = Record<string, unknown>;
const NOT_FOUND = (request: string, code = 404): { status: number; json: Json } => ({
  status: code,
  json: { error: { code, request, message: 'Not found.' } },
});

/**
 * The panel's ISO dates: Amsterdam local time with its offset and microseconds (integrations.json
 * `2022-03-03T17:22:47.137622+01:00`, returns.json `2022-05-19T15:20:11.457479+02:00`).
 */
export function panelIsoDate(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Amsterdam',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMinutes = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  const micros = `${String(date.getUTCMilliseconds()).padStart(3, '0')}000`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${micros}${sign}${hh}:${mm}`;
}

export function brandJson(account: SimAccount): Json {
  return {
    id: account.brandId,
    name: account.id,
    color: '#112857',
    secondary_color: '#112855',
    website: '',
    overlay_logo: {},
    screen_logo: {},
    print_logo: {},
    overlay_thumb: null,
    screen_thumb: null,
    print_thumb: null,
    notify_reply_to_email: null,
    domain: account.brandDomain,
    notify_bcc_email: null,
    hide_powered_by: false,
    customization_settings: {
      footer: {
        city: '',
        street: '',
        country: '',
        font_color: '#212121',
        postal_code: '',
        phone_number: '',
        social_media: { twitter: '', facebook: '', linkedin: '', instagram: '' },
        support_email: '',
        background_color: '#ffffff',
      },
      header: {
        faq_url: '',
        shop_url: '',
        font_color: '#212121',
        contact_url: '',
        homepage_url: '',
        background_color: '#ffffff',
      },
    },
  };
}

export const brands = (account: SimAccount) => ({
  status: 200,
  json: { next: null, previous: null, brands: [brandJson(account)] },
});

export const brand = (account: SimAccount, id: number) =>
  id === account.brandId
    ? { status: 200, json: { brand: brandJson(account) } }
    : NOT_FOUND(`api/v2/brands/${id}`);

export function integrationJson(account: SimAccount, now: Date): Json {
  const settings = account.integrationSettings;
  return {
    id: account.integrationId,
    shop_name: settings?.shopName ?? account.id,
    shop_url: settings?.shopUrl ?? '',
    system: 'api',
    failing_since: null,
    last_fetch: null,
    last_updated_at: panelIsoDate(settings?.updatedAt ?? now),
    service_point_enabled: settings?.servicePointEnabled ?? true,
    service_point_carriers: settings?.servicePointCarriers ?? servicePointCarriers(),
    webhook_active: account.webhookUrl !== null,
    webhook_url: account.webhookUrl ?? '',
  };
}

const Url = z.union([z.literal(''), z.url({ error: 'Enter a valid URL.' })]);
const IntegrationChange = z.object({
  shop_name: z.string().max(255).optional(),
  shop_url: Url.optional(),
  service_point_enabled: z.boolean().optional(),
  service_point_carriers: z.array(z.string()).optional(),
  webhook_active: z.boolean().optional(),
  webhook_url: Url.optional(),
});

/**
 * `PUT|PATCH /integrations/{id}`: what OCA-delivery-carrier/update_integration.json sends (shop, service-point
 * and webhook settings), answered with the fields it shows. Turning the webhook on sets where this account's
 * webhooks go; unknown carriers and an active webhook without a URL are refused (messages inferred).
 */
export function updateIntegration(
  account: SimAccount,
  id: number,
  body: unknown,
  now: Date,
): { status: number; json: Json } {
  const request = `api/v2/integrations/${id}`;
  if (id !== account.integrationId) return NOT_FOUND(request);
  const parsed = IntegrationChange.safeParse(body ?? {});
  const refuse = (message: string) => ({ status: 400, json: { error: { code: 400, request, message } } });
  if (!parsed.success)
    return refuse(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: "${i.message}"`).join(', '));
  const change = parsed.data;
  const unknown = change.service_point_carriers?.find((c) => !servicePointCarriers().includes(c));
  if (unknown) return refuse(`service_point_carriers: ""${unknown}" is not a valid choice."`);
  const active = change.webhook_active ?? account.webhookUrl !== null;
  const url = change.webhook_url ?? account.webhookUrl ?? '';
  if (active && url === '')
    return refuse('webhook_url: "This field is required when webhook_active is true."');
  const current = integrationJson(account, now);
  account.integrationSettings = {
    shopName: change.shop_name ?? String(current.shop_name),
    shopUrl: change.shop_url ?? String(current.shop_url),
    servicePointEnabled: change.service_point_enabled ?? current.service_point_enabled === true,
    servicePointCarriers: change.service_point_carriers ?? servicePointCarriers(),
    updatedAt: now,
  };
  account.webhookUrl = active ? url : null;
  const {
    id: _id,
    system: _system,
    failing_since: _f,
    last_fetch: _l,
    ...shown
  } = integrationJson(account, now);
  return { status: 200, json: shown };
}

/** A bare array, as recorded. */
export const integrations = (account: SimAccount, now: Date) => ({
  status: 200,
  json: [integrationJson(account, now)],
});

export const integration = (account: SimAccount, id: number, now: Date) =>
  id === account.integrationId
    ? { status: 200, json: integrationJson(account, now) }
    : NOT_FOUND(`api/v2/integrations/${id}`);

function invoiceJson(account: SimAccount, baseUrl: string, now: Date): Json {
  const id = account.integrationId * 3;
  const firstOfMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 2, 6, 29));
  return {
    id,
    ref: String(id - 140_000),
    type: 'periodic',
    price_incl: 0.0,
    price_excl: 0.0,
    isPayed: true,
    date: formatSendcloudDate(firstOfMonth),
    items: `${baseUrl}/user/invoices/${id}`,
  };
}

export const invoices = (account: SimAccount, baseUrl: string, now: Date) => ({
  status: 200,
  json: { invoices: [invoiceJson(account, baseUrl, now)] },
});

export function invoice(account: SimAccount, id: number, baseUrl: string, now: Date) {
  const only = invoiceJson(account, baseUrl, now);
  return only.id === id ? { status: 200, json: { invoice: only } } : NOT_FOUND(`api/v2/user/invoices/${id}`);
}

export function user(account: SimAccount, baseUrl: string, now: Date) {
  const sender: Readonly<Record<string, unknown>> = account.senderAddresses[0] ?? {};
  return {
    status: 200,
    json: {
      user: {
        address: `${String(sender.street ?? '')} ${String(sender.house_number ?? '')}`.trim(),
        city: sender.city ?? '',
        company_logo: null,
        company_name: sender.company_name ?? '',
        data: [],
        email: sender.email ?? '',
        invoices: [invoiceJson(account, baseUrl, now)],
        modules: [
          { activated: true, id: 5, name: 'SendcloudClient', settings: null, short_name: 'sendcloud_client' },
        ],
        postal_code: sender.postal_code ?? '',
        // The mock writes `"2018-05-2912:52:51"` (date and time run together), as the panel's user format.
        registered: '2024-01-0209:00:00',
        telephone: sender.telephone ?? '',
        username: account.id,
      },
    },
  };
}
