import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
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

/** Streams a file to the bucket (a multipart upload: parts of 5 MiB, never the whole file in memory). */
export type ReportUpload = (key: string, contentType: string, body: Readable) => Promise<void>;

/** Orders read a page at a time: the report's memory is a page and the tallies, whatever the day's volume. */
const PAGE = 500;

/**
 * One account's day: a CSV row per order (ids, carrier, method, country, status, timings — no personal data)
 * and a JSON summary (per carrier, method and country, statuses reached, failures and reasons, time from
 * order to label), both stored under `reports/<account>/<date>`. The day's orders are read page by page and the
 * CSV is streamed to S3 as it is written, so a day of a million orders takes a page of memory, not the day.
 */
export async function dailyReport(
  account: string,
  date: string,
  deps: {
    readonly store: OrderStore;
    readonly files: LabelStore;
    readonly upload: ReportUpload;
    readonly clock: () => Date;
    readonly pageSize?: number;
  },
): Promise<DailySummary> {
  const base = `reports/${account}/${date}`;
  const body = new PassThrough();
  const uploaded = deps.upload(`${base}.csv`, 'text/csv', body);
  // An upload that fails while rows are still being written must stop the writing, not leave it waiting.
  const failed = uploaded.then(() => {
    throw new Error(`the upload of ${base}.csv ended before the report was written`);
  });
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (!body.write(text)) await Promise.race([once(body, 'drain'), failed]);
  };
  const counts = {
    byCarrier: {} as Record<string, number>,
    byMethod: {} as Record<string, number>,
    byCountry: {} as Record<string, number>,
    statuses: {} as Record<string, number>,
    failures: {} as Record<string, number>,
  };
  const tally = (into: Record<string, number>, key: string | undefined) => {
    if (key) into[key] = (into[key] ?? 0) + 1;
  };
  const seconds: number[] = [];
  let orders = 0;
  let parcels = 0;
  let failedOrders = 0;
  try {
    await write(`${COLUMNS.join(',')}\n`);
    let after: Record<string, unknown> | undefined;
    do {
      const page = await deps.store.createdOnPage(account, date, {
        limit: deps.pageSize ?? PAGE,
        ...(after ? { after } : {}),
      });
      after = page.next;
      const loaded = await mapLimit(page.keys, 16, (key) => deps.store.get(key));
      const rows: string[] = [];
      for (const o of loaded) {
        if (!o) continue;
        orders++;
        // an order of several colli counts each of its parcels
        parcels += parcelsOf(o).length;
        if (o.status === 'failed') failedOrders++;
        tally(counts.byCarrier, o.parcel?.carrier);
        tally(counts.byMethod, o.parcel?.shippingMethodName);
        tally(counts.byCountry, o.spec.toCountry);
        tally(counts.statuses, shownStatus(o));
        tally(counts.failures, o.failure?.reason);
        const toLabel = o.labels?.a6
          ? (Date.parse(o.labels.a6.storedAt) - Date.parse(o.createdAt)) / 1000
          : undefined;
        if (toLabel !== undefined) seconds.push(toLabel);
        rows.push(`${rowOf(o, toLabel).map(csvField).join(',')}\n`);
      }
      if (rows.length > 0) await write(rows.join(''));
    } while (after);
    body.end();
    await uploaded;
  } catch (error) {
    body.destroy();
    throw error;
  }
  seconds.sort((a, b) => a - b);
  const summary: DailySummary = {
    account,
    date,
    orders,
    parcels,
    failed: failedOrders,
    ...counts,
    averageSecondsToLabel: seconds.length
      ? Math.round((seconds.reduce((a, b) => a + b, 0) / seconds.length) * 10) / 10
      : null,
    p95SecondsToLabel: seconds.length
      ? Math.round((seconds[Math.min(seconds.length - 1, Math.floor(seconds.length * 0.95))] ?? 0) * 10) / 10
      : null,
    generatedAt: deps.clock().toISOString(),
    files: { csv: `${base}.csv`, json: `${base}.json` },
  };
  await deps.files.put(`${base}.json`, Buffer.from(JSON.stringify(summary, null, 2)), 'application/json');
  return summary;
}

const rowOf = (o: OrderRecord, toLabel: number | undefined): string[] => [
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
  toLabel === undefined ? '' : toLabel.toFixed(1),
];

/** RFC 4180: quote fields with commas, quotes or newlines; neutralise spreadsheet formulas. */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
