import { endpoint } from './endpoints';
import type { SendcloudHttp } from './SendcloudHttp';
import {
  type ServicePoint,
  ServicePointAvailability,
  ServicePointCarriers,
  ServicePointList,
  ServicePoint as ServicePointSchema,
  type ServicePointSearchQuery,
} from './schemas';

/** Service points live on their own host (`servicepoints.sendcloud.sc/api/v2`). */
export class ServicePointsApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;

  constructor(http: SendcloudHttp, options: { readonly servicePointsBaseUrl: string }) {
    this.#http = http;
    this.#base = options.servicePointsBaseUrl;
  }

  /** Search; with `latitude`/`longitude` each point carries its `distance` in metres. */
  search(query: ServicePointSearchQuery): Promise<ServicePoint[]> {
    // The trailing slash avoids the 301 SendCloud answers without it.
    const url = endpoint(this.#base, '/service-points/', { ...query });
    return this.#http.json({ method: 'GET', url, retry: true }, ServicePointList);
  }

  get(id: number): Promise<ServicePoint> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, `/service-points/${id}`), retry: true },
      ServicePointSchema,
    );
  }

  carriers(): Promise<string[]> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, '/carriers'), retry: true },
      ServicePointCarriers,
    );
  }

  isAvailable(id: number): Promise<boolean> {
    const url = endpoint(this.#base, `/service-points/${id}/check-availability`);
    return this.#http.json({ method: 'GET', url, retry: true }, ServicePointAvailability);
  }
}
