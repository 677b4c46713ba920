import { endpoint } from './endpoints';
import type { SendcloudHttp } from './SendcloudHttp';
import { type DocumentFormat, type DocumentType, LabelResponse } from './schemas';

const MEDIA_TYPES: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'application/pdf',
  zpl: 'application/zpl',
  png: 'image/png',
};

export type NormalPrinterPosition = 0 | 1 | 2 | 3;

/**
 * Labels API (PDF only) and parcel documents (PDF, ZPL, PNG by `Accept`). URLs are built from ids on the
 * configured base, never taken from a response, so credentials go nowhere else.
 */
export class LabelsApi {
  readonly #http: SendcloudHttp;
  readonly #base: string;

  constructor(http: SendcloudHttp, options: { readonly baseUrl: string }) {
    this.#http = http;
    this.#base = options.baseUrl;
  }

  /** A6 label-printer PDF for one parcel, or one merged PDF for many. */
  labelPrinterPdf(ids: number | readonly number[]): Promise<Uint8Array> {
    const url = Array.isArray(ids)
      ? endpoint(this.#base, '/labels/label_printer', { ids: requireIds(ids) })
      : endpoint(this.#base, `/labels/label_printer/${ids}`);
    return this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES.pdf, retry: true });
  }

  /** A4 sheet with four labels a page; `startFrom` skips used positions (0 top-left … 3 bottom-right). */
  normalPrinterPdf(
    ids: number | readonly number[],
    startFrom: NormalPrinterPosition = 0,
  ): Promise<Uint8Array> {
    const url = Array.isArray(ids)
      ? endpoint(this.#base, '/labels/normal_printer', { ids: requireIds(ids), start_from: startFrom })
      : endpoint(this.#base, `/labels/normal_printer/${ids}`, { start_from: startFrom });
    return this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES.pdf, retry: true });
  }

  /** The label links of one parcel (`GET /labels/{id}`). */
  links(id: number): Promise<LabelResponse> {
    return this.#http.json(
      { method: 'GET', url: endpoint(this.#base, `/labels/${id}`), retry: true },
      LabelResponse,
    );
  }

  /** Links to merged label files for many parcels (`POST /labels`; creates nothing, so it may be retried). */
  bulkLinks(ids: readonly number[]): Promise<LabelResponse> {
    return this.#http.json(
      {
        method: 'POST',
        url: endpoint(this.#base, '/labels'),
        json: { label: { parcels: requireIds(ids) } },
        retry: true,
      },
      LabelResponse,
    );
  }

  /** A parcel document in the requested format; ZPL comes in the carrier's native resolution. */
  document(
    id: number,
    options: {
      readonly type?: DocumentType;
      readonly format?: DocumentFormat;
      readonly dpi?: 72 | 150 | 203 | 300 | 600;
    } = {},
  ): Promise<Uint8Array> {
    const format = options.format ?? 'pdf';
    const url = endpoint(this.#base, `/parcels/${id}/documents/${options.type ?? 'label'}`, {
      dpi: options.dpi,
    });
    return this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES[format], retry: true });
  }
}

function requireIds(ids: readonly number[]): readonly number[] {
  if (ids.length === 0) throw new RangeError('at least one parcel id is needed');
  return ids;
}
