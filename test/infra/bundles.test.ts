import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../esbuild.config.mjs';

/** Package names whose code is in a bundle (from esbuild's metafile). */
async function bundleOf(name: string) {
  const bundle = await bundleFunction(name, { write: false });
  const packages = new Set(
    Object.keys(bundle.metafile.inputs).flatMap((path) => {
      const found = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
      return found ? [found] : [];
    }),
  );
  return { ...bundle, packages };
}

// Two representative entries, built as CDK builds them (≈ 1 s); `npm run build` checks every function.
describe('Lambda bundles', () => {
  it('a route that only reads the table carries no PDF, barcode or X-Ray code and stays within its budget', async () => {
    const bundle = await bundleOf('get-order');

    expect([...bundle.packages]).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(pdf-lib|@pdf-lib\/|bwip-js|aws-xray-sdk-core|pako)/)]),
    );
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });

  it('a scheduled job builds only its own adapters and stays within its budget', async () => {
    const bundle = await bundleOf('check-stuck-parcels');

    expect(bundle.packages.has('ky')).toBe(false); // no SendCloud client: it never calls SendCloud
    expect(bundle.packages.has('@aws-lambda-powertools/tracer')).toBe(false);
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });
});
