import type { IncomingHttpHeaders } from 'node:http';
import type { SimAccount } from '../accounts';
import type { SimResponse, Simulator } from '../Simulator';
import type { OAuthTokens } from './oauth';
import type { V3Store } from './store';

/** What every v3 handler works with: the shared simulator, the v3 records and the public v3 base URL. */
export interface V3Context {
  readonly sim: Simulator;
  readonly store: V3Store;
  readonly tokens: OAuthTokens;
  /** e.g. `http://127.0.0.1:4010/api/v3`, for links in answers. */
  readonly baseUrl: string;
}

export interface V3Request {
  readonly account: SimAccount;
  readonly method: string;
  /** Below `/api/v3`, e.g. `/shipments/announce`. */
  readonly path: string;
  /** The route pattern's capture groups. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** The JSON body, undefined when there is none (the router refuses bodies that are not JSON). */
  readonly body: unknown;
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  /** Set by a `carrier_reject` fault: the carrier refuses this request's announcement with this message. */
  readonly carrierReject: string | null;
}

export type V3Handler = (ctx: V3Context, req: V3Request) => SimResponse | Promise<SimResponse>;
