import type { Context, ScheduledEvent } from 'aws-lambda';
import { lambdaContext } from './lambdaContext';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface Job {
  readonly name: string;
  /** Runs every so often; 0 = on demand only (`POST /_local/jobs/{name}`). */
  readonly everyMs: number;
  readonly handler: ScheduledHandler;
  /** Run once when the stack starts (e.g. sweeps that recover what an in-memory queue lost). */
  readonly runAtStart?: boolean;
}

/** EventBridge Scheduler stand-in: jobs on a timer and on demand, never two runs of one job at once. */
export class LocalScheduler {
  readonly #jobs: readonly Job[];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Map<string, Promise<unknown>>();

  constructor(jobs: readonly Job[]) {
    this.#jobs = jobs;
  }

  start(): void {
    for (const job of this.#jobs) {
      if (job.everyMs <= 0) continue;
      const timer = setInterval(() => void this.run(job.name).catch(() => undefined), job.everyMs);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  runAtStart(): void {
    for (const job of this.#jobs) if (job.runAtStart) void this.run(job.name).catch(() => undefined);
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
    const run = job.handler(event, lambdaContext(name)).finally(() => this.#running.delete(name));
    this.#running.set(name, run);
    return run;
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }
}
