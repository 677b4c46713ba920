import { CatalogApi } from './CatalogApi';
import { CheckoutApi } from './CheckoutApi';
import { LabelsApi } from './LabelsApi';
import { ParcelsApi } from './ParcelsApi';
import { sleep } from './RateLimiter';
import { ReturnsApi } from './ReturnsApi';
import { SendcloudHttp, type SendcloudHttpOptions } from './SendcloudHttp';
import { ServicePointsApi } from './ServicePointsApi';

export const SENDCLOUD_BASE_URL = 'https://panel.sendcloud.sc/api/v2';
export const SENDCLOUD_SERVICE_POINTS_BASE_URL = 'https://servicepoints.sendcloud.sc/api/v2';

export interface SendcloudClientOptions extends SendcloudHttpOptions {
  /** Panel API v2. Default `https://panel.sendcloud.sc/api/v2`; the simulator's URL locally. */
  readonly baseUrl?: string;
  /** Service points v2 live on their own host. Default `https://servicepoints.sendcloud.sc/api/v2`. */
  readonly servicePointsBaseUrl?: string;
}

/**
 * SendCloud API v2 for one set of credentials (one account or integration). Every call is rate limited,
 * timed out, typed by zod, and its failures are errors of one family (`SendcloudError`).
 */
export class SendcloudClient {
  readonly parcels: ParcelsApi;
  readonly labels: LabelsApi;
  readonly catalog: CatalogApi;
  readonly servicePoints: ServicePointsApi;
  readonly returns: ReturnsApi;
  readonly checkout: CheckoutApi;

  constructor(options: SendcloudClientOptions) {
    const http = new SendcloudHttp(options);
    const baseUrl = options.baseUrl ?? SENDCLOUD_BASE_URL;
    const servicePointsBaseUrl = options.servicePointsBaseUrl ?? SENDCLOUD_SERVICE_POINTS_BASE_URL;
    this.parcels = new ParcelsApi(http, { baseUrl, sleep: options.sleep ?? sleep });
    this.labels = new LabelsApi(http, { baseUrl });
    this.catalog = new CatalogApi(http, { baseUrl });
    this.servicePoints = new ServicePointsApi(http, { servicePointsBaseUrl });
    this.returns = new ReturnsApi(http, this.parcels, { baseUrl });
    this.checkout = new CheckoutApi(http, { baseUrl });
  }
}
