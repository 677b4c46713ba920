import { createHash } from 'node:crypto';
import { AnyWebhook, ParcelStatusChangedWebhook } from '../sendcloud/schemas/webhook';
import { verifySendcloudSignature } from '../sendcloud/signature';
import { parseSendcloudDate } from '../sendcloud/units';
import type { TrackingStore } from '../store';
import * as z from '../validation/zod';
import { type ApplyDeps, type ApplyOutcome, type ApplyResult, applyStatus } from './applyStatus';
import type { Implausibility } from './plausibility';
import { webhookAccount } from './webhookAccount';

export const MAX_WEBHOOK_BYTES = 256 * 1024;

/** The actions SendCloud sends when the account's integration (and with it its catalogue) may have changed. */
export const INTEGRATION_ACTIONS: ReadonlySet<string> = new Set([
  'integration_connected',
  'integration_updated',
  'integration_deleted',
]);

export type WebhookAnswer =
  | {
      readonly status: 200;
      readonly outcome: ApplyOutcome | 'acknowledged' | 'duplicate_delivery';
      readonly action: string;
      /** The account whose secret verified the delivery. */
      readonly account: string;
      /** For logs (ids only): the parcel a status was for, */
      readonly parcelId?: number;
      /** the account that owns it when that is not `account`, */
      readonly owner?: string;
      /** or why its status could not be true. */
      readonly implausible?: Implausibility;
    }
  | {
      readonly status: 400 | 401 | 413;
      readonly reason:
        | 'not_json'
        | 'no_action'
        | 'unsigned'
        | 'bad_signature'
        | 'too_large'
        | 'account_required';
    };

export interface ReceiveDeps extends ApplyDeps {
  readonly tracking: ApplyDeps['tracking'] & Pick<TrackingStore, 'seenDelivery' | 'rememberDelivery'>;
  readonly secrets: (account: string) => Promise<string[]>;
  /** The stage's accounts: which one the route without an account belongs to (`webhookAccount`). */
  readonly accounts: () => Promise<readonly string[]>;
  /**
   * An integration_* delivery for the account: its catalogue is to be read again. Must be quick and must not
   * call SendCloud (the function queues the refresh); a failure fails the delivery, which SendCloud retries.
   */
  readonly integrationChanged?: (account: string) => Promise<void>;
}

/**
 * A SendCloud webhook delivery: size, then the signature over the raw bytes with the secret of the account
 * the route names, then — only then — JSON. A delivery seen before is acknowledged without changes; every
 * known action is handled, unknown ones are acknowledged so SendCloud does not retry them for hours. A status
 * only ever touches the verifying account's own parcels.
 */
export async function receiveWebhook(
  input: {
    /** From the path; absent on `POST /webhooks/sendcloud`. */
    readonly account: string | undefined;
    readonly rawBody: Buffer;
    readonly signature: string | undefined;
  },
  deps: ReceiveDeps,
): Promise<WebhookAnswer> {
  if (input.rawBody.byteLength > MAX_WEBHOOK_BYTES) return { status: 413, reason: 'too_large' };
  const account = webhookAccount(input.account, await deps.accounts());
  if (account === undefined) return { status: 400, reason: 'account_required' };
  const verification = verifySendcloudSignature({
    rawBody: input.rawBody,
    signature: input.signature,
    secrets: await deps.secrets(account),
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
  if (await deps.tracking.seenDelivery(hash))
    return { status: 200, outcome: 'duplicate_delivery', action, account };

  let applied: (ApplyResult & { readonly parcelId: number }) | undefined;
  if (action === 'parcel_status_changed') {
    const payload = ParcelStatusChangedWebhook.safeParse(json);
    if (!payload.success) return { status: 400, reason: 'no_action' };
    const { parcel, timestamp } = payload.data;
    const result = await applyStatus(
      {
        account,
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
    applied = { ...result, parcelId: parcel.id };
  }
  if (INTEGRATION_ACTIONS.has(action)) await deps.integrationChanged?.(account);
  // Remembered only once handled: a crash before this line means SendCloud's retry is processed again,
  // and the history's conditional write makes that harmless.
  await deps.tracking.rememberDelivery(hash, { now: deps.clock(), ttlDays: 7 });
  if (!applied) return { status: 200, outcome: 'acknowledged', action, account };
  return {
    status: 200,
    outcome: applied.outcome,
    action,
    account,
    parcelId: applied.parcelId,
    ...(applied.outcome === 'account_mismatch' ? { owner: applied.owner } : {}),
    ...(applied.outcome === 'implausible' ? { implausible: applied.implausible } : {}),
  };
}

/** `date_updated` identifies the change across webhook and poll; without it, the webhook's second. */
function observedAt(dateUpdated: string | undefined, timestamp: number): string {
  if (dateUpdated) {
    const parsed = z
      .string()
      .check(z.regex(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$/))
      .safeParse(dateUpdated);
    if (parsed.success) return parseSendcloudDate(parsed.data).toISOString();
  }
  return new Date(Math.floor(timestamp / 1000) * 1000).toISOString();
}
