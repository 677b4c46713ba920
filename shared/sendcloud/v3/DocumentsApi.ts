import { endpoint } from '../endpoints';
import { SendcloudContractError } from '../errors';
import type { LabelFormat } from '../port';
/** Quadrant of an A4 sheet: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right (v2's `start_from`). */
export type A4Position = 0 | 1 | 2 | 3;

/**
 * Puts an A6 label PDF on an A4 sheet (`labelOnA4` in `./a4`). Passed in by the functions that serve A4, so
 * pdf-lib is bundled only where it is used.
 */
export type ComposeA4 = (labelPdf: Uint8Array, position: A4Position) => Promise<Uint8Array>;

import type { V3Http } from './V3Http';

const MEDIA_TYPES: Readonly<Record<LabelFormat, string>> = {
  a6: 'application/pdf',
  zpl: 'application/zpl',
};
/** `parcel-documents/{type}` takes 1 to 20 parcels (S-v3docs). */
export const MAX_BULK_DOCUMENTS = 20;

/**
 * v3 parcel documents, format by `Accept`. PDF labels are asked for at `paper_size=A6` (PDF's only dpi is
 * the default 72); ZPL comes in the carrier's native resolution, so neither size nor dpi is sent for it.
 */
export class DocumentsApi {
  readonly #http: V3Http;
  readonly #base: string;
  readonly #composeA4: ComposeA4 | undefined;

  constructor(
    http: V3Http,
    options: { readonly baseUrl: string; readonly composeA4?: ComposeA4 | undefined },
  ) {
    this.#http = http;
    this.#base = options.baseUrl;
    this.#composeA4 = options.composeA4;
  }

  /** `GET /parcels/{id}/documents/label`. */
  label(parcelId: number, format: LabelFormat): Promise<Uint8Array> {
    const url = endpoint(this.#base, `/parcels/${parcelId}/documents/label`, sizeOf(format));
    return this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES[format], retry: true });
  }

  /** `GET /parcels/{id}/documents/customs-declaration`: PDF only, on its own size (A4). */
  customsDeclaration(parcelId: number): Promise<Uint8Array> {
    const url = endpoint(this.#base, `/parcels/${parcelId}/documents/customs-declaration`);
    return this.#http.bytes({ method: 'GET', url, accept: 'application/pdf', retry: true });
  }

  /**
   * `GET /parcel-documents/label?parcels=1&parcels=2`: one merged file for 1 to 20 parcels. The parameter is
   * an integer array with OpenAPI's default style (form, exploded), so the key repeats; a comma list is refused.
   */
  labels(parcelIds: readonly number[], format: LabelFormat): Promise<Uint8Array> {
    if (parcelIds.length < 1 || parcelIds.length > MAX_BULK_DOCUMENTS)
      throw new RangeError(
        `between 1 and ${MAX_BULK_DOCUMENTS} parcel ids are needed, got ${parcelIds.length}`,
      );
    const url = endpoint(this.#base, '/parcel-documents/label', sizeOf(format));
    for (const id of parcelIds) url.searchParams.append('parcels', String(id));
    return this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES[format], retry: true });
  }

  /** The A6 label composed onto an A4 sheet here: v3 has no `start_from`. */
  async a4Label(parcelId: number, position: A4Position): Promise<Uint8Array> {
    const composeA4 = this.#composeA4;
    if (!composeA4)
      throw new RangeError(
        'this client was built without an A4 composer (SendcloudClients option composeA4)',
      );
    const url = endpoint(this.#base, `/parcels/${parcelId}/documents/label`, sizeOf('a6'));
    const label = await this.#http.bytes({ method: 'GET', url, accept: MEDIA_TYPES.a6, retry: true });
    try {
      return await composeA4(label, position);
    } catch (error) {
      // It starts like a PDF but pdf-lib cannot read or embed it: SendCloud's answer is not a usable label.
      throw new SendcloudContractError({
        method: 'GET',
        path: url.pathname,
        status: 200,
        issues: [{ path: '(body)', message: 'a PDF whose first page cannot be placed on A4' }],
        cause: error,
      });
    }
  }
}

function sizeOf(format: LabelFormat): { paper_size?: 'A6' } {
  return format === 'a6' ? { paper_size: 'A6' } : {};
}
