import { pythonJsonDumps } from '../../shared/sendcloud/pythonJson';
import { signSendcloudPayload } from '../../shared/sendcloud/signature';
import type { SimAccount } from './accounts';

/** SendCloud retries 10 times, exponentially from 5 minutes, at most an hour apart (REFERENCE.md §6.3). */
export const RETRY_SCHEDULE_MS: readonly number[] = [5, 10, 20, 40, 60, 60, 60, 60, 60, 60].map(
  (min) => min * 60_000,
);

export interface Delivery {
  readonly id: number;
  readonly accountId: string;
  readonly action: string;
  readonly parcelId: number | null;
  readonly body: string;
  readonly signature: string;
  readonly attempts: Array<{ readonly at: string; readonly status: number | null; readonly error?: string }>;
  state: 'pending' | 'delivered' | 'failed' | 'held';
}

export interface WebhookOptions {
  /** Multiplies SendCloud's retry delays: 1 is real time, 0.001 turns 5 minutes into 300 ms. */
  readonly timeScale: number;
  readonly timeoutMs: number;
}

/**
 * Sends webhook deliveries signed and serialised like SendCloud (Python `json.dumps`, `Sendcloud-Signature`),
 * retries failures on SendCloud's schedule, and on request sends duplicates or holds deliveries to release
 * them in reverse order.
 */
export class WebhookDispatcher {
  readonly deliveries: Delivery[] = [];
  duplicate = false;
  hold = false;
  readonly #options: WebhookOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  #nextId = 1;

  constructor(options: WebhookOptions) {
    this.#options = options;
  }

  send(account: SimAccount, payload: Record<string, unknown> & { action: string }): Delivery | undefined {
    if (!account.webhookUrl) return undefined;
    const body = pythonJsonDumps(payload);
    const parcel = payload.parcel as { id?: number } | undefined;
    const delivery: Delivery = {
      id: this.#nextId++,
      accountId: account.id,
      action: payload.action,
      parcelId: parcel?.id ?? null,
      body,
      signature: signSendcloudPayload(body, account.webhookSecret),
      attempts: [],
      state: this.hold ? 'held' : 'pending',
    };
    this.deliveries.push(delivery);
    if (!this.hold) {
      void this.#attempt(account, delivery, 0);
      if (this.duplicate) void this.#attempt(account, delivery, 0);
    }
    return delivery;
  }

  /** Sends held deliveries one after another, newest first: out of order, as SendCloud may. */
  async release(accounts: ReadonlyMap<string, SimAccount>): Promise<number> {
    const held = this.deliveries.filter((d) => d.state === 'held').reverse();
    for (const delivery of held) {
      const account = accounts.get(delivery.accountId);
      delivery.state = 'pending';
      if (account) await this.#attempt(account, delivery, 0);
    }
    return held.length;
  }

  /** Sends one delivery again now, as the panel's "resend" would. */
  resend(account: SimAccount, deliveryId: number): boolean {
    const delivery = this.deliveries.find((d) => d.id === deliveryId);
    if (!delivery) return false;
    void this.#attempt(account, delivery, 0);
    return true;
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #attempt(account: SimAccount, delivery: Delivery, retry: number): Promise<void> {
    const url = account.webhookUrl;
    if (!url) return;
    let statusCode: number | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'sendcloud-signature': delivery.signature,
          'user-agent': 'Sendcloud-Webhooks/1.0 (simulator)',
        },
        body: delivery.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      statusCode = response.status;
      await response.arrayBuffer();
    } catch (e) {
      error = e instanceof Error ? e.name : 'error';
    }
    delivery.attempts.push({ at: new Date().toISOString(), status: statusCode, ...(error ? { error } : {}) });
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      delivery.state = 'delivered';
      return;
    }
    const delay = RETRY_SCHEDULE_MS[retry];
    if (delay === undefined) {
      delivery.state = 'failed';
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#attempt(account, delivery, retry + 1);
    }, delay * this.#options.timeScale);
    this.#timers.add(timer);
  }
}
