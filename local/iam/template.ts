import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The part of a CloudFormation template local IAM enforcement reads. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly [section: string]: unknown;
}

export interface LocalTemplateOptions {
  /** CDK context for the stage (as `cdk synth -c key=value` would give); `stage` defaults to `local`. */
  readonly stageContext?: Readonly<Record<string, unknown>>;
  /** Where synthesized templates are kept between runs. Default `node_modules/.cache/sendcloud-bridge`. */
  readonly cacheDir?: string;
}

const ROOT = join(import.meta.dirname, '..', '..');
const STACK_NAME = 'SendcloudBridge-local';

const memo = new Map<string, Promise<CfnTemplate>>();

/**
 * The BridgeStack template as `cdk synth` would make it for a local stage, without bundling. Synthesis takes
 * seconds, so the JSON is kept on disk under a hash of the stack's sources and context, and in memory.
 */
export function localTemplate(options: LocalTemplateOptions = {}): Promise<CfnTemplate> {
  const context = { stage: 'local', ...options.stageContext };
  const key = inputsHash(context);
  let template = memo.get(key);
  if (!template) {
    template = cachedOrSynth(
      join(
        options.cacheDir ?? join(ROOT, 'node_modules', '.cache', 'sendcloud-bridge'),
        `template-${key}.json`,
      ),
      context,
    );
    // A failed synth is not remembered: the next call tries again after the sources are fixed.
    template.catch(() => memo.delete(key));
    memo.set(key, template);
  }
  return template;
}

async function cachedOrSynth(file: string, context: Readonly<Record<string, unknown>>): Promise<CfnTemplate> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  } catch {
    const template = await synthesize(context);
    mkdirSync(join(file, '..'), { recursive: true });
    // Written aside and renamed, so a parallel test worker never reads half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(template));
    renameSync(partial, file);
    return template;
  }
}

async function synthesize(context: Readonly<Record<string, unknown>>): Promise<CfnTemplate> {
  // Imported here so a cache hit never loads aws-cdk-lib (itself about a second).
  const [{ App }, { loadStageConfig }, { BridgeStack }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../infra/config'),
    import('../../infra/stacks/BridgeStack'),
  ]);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new BridgeStack(app, STACK_NAME, { config: loadStageConfig(context) });
  return app.synth().getStackByName(STACK_NAME).template as CfnTemplate;
}

/** A hash of what the template is made from: the context, infra/ and every source file it imports, CDK's version. */
function inputsHash(context: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256').update(JSON.stringify(context));
  const inputs = [
    ...sourceClosure(filesUnder(join(ROOT, 'infra'))),
    join(ROOT, 'node_modules/aws-cdk-lib/package.json'),
  ];
  for (const file of inputs)
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The files plus every local module they import, directly or not (`../../shared/store/…`). */
function sourceClosure(files: readonly string[]): string[] {
  const seen = new Set<string>();
  const pending = [...files];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.[cm]?[jt]s$/.test(file)) continue;
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(
      /(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g,
    )) {
      const base = join(dirname(file), specifier);
      const found = [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => isFile(candidate));
      if (found) pending.push(found);
    }
  }
  return [...seen].sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function filesUnder(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => filesUnder(join(path, entry.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [path];
    throw error;
  }
}
