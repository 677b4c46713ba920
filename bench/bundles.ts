import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { bundleFunction, functionNames, lambdaBuildOptions } from '../esbuild.config.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundle size against budget and cold module initialisation per Lambda, the way Lambda loads it: the asset
 * CDK deploys (index.mjs and the chunks it imports statically, the AWS SDK bundled in), imported by a fresh
 * Node 22 process (the `node@22` npm package; Lambda runs nodejs22.x) with `--enable-source-maps`, as the house
 * construct sets. The figure is the median of `runs` imports, each in its own process: module evaluation and
 * the handler's module scope, not the runtime's own start, and not the chunks a request loads later
 * (`withLazyKiB` says how much that can be). `--sdk runtime` times the same functions built with the SDK left
 * out and resolved from node_modules, as it was deployed before: the runtime's copy, hundreds of CommonJS files.
 *
 * `npx tsx bench/bundles.ts` prints the table; `--why <function> [module…]` says which modules weigh most in
 * that bundle and, for each module named (a path fragment such as `pdf-lib/es/index.js`), the import chain
 * from the entry that pulls it in.
 */

export interface LambdaFigures {
  readonly function: string;
  /** Own modules loaded at cold start (index.mjs and the chunks it imports statically), the SDK not counted. */
  readonly bundleKiB: number;
  readonly budgetKiB: number;
  /** The AWS SDK's modules loaded at cold start beside them. */
  readonly sdkKiB: number;
  /** Cold start plus the largest single lazy import (a SendCloud API version's adapter, pdf-lib). */
  readonly withLazyKiB: number;
  /** Every file of the asset. */
  readonly assetKiB: number;
  /** Wall clock of the import (median). */
  readonly coldInitMs: number;
  /** CPU time of the import (median): closer to an idle machine's wall clock when this one is busy. */
  readonly coldInitCpuMs: number;
  /**
   * Wall clock of importing only the AWS SDK code the function loads at cold start (what its code imports from
   * `@aws-sdk/*`, bundled the same way): the share that the clients a function uses fix.
   */
  readonly sdkInitMs: number;
  /** The function's own modules (its code, zod, Powertools, middy): median of (function − SDK share) over runs. */
  readonly ownInitMs: number;
  /** The same in CPU time. */
  readonly ownInitCpuMs: number;
}

/** Environment the handlers' module scope reads (names only; nothing is called at import). */
const PROBE_ENV = {
  TABLE_NAME: 'bench',
  IDEMPOTENCY_TABLE_NAME: 'bench-idem',
  ORDERS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench',
  LABEL_BUCKET: 'bench',
  EVENT_BUS_NAME: 'bench',
  SENDCLOUD_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'sendcloud-bridge',
  POWERTOOLS_METRICS_NAMESPACE: 'SendcloudBridge',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The Node 22 binary (`npx -y node@22`), or this process's Node when it cannot be had (then say so). */
export function node22(): { readonly path: string; readonly version: string } {
  const found = spawnSync('npx', ['-y', 'node@22', '-p', 'process.execPath + " " + process.version'], {
    encoding: 'utf8',
  });
  const [path, version] = found.status === 0 ? found.stdout.trim().split(' ') : [];
  return path && version ? { path, version } : { path: process.execPath, version: process.version };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Milliseconds to import the bundle in a fresh process, median of `runs`: wall clock, and the CPU the import
 * took (user + system), which a machine shared with other work inflates much less.
 */
export function coldInit(
  outfile: string,
  options: { readonly node: string; readonly runs: number },
): { readonly wallMs: number; readonly cpuMs: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  const script = [
    'const c = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(outfile)});`,
    'const used = process.cpuUsage(c);',
    'console.log(JSON.stringify([performance.now() - t, (used.user + used.system) / 1000]));',
  ].join(' ');
  for (let i = 0; i < options.runs; i++) {
    const probe = spawnSync(options.node, ['--enable-source-maps', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...PROBE_ENV },
      encoding: 'utf8',
    });
    const figures: unknown =
      probe.status === 0 ? JSON.parse(probe.stdout.trim().split('\n').pop() ?? '') : [];
    if (!Array.isArray(figures) || typeof figures[0] !== 'number' || typeof figures[1] !== 'number')
      throw new Error(
        `importing ${outfile} failed: ${probe.stderr.trim().split('\n').slice(0, 5).join(' ')}`,
      );
    wall.push(figures[0]);
    cpu.push(figures[1]);
  }
  return { wallMs: Math.round(median(wall)), cpuMs: Math.round(median(cpu)) };
}

/**
 * A probe entry importing just what `files` (a function's cold-start files built with the SDK left out) import
 * from `@aws-sdk/*`, the same names, kept alive so tree-shaking leaves what the function would load.
 */
export function sdkProbeSource(files: readonly string[]): string {
  const names = new Map<string, Set<string>>();
  const named = /import\s*\{([^}]*)\}\s*from\s*["'](@aws-sdk\/[^"']+)["']/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const [, list = '', pkg = ''] of text.matchAll(named)) {
      const set = names.get(pkg) ?? new Set<string>();
      for (const part of list.split(',')) {
        const name = part
          .trim()
          .split(/\s+as\s+/)[0]
          ?.trim();
        if (name) set.add(name);
      }
      names.set(pkg, set);
    }
  }
  const lines: string[] = [];
  const kept: string[] = [];
  [...names].forEach(([pkg, set], i) => {
    const aliases = [...set].map((name, j) => `${name} as s${i}_${j}`);
    lines.push(`import { ${aliases.join(', ')} } from '${pkg}';`);
    kept.push(...[...set].map((_, j) => `s${i}_${j}`));
  });
  lines.push(`globalThis.__sdkProbe = [${kept.join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

/**
 * Every function's bundle size and cold init, as deployed (`sdk: 'bundled'`, the default), or built with the
 * AWS SDK left out and resolved from node_modules as Lambda resolves the runtime's copy (`'runtime'`).
 */
export async function lambdaFigures(
  options: { readonly runs?: number; readonly node?: string; readonly sdk?: 'bundled' | 'runtime' } = {},
) {
  const node = options.node ?? node22().path;
  // Inside node_modules: a bundle built with the SDK left out resolves it from the project's packages.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const probes = mkdtempSync(join(cache, 'bench-bundles-'));
  const rows: LambdaFigures[] = [];
  try {
    for (const name of functionNames()) {
      const bundle = await bundleFunction(name);
      // What the function's code imports from the SDK: its cold-start files with the SDK left out.
      const withoutSdk = await bundleFunction(name, { outdir: probes, external: ['@aws-sdk/*'] });
      const probe = options.sdk === 'runtime' ? withoutSdk.outfile : bundle.outfile;
      const sdkEntry = join(probes, `${name}-sdk.mjs`);
      writeFileSync(sdkEntry, sdkProbeSource(withoutSdk.initFiles.map((file) => resolve(root, file))));
      await build({
        ...lambdaBuildOptions,
        entryPoints: { index: sdkEntry },
        outdir: join(probes, `${name}-sdk`),
        external: [],
      });
      const sdkProbe = join(probes, `${name}-sdk`, 'index.mjs');
      // The function and its SDK share imported in turns, so a busy spell of the machine weighs on both alike;
      // its own share is the median of the differences.
      const pairs = Array.from({ length: options.runs ?? 5 }, () => ({
        own: coldInit(probe, { node, runs: 1 }),
        sdk: coldInit(sdkProbe, { node, runs: 1 }),
      }));
      const mid = (pick: (pair: (typeof pairs)[number]) => number) => Math.round(median(pairs.map(pick)));
      rows.push({
        function: name,
        bundleKiB: bundle.kib,
        budgetKiB: bundle.budgetKiB,
        sdkKiB: bundle.sdkKiB,
        withLazyKiB: bundle.withLazyKiB,
        assetKiB: bundle.assetKiB,
        coldInitMs: mid((p) => p.own.wallMs),
        coldInitCpuMs: mid((p) => p.own.cpuMs),
        sdkInitMs: mid((p) => p.sdk.wallMs),
        ownInitMs: Math.max(
          0,
          mid((p) => p.own.wallMs - p.sdk.wallMs),
        ),
        ownInitCpuMs: Math.max(
          0,
          mid((p) => p.own.cpuMs - p.sdk.cpuMs),
        ),
      });
    }
  } finally {
    rmSync(probes, { recursive: true, force: true });
  }
  return rows;
}

const groupOf = (path: string): string =>
  path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? path.split('/').slice(0, 2).join('/');

/** The heaviest packages and project folders of some outputs, heaviest first. */
function heaviest(outputs: ReadonlyArray<Metafile['outputs'][string]>, limit: number): string[] {
  const groups = new Map<string, number>();
  for (const output of outputs)
    for (const [path, input] of Object.entries(output.inputs))
      groups.set(groupOf(path), (groups.get(groupOf(path)) ?? 0) + input.bytesInOutput);
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([group, bytes]) => `${String(Math.round(bytes / 1024)).padStart(5)} KiB  ${group}`);
}

/**
 * The heaviest packages and project folders of what a function loads at cold start, then of each chunk it
 * imports lazily, and the import chain from the entry to each module named.
 */
export function why(metafile: Metafile, modules: readonly string[]): string[] {
  const files = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const index = files.find(([file]) => file.endsWith('/index.mjs'));
  if (!index) return [];
  const init = new Set<string>();
  const visit = (file: string) => {
    const output = metafile.outputs[file];
    if (init.has(file) || !output) return;
    init.add(file);
    for (const imported of output.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(index[0]);
  const lines = [
    'at cold start:',
    ...heaviest(
      [...init].flatMap((f) => metafile.outputs[f] ?? []),
      20,
    ),
  ];
  const lazy = files.filter(([file]) => !init.has(file));
  if (lazy.length > 0) lines.push('lazily imported chunks (loaded by the first request that needs them):');
  for (const [file, output] of lazy)
    lines.push(
      `  ${file.split('/').pop()} ${Math.round(output.bytes / 1024)} KiB: ${heaviest([output], 4)
        .map((line) => line.trim())
        .join(', ')}`,
    );
  const importers = new Map<string, string[]>();
  const lazyEdges = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs))
    for (const imported of input.imports) {
      importers.set(imported.path, [...(importers.get(imported.path) ?? []), path]);
      if (imported.kind === 'dynamic-import') lazyEdges.add(`${path} ${imported.path}`);
    }
  for (const fragment of modules) {
    const start = Object.keys(metafile.inputs).find((path) => path.includes(fragment));
    if (!start) {
      lines.push(`${fragment}: not in this bundle`);
      continue;
    }
    // Breadth-first back to the entry: the shortest chain of imports.
    const next = new Map<string, string>();
    const queue = [start];
    let entry = start;
    while (queue.length > 0) {
      const current = queue.shift() ?? '';
      if (current.startsWith('functions/')) {
        entry = current;
        break;
      }
      for (const importer of importers.get(current) ?? [])
        if (!next.has(importer) && importer !== start) {
          next.set(importer, current);
          queue.push(importer);
        }
    }
    const chain = [entry];
    for (let at = next.get(entry), from = entry; at !== undefined; from = at, at = next.get(at))
      chain.push(lazyEdges.has(`${from} ${at}`) ? `${at} (import())` : at);
    lines.push(`${fragment}:\n    ${chain.join('\n    -> ')}`);
  }
  return lines;
}

const runDirectly = import.meta.filename === process.argv[1];
if (runDirectly) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      why: { type: 'string' },
      runs: { type: 'string', default: '5' },
      sdk: { type: 'string', default: 'bundled' },
    },
  });
  if (values.why) {
    const bundle = await bundleFunction(values.why, { write: false });
    console.log(
      `${values.why}: ${bundle.kib} KiB at cold start (budget ${bundle.budgetKiB}), ${bundle.withLazyKiB} KiB with its largest lazy chunk, ${bundle.assetKiB} KiB asset`,
    );
    for (const line of why(bundle.metafile, positionals)) console.log(line);
  } else {
    const node = node22();
    console.log(
      `cold init: median of ${values.runs} fresh imports under Node ${node.version} (${node.path})`,
    );
    const rows = await lambdaFigures({
      node: node.path,
      runs: Number(values.runs),
      ...(values.sdk === 'runtime' ? { sdk: 'runtime' as const } : {}),
    });
    console.table(rows.map((row) => ({ ...row, '': row.bundleKiB > row.budgetKiB ? 'OVER' : 'ok' })));
  }
}
