// Bundles one Lambda entry per functions/*.ts into dist/<name>/index.mjs the way CDK's NodejsFunction does
// (ESM, node22, arm64 runtime, AWS SDK left to the runtime), and prints each bundle's size.
// CDK bundles on deploy; this script is for inspecting sizes and for the benchmark.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = import.meta.dirname;
const functionsDir = join(root, 'functions');
const entries = readdirSync(functionsDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));

export const lambdaBuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
};

const runDirectly = process.argv[1] === fileURLToPath(import.meta.url);
if (!runDirectly) {
  // imported for its options (the benchmark)
} else if (entries.length === 0) {
  console.log('No functions/*.ts entries yet.');
} else {
  const sizes = [];
  for (const entry of entries) {
    const name = basename(entry, '.ts');
    const outfile = join(root, 'dist', name, 'index.mjs');
    await build({ ...lambdaBuildOptions, entryPoints: [join(functionsDir, entry)], outfile });
    sizes.push({ function: name, 'bundle KiB': Math.round(statSync(outfile).size / 1024) });
  }
  console.table(sizes);
}
