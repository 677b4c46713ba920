import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../esbuild.config.mjs';
import { BridgeFunction } from '../../infra/constructs/BridgeFunction';

const packageOf = (path: string): string[] => {
  const found = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  return found ? [found] : [];
};

/** The input modules of the outputs loaded at cold start (index.mjs and its static imports), and of the rest. */
function split(metafile: Metafile) {
  const init = new Set<string>();
  const visit = (file: string) => {
    const output = metafile.outputs[file];
    if (init.has(file) || !output) return;
    init.add(file);
    for (const imported of output.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(Object.keys(metafile.outputs).find((file) => file.endsWith('/index.mjs')) ?? '');
  const inputsOf = (files: string[]) =>
    new Set(files.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {})));
  const chunks = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
  return {
    init: inputsOf(chunks.filter((file) => init.has(file))),
    lazy: inputsOf(chunks.filter((file) => !init.has(file))),
  };
}

async function bundleOf(name: string) {
  const bundle = await bundleFunction(name, { write: false });
  const { init, lazy } = split(bundle.metafile);
  return { ...bundle, init, lazy, initPackages: new Set([...init].flatMap(packageOf)) };
}

// Representative entries, built as CDK builds them (≈ 1 s each); `npm run build` checks every function.
describe('Lambda bundles', () => {
  it('a route that only reads the table carries no PDF, barcode or X-Ray code and stays within its budget', async () => {
    const bundle = await bundleOf('get-order');

    expect([...bundle.init, ...bundle.lazy].flatMap(packageOf)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(pdf-lib|@pdf-lib\/|bwip-js|aws-xray-sdk-core|pako)/)]),
    );
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });

  it('a scheduled job builds only its own adapters and stays within its budget', async () => {
    const bundle = await bundleOf('check-stuck-parcels');

    expect(bundle.initPackages.has('ky')).toBe(false); // no SendCloud client: it never calls SendCloud
    expect(bundle.initPackages.has('@aws-lambda-powertools/tracer')).toBe(false);
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });

  it('loads a SendCloud API version’s adapter only when an account on that version is first served', async () => {
    const bundle = await bundleOf('routing-rules');

    for (const adapter of ['shared/sendcloud/V2Port.ts', 'shared/sendcloud/v3/V3Port.ts']) {
      expect(bundle.init.has(adapter)).toBe(false);
      expect(bundle.lazy.has(adapter)).toBe(true);
    }
    expect(bundle.initPackages.has('ky')).toBe(false);
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });

  it.each(['explain-routing', 'delivery-options'])(
    '%s routes without the S3 and EventBridge clients: it stores no label and publishes no event',
    async (name) => {
      const bundle = await bundleOf(name);

      expect(bundle.initPackages).toContain('@aws-sdk/client-dynamodb');
      expect(bundle.initPackages.has('@aws-sdk/client-s3')).toBe(false);
      expect(bundle.initPackages.has('@aws-sdk/client-eventbridge')).toBe(false);
    },
  );

  it('the label route loads pdf-lib only when a request composes a PDF', async () => {
    const bundle = await bundleOf('get-order-label');

    expect(bundle.initPackages.has('pdf-lib')).toBe(false);
    expect([...bundle.lazy].flatMap(packageOf)).toContain('pdf-lib');
    expect(bundle.kib).toBeLessThanOrEqual(bundle.budgetKiB);
  });

  it('carries the AWS SDK it uses, counted apart from the budget, and imports no package at run time', async () => {
    const bundle = await bundleOf('get-order');

    const imports = Object.values(bundle.metafile.outputs).flatMap((output) => output.imports);
    expect(imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path)).toEqual([]);
    expect(bundle.initPackages).toContain('@aws-sdk/client-dynamodb');
    expect(bundle.initPackages.has('@aws-sdk/client-s3')).toBe(false); // it reads the table only
    expect(bundle.sdkKiB).toBeGreaterThan(100);
    expect(bundle.kib + bundle.sdkKiB).toBeLessThanOrEqual(bundle.loadKiB);
  });

  it('every file of a split asset loads on its own, as Lambda’s ESM loader finds them beside index.mjs', async () => {
    // Outside the project: no node_modules in reach, as in Lambda's /var/task (the SDK is inside the asset).
    const outdir = mkdtempSync(join(tmpdir(), 'bundles-test-'));
    try {
      const bundle = await bundleFunction('get-order-label', { outdir });
      const files = readdirSync(bundle.outdir).filter((file) => file.endsWith('.mjs'));
      const script = `for (const file of ${JSON.stringify(files)}) await import(${JSON.stringify(`${bundle.outdir}/`)} + file); console.log(typeof (await import(${JSON.stringify(bundle.outfile)})).handler);`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH ?? '',
          TABLE_NAME: 'bundles-test',
          LABEL_BUCKET: 'bundles-test',
          SENDCLOUD_CREDENTIALS_SECRET_ARN:
            'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bundles-test',
          AWS_REGION: 'eu-west-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        encoding: 'utf8',
      });

      expect(files.length).toBeGreaterThan(1);
      expect(run.stderr.split('\n').slice(-3).join('\n')).toBe('');
      expect(run.stdout.trim()).toBe('function');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('gives each function the asset of its own entry, index.mjs with its chunks, as CDK stages it', () => {
    // Prepare: bundling on (the stack tests skip it), two functions
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-bundles-')) });
    const stack = new Stack(app, 'Bundles');
    for (const entry of ['get-order', 'routing-rules'])
      new BridgeFunction(stack, entry, {
        entry,
        description: entry,
        logRetention: RetentionDays.ONE_WEEK,
        logLevel: 'INFO',
      });

    try {
      // Act
      const assembly = app.synth();
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');

      // Assess
      const props = Object.values(functions).map(
        (fn) => (fn as { Properties: { Code: { S3Key: string }; Handler: string } }).Properties,
      );
      expect(new Set(props.map((p) => p.Code.S3Key)).size).toBe(2);
      expect(props.map((p) => p.Handler)).toEqual(['index.handler', 'index.handler']);
      const staged = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
      const routing = staged
        .map((name) => readdirSync(join(assembly.directory, name)))
        .find((files) => files.some((file) => file.startsWith('V3Port-')));
      expect(routing).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });
});
