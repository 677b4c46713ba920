import type { SendcloudPort } from '../sendcloud/port';
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
    readonly client: Pick<SendcloudPort, 'updatedSince'>;
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
  for await (const page of deps.client.updatedSince(since)) {
    for (const parcel of page) {
      const updated = new Date(parcel.updatedAt);
      const result = await applyStatus(
        {
          account,
          parcelId: parcel.parcelId,
          externalReference: parcel.externalReference,
          statusId: parcel.status.id,
          message: parcel.status.message,
          observedAt: updated.toISOString(),
          // v2's date_updated has whole seconds; webhooks order by milliseconds. A polled status in whole
          // seconds counts as the end of its second, so it sorts after a webhook from earlier in that second.
          ts: updated.getTime() + (updated.getUTCMilliseconds() === 0 ? 999 : 0),
          carrierTimestamp: null,
          source: 'poll',
        },
        deps,
      );
      counts[result.outcome]++;
      if (result.outcome === 'account_mismatch' || result.outcome === 'implausible')
        ignored.push({ ...result, parcelId: parcel.parcelId });
    }
  }
  await deps.tracking.setWatermark(account, startedAt.toISOString());
  return { counts, ignored };
}
