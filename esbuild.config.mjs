// Bundles one Lambda entry per functions/*.ts into dist/<name>/ — the asset CDK deploys (BridgeFunction builds
// it with `bundleFunctionSync`): ESM for node22 on arm64, the AWS SDK bundled in (tree-shaken to the clients
// and commands the function uses, at the version the tests ran against; the runtime's own copy took 1.6–2×
// as long to load, see the README's benchmarks), and code that only some requests need (one SendCloud API
// version, PDF composition, the SDK's other credential providers) split into chunks the entry `import()`s
// when a request first needs them. Prints each function's initial load against its budget and exits 1 when
// one is over (`--warn`: print only); bench/bundles.ts says what weighs what.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = import.meta.dirname;
const functionsDir = join(root, 'functions');

const builtins = new Set(builtinModules);

/**
 * Node's own modules through `require` instead of `import`: an ESM import of a builtin builds its namespace,
 * which runs every lazy getter it has (`process.stdin` opens stdin, `crypto.webcrypto`, `fs.promises`,
 * `http.WebSocket` loads undici) at cold start; esbuild's interop reads an export only when it is used.
 */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind !== 'import-statement' || !builtins.has(name)) return undefined;
      return { path: name, namespace: 'node-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

export const lambdaBuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: true,
  // Stack traces map to file and line without the sources inside: a map a quarter the size, which Node reads
  // at cold start under --enable-source-maps (the house construct sets it).
  sourcesContent: false,
  // Lazy `import()`s become chunks beside index.mjs; Lambda's ESM loader resolves them from the asset.
  splitting: true,
  entryNames: 'index',
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  // ESM bundles of CommonJS dependencies need `require` (in every chunk: each is a module of its own).
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [builtinsThroughRequire],
};

/**
 * Minified KiB of its own a function may load at cold start (issue 16): API and job functions carry only their
 * own adapters; the worker also merges labels (pdf-lib). The AWS SDK bundled beside them is counted apart
 * (`sdkKiB`): the budgets were set with the SDK left to the runtime, and what of the SDK a function loads is
 * fixed by the clients it uses. Code behind a lazy `import()` is counted where a request loads it
 * (`withLazyKiB`, `assetKiB`), not at cold start.
 */
export const BUNDLE_BUDGETS_KIB = { default: 200, 'order-worker': 600 };

export const budgetKiB = (name) => BUNDLE_BUDGETS_KIB[name] ?? BUNDLE_BUDGETS_KIB.default;

/** Every entry's name (functions/<name>.ts). */
export const functionNames = () =>
  readdirSync(functionsDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => basename(name, '.ts'))
    .sort();

const kibOf = (bytes) => Math.round(bytes / 1024);

/** The outputs `from` reaches through static imports (itself included). */
function staticClosure(outputs, from) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !outputs[file]) return;
    seen.add(file);
    for (const imported of outputs[file].imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(from);
  return seen;
}

/** The AWS SDK's own packages; `sdkInputs` adds the packages only they import. */
const SDK_PACKAGE = /(^|\/)node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//;

/**
 * The inputs of a build that belong to the AWS SDK: its own packages, and every other package that only they
 * import (directly or through each other), e.g. the endpoint cache's `mnemonist`. A package our code imports
 * too (tslib, say) stays ours.
 */
export function sdkInputs(metafile) {
  const importers = new Map();
  for (const [path, input] of Object.entries(metafile.inputs))
    for (const imported of input.imports)
      importers.set(imported.path, [...(importers.get(imported.path) ?? []), path]);
  const sdk = new Set(Object.keys(metafile.inputs).filter((path) => SDK_PACKAGE.test(path)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const path of Object.keys(metafile.inputs)) {
      if (sdk.has(path) || !path.includes('node_modules/')) continue;
      const by = importers.get(path) ?? [];
      if (by.length > 0 && by.every((importer) => sdk.has(importer))) {
        sdk.add(path);
        grew = true;
      }
    }
  }
  return sdk;
}

/**
 * What a build made, from esbuild's metafile: the entry and every chunk (.mjs, source maps not counted), the
 * bytes loaded at cold start (`initBytes`: the entry and what it imports statically), of them the AWS SDK's,
 * and for each lazily imported chunk what a request that first needs it loads on top.
 */
export function analyse(name, outdir, metafile) {
  const outputs = Object.fromEntries(
    Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs')),
  );
  const entry = Object.keys(outputs).find((file) => basename(file) === 'index.mjs') ?? '';
  const sum = (files) => [...files].reduce((total, file) => total + (outputs[file]?.bytes ?? 0), 0);
  const init = staticClosure(outputs, entry);
  const lazyEntries = new Set(
    Object.values(outputs).flatMap((output) =>
      output.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => i.path),
    ),
  );
  const lazy = [...lazyEntries].map((file) => {
    const extra = [...staticClosure(outputs, file)].filter((f) => !init.has(f));
    return { file: basename(file), kib: kibOf(sum(extra)) };
  });
  const initBytes = sum(init);
  // Module code loaded at cold start, the SDK's and ours; the rest of those files is glue (the imports and
  // exports between chunks, each chunk's banner), which grows with the number of chunks, not with the code.
  const sdk = sdkInputs(metafile);
  let sdkBytes = 0;
  let ownBytes = 0;
  for (const file of init)
    for (const [path, input] of Object.entries(outputs[file]?.inputs ?? {}))
      if (sdk.has(path)) sdkBytes += input.bytesInOutput;
      else ownBytes += input.bytesInOutput;
  const assetBytes = sum(Object.keys(outputs));
  return {
    name,
    outdir,
    outfile: join(outdir, 'index.mjs'),
    /** Own modules loaded at cold start: everything but the AWS SDK and the glue (the budget's measure). */
    bytes: ownBytes,
    kib: kibOf(ownBytes),
    /** The AWS SDK's modules loaded at cold start. */
    sdkKiB: kibOf(sdkBytes),
    /** Every byte loaded at cold start: own modules, the SDK's and the glue between chunks. */
    loadKiB: kibOf(initBytes),
    budgetKiB: budgetKiB(name),
    /**
     * Own code at cold start plus the largest single lazy import (with the chunks it imports); a request may
     * load several.
     */
    withLazyKiB: kibOf(ownBytes) + Math.max(0, ...lazy.map((l) => l.kib)),
    /** Every .mjs file of the asset. */
    assetKiB: kibOf(assetBytes),
    lazy,
    /** The files loaded at cold start (paths as in the metafile). */
    initFiles: [...init],
    metafile,
  };
}

function optionsFor(name, options) {
  const outdir = options.outdir ? join(options.outdir, name) : join(root, 'dist', name);
  return {
    outdir,
    build: {
      ...lambdaBuildOptions,
      entryPoints: [join(functionsDir, `${name}.ts`)],
      outdir,
      ...(options.external ? { external: options.external } : {}),
      metafile: true,
      write: options.outdir !== undefined || options.write !== false,
    },
  };
}

/**
 * Bundles one function as it is deployed: into dist/<name>/ unless `outdir` (then <outdir>/<name>/), in
 * memory with `write: false`; `external` leaves packages out (`['@aws-sdk/*']`: the runtime's copy, as the
 * benchmark compares). A written bundle
 * replaces the folder, so no chunk of an earlier build is left in it.
 */
export async function bundleFunction(name, options = {}) {
  const { outdir, build: buildOptions } = optionsFor(name, options);
  if (buildOptions.write) rmSync(outdir, { recursive: true, force: true });
  const result = await build(buildOptions);
  return analyse(name, outdir, result.metafile);
}

/**
 * The same bundle of `entry` (a function's name, or the path of its entry file) written into `outdir` itself,
 * synchronously: CDK's local bundling is synchronous, and esbuild runs plugins only in its asynchronous API,
 * so the build runs in a child process (this file, `--into`) that is waited for.
 */
export function bundleFunctionSync(entry, outdir) {
  const name = basename(entry, '.ts');
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--into', outdir, entry], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bundling ${name} failed: ${run.stderr.trim() || run.error}`);
  return analyse(name, outdir, JSON.parse(run.stdout));
}

/** `--into <outdir> <entry>`: what `bundleFunctionSync` runs; prints the metafile. */
async function bundleInto(outdir, entry) {
  const name = basename(entry, '.ts');
  const entryPoints = [entry.endsWith('.ts') ? entry : join(functionsDir, `${name}.ts`)];
  const result = await build({ ...optionsFor(name, { outdir }).build, entryPoints, outdir });
  process.stdout.write(JSON.stringify(result.metafile));
}

const runDirectly = process.argv[1] === fileURLToPath(import.meta.url);
const into = process.argv.indexOf('--into');
if (runDirectly && into > 0) {
  await bundleInto(process.argv[into + 1], process.argv[into + 2]);
} else if (runDirectly) {
  const names = functionNames();
  if (names.length === 0) console.log('No functions/*.ts entries yet.');
  const rows = [];
  for (const name of names) {
    const bundle = await bundleFunction(name);
    rows.push({
      function: name,
      'init KiB': bundle.kib,
      'budget KiB': bundle.budgetKiB,
      '': bundle.kib > bundle.budgetKiB ? 'OVER' : 'ok',
      'AWS SDK KiB': bundle.sdkKiB,
      'loaded KiB': bundle.loadKiB,
      'with lazy KiB': bundle.withLazyKiB,
      'asset KiB': bundle.assetKiB,
    });
  }
  console.table(rows);
  console.log(
    'init: own modules loaded at cold start; AWS SDK: its modules loaded beside them; loaded: both and the glue between chunks; with lazy: init plus the largest single lazy import (a request may load several); asset: every file.',
  );
  const over = rows.filter((row) => row[''] === 'OVER');
  if (over.length > 0) {
    console.error(
      `${over.length} bundle(s) over budget: ${over.map((row) => row.function).join(', ')}. ` +
        'Find what pulls what with `npx tsx bench/bundles.ts --why <function>`.',
    );
    if (!process.argv.includes('--warn')) process.exitCode = 1;
  }
}
