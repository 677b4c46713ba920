import type { BuildOptions, Metafile } from 'esbuild';
export declare const lambdaBuildOptions: BuildOptions;
export declare const BUNDLE_BUDGETS_KIB: Readonly<Record<string, number>> & { readonly default: number };
export declare function budgetKiB(name: string): number;
export declare function functionNames(): string[];
export interface FunctionBundle {
  readonly name: string;
  /** dist/<name>/ (or <outdir>/<name>/): index.mjs and its chunks. */
  readonly outdir: string;
  /** The entry, index.mjs. */
  readonly outfile: string;
  /**
   * Bytes of own modules loaded at cold start (index.mjs and the chunks it imports statically): the AWS SDK's
   * modules and the glue between chunks not counted (the budget's measure).
   */
  readonly bytes: number;
  readonly kib: number;
  readonly budgetKiB: number;
  /** The AWS SDK's modules loaded at cold start (bundled in, and the packages only it imports). */
  readonly sdkKiB: number;
  /** Every byte loaded at cold start: own modules, the SDK's and the glue between chunks. */
  readonly loadKiB: number;
  /** Own code at cold start plus the largest single lazy import (with its chunks); a request may load several. */
  readonly withLazyKiB: number;
  /** Every .mjs file of the asset. */
  readonly assetKiB: number;
  /** Each lazily imported chunk, and the KiB it loads beyond the cold start's. */
  readonly lazy: ReadonlyArray<{ readonly file: string; readonly kib: number }>;
  /** The files loaded at cold start (paths as in the metafile, relative to the project). */
  readonly initFiles: readonly string[];
  readonly metafile: Metafile;
}
/** The inputs of a build that belong to the AWS SDK, and the packages only they import. */
export declare function sdkInputs(metafile: Metafile): Set<string>;
export declare function analyse(name: string, outdir: string, metafile: Metafile): FunctionBundle;
export declare function bundleFunction(
  name: string,
  options?: { readonly outdir?: string; readonly write?: boolean; readonly external?: string[] },
): Promise<FunctionBundle>;
export declare function bundleFunctionSync(entry: string, outdir: string): FunctionBundle;
