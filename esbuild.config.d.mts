import type { BuildOptions } from 'esbuild';
export declare const lambdaBuildOptions: BuildOptions;
