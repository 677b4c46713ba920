/**
 * pdf-lib pauses with `setTimeout(0)` — a millisecond or more each — every 100 objects it parses and every 50
 * it writes, to keep a browser's page responsive. In a worker that is sleep: ≈ 0.7 s of a 1,000-label
 * end-of-day file's 1.3 s save, and a pause per real carrier label (fonts, images: past 100 objects). The
 * service's PDF work loads and saves without them. (Plain numbers — `ParseSpeeds.Fastest` is Infinity — so that
 * importing these does not load pdf-lib, which the API functions import lazily.)
 */
export const LOAD_AT_ONCE = { parseSpeed: Number.POSITIVE_INFINITY } as const;
export const SAVE_AT_ONCE = { objectsPerTick: Number.POSITIVE_INFINITY } as const;

/**
 * A one-page label cut from a merged file, saved with a classic cross-reference table instead of compressed
 * object streams: deflating two streams per label was most of the cut's CPU (200 cuts of a 20-label file: 109
 * against 234 ms), at 0.8 KB more per label.
 */
export const SAVE_CUT_LABEL = { ...SAVE_AT_ONCE, useObjectStreams: false } as const;
