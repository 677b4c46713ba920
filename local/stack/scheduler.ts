import type { Context, ScheduledEvent } from 'aws-lambda';
import { type InvocationOptions, invoke, LambdaInvocationError } from './invoke';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface Job {
  readonly name: string;
  /** Runs every so often; 0 = on demand only (`POST /_local/jobs/{name}`). */
  readonly everyMs: number;
  readonly handler: ScheduledHandler;
  /** Run once when the stack starts (e.g. sweeps that recover what an in-memory queue lost). */
  readonly runAtStart?: boolean;
  /** The function's configured timeout; past it the run fails. Default 30 s. */
  readonly timeoutSeconds?: number;
  /** The function's configured memory, for the memory report. Default 256 MB. */
  readonly memoryMb?: number;
}

/**
 * EventBridge Scheduler stand-in: jobs on a timer and on demand, never two runs of one job at once. A run
 * resolves to the function's response and fails as its invocation would (error, timeout, limits).
 */
export class LocalScheduler {
  readonly #jobs: readonly Job[];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Map<string, Promise<unknown>>();
  readonly #invocation: InvocationOptions;

  constructor(jobs: readonly Job[], options: { readonly invocation?: InvocationOptions } = {}) {
    this.#jobs = jobs;
    this.#invocation = options.invocation ?? {};
  }

  start(): void {
    for (const job of this.#jobs) {
      if (job.everyMs <= 0) continue;
      const timer = setInterval(() => void this.run(job.name).catch(logFailure), job.everyMs);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  runAtStart(): void {
    for (const job of this.#jobs) if (job.runAtStart) void this.run(job.name).catch(logFailure);
  }

  names(): string[] {
    return this.#jobs.map((j) => j.name);
  }

  run(name: string): Promise<unknown> {
    const job = this.#jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job ${name}`));
    const current = this.#running.get(name);
    if (current) return current;
    const event: ScheduledEvent = {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '000000000000',
      time: new Date().toISOString(),
      region: process.env.AWS_REGION ?? 'eu-west-1',
      resources: [`arn:aws:scheduler:local:000000000000:schedule/default/${name}`],
      detail: {},
    };
    const run = invoke(job, event, this.#invocation).finally(() => this.#running.delete(name));
    this.#running.set(name, run);
    return run;
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }
}

function logFailure(error: unknown): void {
  if (error instanceof LambdaInvocationError) console.error(`[scheduler] ${error.code} ${error.message}`);
}
