// Bundles one Lambda entry per functions/*.ts into dist/<name>/index.mjs the way CDK's NodejsFunction does
// (ESM, node22, arm64 runtime, AWS SDK left to the runtime), prints each bundle's size against its budget and
// exits 1 when one is over (`--warn`: print only). CDK bundles on deploy; this script is for checking sizes
// and for the benchmark (bench/bundles.ts).
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = import.meta.dirname;
const functionsDir = join(root, 'functions');

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

/**
 * Minified KiB a function's bundle may reach (issue 16): API and job functions carry only their own adapters;
 * the worker also merges labels (pdf-lib).
 */
export const BUNDLE_BUDGETS_KIB = { default: 200, 'order-worker': 600 };

export const budgetKiB = (name) => BUNDLE_BUDGETS_KIB[name] ?? BUNDLE_BUDGETS_KIB.default;

/** Every entry's name (functions/<name>.ts). */
export const functionNames = () =>
  readdirSync(functionsDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => basename(name, '.ts'))
    .sort();

/**
 * Bundles one function as CDK would: into dist/ unless `outdir`, in memory with `write: false`; `external`
 * replaces the SDK's exclusion (cold-init probes). Returns its size (the .mjs alone, not the source map) and
 * esbuild's metafile, whose `inputs` say which module brought how many bytes.
 */
export async function bundleFunction(name, options = {}) {
  const outfile = join(options.outdir ?? join(root, 'dist'), name, 'index.mjs');
  const result = await build({
    ...lambdaBuildOptions,
    entryPoints: [join(functionsDir, `${name}.ts`)],
    outfile,
    ...(options.external ? { external: options.external } : {}),
    metafile: true,
    write: options.outdir !== undefined || options.write !== false,
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'))?.[1];
  const bytes = output?.bytes ?? 0;
  return {
    name,
    outfile,
    bytes,
    kib: Math.round(bytes / 1024),
    budgetKiB: budgetKiB(name),
    metafile: result.metafile,
  };
}

const runDirectly = process.argv[1] === fileURLToPath(import.meta.url);
if (runDirectly) {
  const names = functionNames();
  if (names.length === 0) console.log('No functions/*.ts entries yet.');
  const rows = [];
  for (const name of names) {
    const { kib, budgetKiB: budget } = await bundleFunction(name);
    rows.push({ function: name, 'bundle KiB': kib, 'budget KiB': budget, '': kib > budget ? 'OVER' : 'ok' });
  }
  console.table(rows);
  const over = rows.filter((row) => row[''] === 'OVER');
  if (over.length > 0) {
    console.error(
      `${over.length} bundle(s) over budget: ${over.map((row) => row.function).join(', ')}. ` +
        'Find what pulls what with `npx tsx bench/bundles.ts --why <function>`.',
    );
    if (!process.argv.includes('--warn')) process.exitCode = 1;
  }
}
