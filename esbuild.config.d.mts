import type { BuildOptions, Metafile } from 'esbuild';
export declare const lambdaBuildOptions: BuildOptions;
export declare const BUNDLE_BUDGETS_KIB: Readonly<Record<string, number>> & { readonly default: number };
export declare function budgetKiB(name: string): number;
export declare function functionNames(): string[];
export declare function bundleFunction(
  name: string,
  options?: { readonly outdir?: string; readonly write?: boolean; readonly external?: string[] },
): Promise<{
  name: string;
  outfile: string;
  bytes: number;
  kib: number;
  budgetKiB: number;
  metafile: Metafile;
}>;
