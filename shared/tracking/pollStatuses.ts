import { parseSendcloudDate, type SendcloudClient } from '../sendcloud';
import type { TrackingStore } from '../store';
import { type ApplyDeps, type ApplyOutcome, applyStatus } from './applyStatus';

/** Overlap with the previous run, so a parcel updated while we polled is not missed. */
const OVERLAP_MS = 5 * 60_000;

/**
 * For accounts without webhooks: every parcel updated since the stored watermark (following pagination to the
 * end) goes through the same path as a webhook, so a status seen by both is applied once.
 */
export async function pollStatuses(
  account: string,
  deps: ApplyDeps & { readonly tracking: TrackingStore; readonly client: SendcloudClient },
  options: { readonly firstRunLookbackMs?: number } = {},
): Promise<Record<ApplyOutcome, number>> {
  const startedAt = deps.clock();
  const watermark = await deps.tracking.watermark(account);
  const since = watermark
    ? new Date(Date.parse(watermark) - OVERLAP_MS)
    : new Date(startedAt.getTime() - (options.firstRunLookbackMs ?? 86_400_000));
  const counts: Record<ApplyOutcome, number> = { applied: 0, stale: 0, duplicate: 0, unknown_parcel: 0 };
  for await (const page of deps.client.parcels.list({ updatedAfter: since })) {
    for (const parcel of page) {
      const updated = parcel.date_updated
        ? parseSendcloudDate(parcel.date_updated)
        : parseSendcloudDate(parcel.date_created);
      const outcome = await applyStatus(
        {
          parcelId: parcel.id,
          externalReference: parcel.external_reference ?? null,
          statusId: parcel.status.id,
          message: parcel.status.message,
          observedAt: updated.toISOString(),
          // date_updated has whole seconds; webhooks order by milliseconds. A polled status counts as the end
          // of its second, so it sorts after a webhook from earlier in that second.
          ts: updated.getTime() + 999,
          carrierTimestamp: null,
          source: 'poll',
        },
        deps,
      );
      counts[outcome]++;
    }
  }
  await deps.tracking.setWatermark(account, startedAt.toISOString());
  return counts;
}
