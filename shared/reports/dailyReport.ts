import type { LabelStore } from '../labels';
import { mapLimit } from '../orders/mapLimit';
import { type OrderRecord, parcelsOf } from '../orders/Order';
import { shownStatus } from '../orders/orderView';
import type { OrderStore } from '../store';

export interface DailySummary {
  readonly account: string;
  readonly date: string;
  readonly orders: number;
  readonly parcels: number;
  readonly failed: number;
  readonly byCarrier: Record<string, number>;
  readonly byMethod: Record<string, number>;
  readonly byCountry: Record<string, number>;
  readonly statuses: Record<string, number>;
  readonly failures: Record<string, number>;
  readonly averageSecondsToLabel: number | null;
  readonly p95SecondsToLabel: number | null;
  readonly generatedAt: string;
  readonly files: { readonly csv: string; readonly json: string };
}

const COLUMNS = [
  'orderId',
  'channel',
  'country',
  'carrier',
  'shippingMethod',
  'trackingNumber',
  'status',
  'failure',
  'acceptedAt',
  'labelStoredAt',
  'secondsToLabel',
] as const;

/**
 * One account's day: a CSV row per order (ids, carrier, method, country, status, timings — no personal data)
 * and a JSON summary (per carrier, method and country, statuses reached, failures and reasons, time from
 * order to label), both stored under `reports/<account>/<date>`.
 */
export async function dailyReport(
  account: string,
  date: string,
  deps: { readonly store: OrderStore; readonly files: LabelStore; readonly clock: () => Date },
): Promise<DailySummary> {
  const keys = await deps.store.createdOn(account, date);
  const orders = (await mapLimit(keys, 16, (key) => deps.store.get(key))).filter(
    (o): o is OrderRecord => o !== undefined,
  );
  const tally = (pick: (o: OrderRecord) => string | undefined, from = orders) => {
    const counts: Record<string, number> = {};
    for (const order of from) {
      const key = pick(order);
      if (key) counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };
  const seconds = orders
    .map((o) =>
      o.labels?.a6 ? (Date.parse(o.labels.a6.storedAt) - Date.parse(o.createdAt)) / 1000 : undefined,
    )
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  const rows = orders.map((o) => {
    const toLabel = o.labels?.a6
      ? ((Date.parse(o.labels.a6.storedAt) - Date.parse(o.createdAt)) / 1000).toFixed(1)
      : '';
    return [
      o.orderId,
      o.channel,
      o.spec.toCountry,
      o.parcel?.carrier ?? '',
      o.parcel?.shippingMethodName ?? '',
      o.parcel?.trackingNumber ?? '',
      shownStatus(o),
      o.failure?.reason ?? '',
      o.createdAt,
      o.labels?.a6?.storedAt ?? '',
      toLabel,
    ];
  });
  const csv = [COLUMNS.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n');
  const base = `reports/${account}/${date}`;
  const summary: DailySummary = {
    account,
    date,
    orders: orders.length,
    // an order of several colli counts each of its parcels
    parcels: orders.reduce((sum, o) => sum + parcelsOf(o).length, 0),
    failed: orders.filter((o) => o.status === 'failed').length,
    byCarrier: tally((o) => o.parcel?.carrier),
    byMethod: tally((o) => o.parcel?.shippingMethodName),
    byCountry: tally((o) => o.spec.toCountry),
    statuses: tally((o) => shownStatus(o)),
    failures: tally((o) => o.failure?.reason),
    averageSecondsToLabel: seconds.length
      ? Math.round((seconds.reduce((a, b) => a + b, 0) / seconds.length) * 10) / 10
      : null,
    p95SecondsToLabel: seconds.length
      ? Math.round((seconds[Math.min(seconds.length - 1, Math.floor(seconds.length * 0.95))] ?? 0) * 10) / 10
      : null,
    generatedAt: deps.clock().toISOString(),
    files: { csv: `${base}.csv`, json: `${base}.json` },
  };
  await deps.files.put(`${base}.csv`, Buffer.from(`${csv}\n`), 'text/csv');
  await deps.files.put(`${base}.json`, Buffer.from(JSON.stringify(summary, null, 2)), 'application/json');
  return summary;
}

/** RFC 4180: quote fields with commas, quotes or newlines; neutralise spreadsheet formulas. */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
