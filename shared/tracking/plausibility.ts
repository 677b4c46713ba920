import { TrackingConfigError } from './errors';
import type { NormalizedStatus } from './normalizedStatus';
import { canMoveOn } from './terminalTransitions';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * SendCloud retries a failed delivery 10 times, from 5 minutes up to an hour apart (REFERENCE.md §6.3):
 * 5 + 10 + 20 + 40 + 6 × 60 minutes. The payload (and its `timestamp`) stays the same on every retry, so this
 * is how old a genuine delivery can be when it finally gets through.
 */
export const SENDCLOUD_RETRY_SPAN_MS = 435 * MINUTE;

/**
 * Why a correctly signed status was kept out of the current status. It still lands in history, marked.
 * - `tooOld`: a webhook stamped longer ago than SendCloud could still be retrying it (a replay);
 * - `future`: stamped ahead of our clock by more than the allowed skew (it would pin the status);
 * - `beforeParcel`: stamped before the order was accepted — no parcel existed to have that status;
 * - `leavesTerminal`: newer, but a move out of delivered/cancelled/returned SendCloud does not make.
 */
export const IMPLAUSIBILITIES = ['tooOld', 'future', 'beforeParcel', 'leavesTerminal'] as const;
export type Implausibility = (typeof IMPLAUSIBILITIES)[number];

export interface PlausibilityWindows {
  /** How old a webhook's `timestamp` may be. Default 12 h: SendCloud's whole retry span (~7¼ h) plus margin. */
  readonly maxAgeMs: number;
  /**
   * How far SendCloud's clock may differ from ours, either way. Default 5 min. A status more than this ahead
   * of now is `future`; more than this before the order's acceptance is `beforeParcel`.
   */
  readonly clockSkewMs: number;
}

export const PLAUSIBILITY_DEFAULTS: PlausibilityWindows = { maxAgeMs: 12 * HOUR, clockSkewMs: 5 * MINUTE };

/** The windows with defaults merged once; a window that would refuse genuine deliveries is a config error. */
export function plausibilityWindows(options: Partial<PlausibilityWindows> = {}): PlausibilityWindows {
  const windows = {
    maxAgeMs: options.maxAgeMs ?? PLAUSIBILITY_DEFAULTS.maxAgeMs,
    clockSkewMs: options.clockSkewMs ?? PLAUSIBILITY_DEFAULTS.clockSkewMs,
  };
  for (const [name, value] of Object.entries(windows))
    if (!Number.isFinite(value) || value < 0)
      throw new TrackingConfigError(`${name} must be a number of milliseconds ≥ 0, got ${value}`);
  if (windows.maxAgeMs < SENDCLOUD_RETRY_SPAN_MS)
    throw new TrackingConfigError(
      `maxAgeMs ${windows.maxAgeMs} is shorter than SendCloud's retry span (${SENDCLOUD_RETRY_SPAN_MS} ms): ` +
        'genuine late deliveries would be refused; use at least that, default 12 h',
    );
  return windows;
}

export interface StatusSighting {
  /** When SendCloud says the status happened (ms): the webhook's `timestamp`, or `date_updated` of a poll. */
  readonly ts: number;
  readonly source: 'webhook' | 'poll';
  readonly status: NormalizedStatus;
}

/** What a sighting is judged against. */
export interface SightingContext {
  /** When the order was accepted: no status of its parcel can be older. */
  readonly createdAt: string;
  /** The parcel's current status, if it has one. */
  readonly current: { readonly status: NormalizedStatus; readonly ts: number } | undefined;
  readonly now: Date;
  readonly windows: PlausibilityWindows;
}

/**
 * Whether a sighting may become the parcel's current status, or why not. A poll is not held to `maxAgeMs`:
 * it reads the parcel from SendCloud now, so an old `date_updated` only means "unchanged since".
 * A sighting not newer than the current status is not judged against terminal states: it only goes to
 * history anyway.
 */
export function implausibility(
  sighting: StatusSighting,
  context: SightingContext,
): Implausibility | undefined {
  const now = context.now.getTime();
  const { maxAgeMs, clockSkewMs } = context.windows;
  if (sighting.ts > now + clockSkewMs) return 'future';
  if (sighting.source === 'webhook' && sighting.ts < now - maxAgeMs) return 'tooOld';
  if (sighting.ts < Date.parse(context.createdAt) - clockSkewMs) return 'beforeParcel';
  const current = context.current;
  if (current && sighting.ts > current.ts && !canMoveOn(current.status, sighting.status))
    return 'leavesTerminal';
  return undefined;
}
