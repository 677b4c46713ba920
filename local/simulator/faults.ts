import * as z from 'zod';

/**
 * Faults injected per route through `POST /__sim/faults`. `path` is a regular expression matched against
 * the path below `/api/v2` (or `/servicepoints/api/v2`), e.g. `^/parcels$`.
 */
export const FaultInput = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).optional(),
  path: z.string().min(1),
  kind: z.enum([
    /** answer `status` (5xx: an HTML error page, like a load balancer) */
    'status',
    /** 429 with an empty body */
    'rate_limit',
    /** never answer; the client times out */
    'timeout',
    /** answer normally after `delayMs` */
    'slow',
    /** drop the connection before answering */
    'reset',
    /** 200 with a truncated JSON body */
    'malformed',
    /** the carrier refuses the announcement: 400, and the parcel stays with status 1002 */
    'carrier_reject',
    /** process the request fully, then drop the connection: the client never learns it worked */
    'drop_response',
  ]),
  status: z.number().int().min(400).max(599).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  message: z.string().optional(),
  /** How many matching requests this fault hits; omitted → all of them until cleared. */
  count: z.number().int().positive().optional(),
  account: z.string().optional(),
});
export type FaultInput = z.infer<typeof FaultInput>;

export interface Fault extends FaultInput {
  readonly id: number;
  remaining: number | null;
  hits: number;
}

export class Faults {
  readonly list: Fault[] = [];
  #nextId = 1;

  add(input: FaultInput): Fault {
    new RegExp(input.path);
    const fault: Fault = { ...input, id: this.#nextId++, remaining: input.count ?? null, hits: 0 };
    this.list.push(fault);
    return fault;
  }

  /** The first live fault for this request, consumed once. */
  take(method: string, path: string, accountId: string | undefined): Fault | undefined {
    const fault = this.list.find(
      (f) =>
        (f.remaining === null || f.remaining > 0) &&
        (!f.method || f.method === method) &&
        (!f.account || f.account === accountId) &&
        new RegExp(f.path).test(path),
    );
    if (!fault) return undefined;
    fault.hits++;
    if (fault.remaining !== null) fault.remaining--;
    return fault;
  }

  clear(): void {
    this.list.length = 0;
  }
}
