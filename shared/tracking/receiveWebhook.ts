import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  AnyWebhook,
  ParcelStatusChangedWebhook,
  parseSendcloudDate,
  verifySendcloudSignature,
} from '../sendcloud';
import type { TrackingStore } from '../store';
import { type ApplyDeps, type ApplyOutcome, applyStatus } from './applyStatus';

export const MAX_WEBHOOK_BYTES = 256 * 1024;

export type WebhookAnswer =
  | {
      readonly status: 200;
      readonly outcome: ApplyOutcome | 'acknowledged' | 'duplicate_delivery';
      readonly action: string;
    }
  | {
      readonly status: 400 | 401 | 413;
      readonly reason: 'not_json' | 'no_action' | 'unsigned' | 'bad_signature' | 'too_large';
    };

export interface ReceiveDeps extends ApplyDeps {
  readonly tracking: TrackingStore;
  readonly secrets: (account: string) => Promise<string[]>;
}

/**
 * A SendCloud webhook delivery: size, then the signature over the raw bytes, then — only then — JSON.
 * A delivery seen before is acknowledged without changes; every known action is handled, unknown ones are
 * acknowledged so SendCloud does not retry them for hours.
 */
export async function receiveWebhook(
  input: { readonly account: string; readonly rawBody: Buffer; readonly signature: string | undefined },
  deps: ReceiveDeps,
): Promise<WebhookAnswer> {
  if (input.rawBody.byteLength > MAX_WEBHOOK_BYTES) return { status: 413, reason: 'too_large' };
  const verification = verifySendcloudSignature({
    rawBody: input.rawBody,
    signature: input.signature,
    secrets: await deps.secrets(input.account),
  });
  if (!verification.valid)
    return { status: 401, reason: verification.reason === 'missing' ? 'unsigned' : 'bad_signature' };
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    return { status: 400, reason: 'not_json' };
  }
  const envelope = AnyWebhook.safeParse(json);
  if (!envelope.success) return { status: 400, reason: 'no_action' };
  const action = envelope.data.action;
  const hash = createHash('sha256').update(input.rawBody).digest('hex');
  if (await deps.tracking.seenDelivery(hash)) return { status: 200, outcome: 'duplicate_delivery', action };

  let outcome: ApplyOutcome | 'acknowledged' = 'acknowledged';
  if (action === 'parcel_status_changed') {
    const payload = ParcelStatusChangedWebhook.safeParse(json);
    if (!payload.success) return { status: 400, reason: 'no_action' };
    const { parcel, timestamp } = payload.data;
    outcome = await applyStatus(
      {
        parcelId: parcel.id,
        externalReference: parcel.external_reference ?? null,
        statusId: parcel.status.id,
        message: parcel.status.message,
        observedAt: observedAt(parcel.date_updated, timestamp),
        ts: timestamp,
        carrierTimestamp: payload.data.carrier_status_change_timestamp ?? null,
        source: 'webhook',
      },
      deps,
    );
  }
  // Remembered only once handled: a crash before this line means SendCloud's retry is processed again,
  // and the history's conditional write makes that harmless.
  await deps.tracking.rememberDelivery(hash, { now: deps.clock(), ttlDays: 7 });
  return { status: 200, outcome, action };
}

/** `date_updated` identifies the change across webhook and poll; without it, the webhook's second. */
function observedAt(dateUpdated: string | undefined, timestamp: number): string {
  if (dateUpdated) {
    const parsed = z
      .string()
      .regex(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/)
      .safeParse(dateUpdated);
    if (parsed.success) return parseSendcloudDate(parsed.data).toISOString();
  }
  return new Date(Math.floor(timestamp / 1000) * 1000).toISOString();
}
