/** A parcel asked for in a bulk label call, with what its label must show. */
export interface BulkParcel {
  readonly id: number;
  readonly trackingNumber: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The tracking number as a whole token: `3SABC1` is not found inside `3SABC12`. */
const mentions = (text: string, trackingNumber: string): boolean =>
  new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(trackingNumber)}(?![A-Za-z0-9])`).test(text);

/**
 * Which page of a merged label file is which parcel's, by content alone: SendCloud documents no page order.
 * A parcel gets the one page that shows its tracking number and no other requested parcel's. Nothing is
 * guessed: when the file has more or fewer pages than parcels, or a page shows no requested tracking number
 * (or several), any label could span pages, so no parcel is matched; a parcel shown on two pages, or on none,
 * is left out. Every parcel left out is fetched on its own by the caller. Returns parcel id → page index.
 */
export function matchPages(
  pageTexts: readonly string[],
  parcels: readonly BulkParcel[],
): Map<number, number> {
  const matched = new Map<number, number>();
  if (pageTexts.length !== parcels.length) return matched;
  const owners = pageTexts.map((text) => parcels.filter((p) => mentions(text, p.trackingNumber)));
  if (owners.some((shown) => shown.length !== 1)) return matched;
  for (const parcel of parcels) {
    const pages = owners.flatMap((shown, index) => (shown[0] === parcel ? [index] : []));
    const [only] = pages;
    if (pages.length === 1 && only !== undefined) matched.set(parcel.id, only);
  }
  return matched;
}
