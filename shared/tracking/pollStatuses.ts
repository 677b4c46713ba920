import { parseSendcloudDate, type SendcloudClient } from '../sendcloud';
import type { TrackingStore } from '../store';
import { type ApplyDeps, type ApplyOutcome, type ApplyResult, applyStatus } from './applyStatus';

/** Overlap with the previous run, so a parcel updated while we polled is not missed. */
const OVERLAP_MS = 5 * 60_000;

export interface PollResult {
  readonly counts: Record<ApplyOutcome, number>;
  /** Statuses kept off their parcel (another account's parcel, or implausible), by parcel id, for the logs. */
  readonly ignored: ReadonlyArray<
    Extract<ApplyResult, { outcome: 'account_mismatch' | 'implausible' }> & { readonly parcelId: number }
  >;
}

/**
 * For accounts without webhooks: every parcel updated since the stored watermark (following pagination to the
 * end) goes through the same path as a webhook, so a status seen by both is applied once. A poll speaks for
 * `account` only: a listed parcel whose order belongs to another account is left alone.
 */
export async function pollStatuses(
  account: string,
  deps: ApplyDeps & {
    readonly tracking: ApplyDeps['tracking'] & Pick<TrackingStore, 'watermark' | 'setWatermark'>;
    readonly client: { readonly parcels: Pick<SendcloudClient['parcels'], 'list'> };
    /** How far back the very first run looks (no watermark yet). Default 24 h. */
    readonly firstRunLookbackMs?: number;
  },
): Promise<PollResult> {
  const startedAt = deps.clock();
  const watermark = await deps.tracking.watermark(account);
  const since = watermark
    ? new Date(Date.parse(watermark) - OVERLAP_MS)
    : new Date(startedAt.getTime() - (deps.firstRunLookbackMs ?? 86_400_000));
  const counts: Record<ApplyOutcome, number> = {
    applied: 0,
    stale: 0,
    duplicate: 0,
    unknown_parcel: 0,
    implausible: 0,
    account_mismatch: 0,
  };
  const ignored: Array<PollResult['ignored'][number]> = [];
  for await (const page of deps.client.parcels.list({ updatedAfter: since })) {
    for (const parcel of page) {
      const updated = parcel.date_updated
        ? parseSendcloudDate(parcel.date_updated)
        : parseSendcloudDate(parcel.date_created);
      const result = await applyStatus(
        {
          account,
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
      counts[result.outcome]++;
      if (result.outcome === 'account_mismatch' || result.outcome === 'implausible')
        ignored.push({ ...result, parcelId: parcel.id });
    }
  }
  await deps.tracking.setWatermark(account, startedAt.toISOString());
  return { counts, ignored };
}
