import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { DeployAccessConfig } from '../../infra/deployAccess';

const Step = z.object({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.unknown()).optional(),
});
const Job = z.object({
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  if: z.string().optional(),
  environment: z.union([z.string(), z.object({ name: z.string() })]).optional(),
  permissions: z.record(z.string(), z.string()).optional(),
  concurrency: z
    .union([z.string(), z.object({ group: z.string(), 'cancel-in-progress': z.unknown().optional() })])
    .optional(),
  env: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(Step),
});
const Workflow = z.object({
  on: z.record(z.string(), z.unknown()),
  permissions: z.record(z.string(), z.string()).optional(),
  jobs: z.record(z.string(), Job),
});
type Job = z.infer<typeof Job>;

const source = readFileSync('.github/workflows/ci.yml', 'utf8');
const workflow = Workflow.parse(parse(source));
const jobs = Object.entries(workflow.jobs);
const CI_RUN = readFileSync('.ci/run', 'utf8');

/** The job's shell, with `bash .ci/run` replaced by what .ci/run runs. */
function script(job: Job): string {
  return job.steps
    .flatMap((step) => (step.run ? [step.run] : []))
    .join('\n')
    .replace(/^\s*(bash\s+)?(\.\/)?\.ci\/run\s*$/gm, CI_RUN);
}
const environmentOf = (job: Job) =>
  typeof job.environment === 'object' ? job.environment.name : job.environment;
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
const deployJobs = jobs.filter(([, job]) => /\bcdk deploy\b|npm run deploy\b/.test(script(job)));
const jobNamed = (name: string) => {
  const job = workflow.jobs[name];
  if (!job) throw new Error(`no job ${name}`);
  return job;
};
/** A GitHub repository or environment variable, as a workflow expression. */
const variable = (name: string) => `\${{ vars.${name} }}`;
/** The stage a deploy job deploys: the `-c stage=…` of its deploy command. */
const stageOf = (job: Job) => /deploy\b.*-c stage=([a-z0-9-]+)/.exec(script(job))?.[1];

describe('.github/workflows/ci.yml', () => {
  it('runs on every push and every pull request', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });

  it('has a job that runs what .ci/run runs, then synthesises offline and keeps cdk.out', () => {
    const ciCommands = CI_RUN.split('\n')
      .map((line) => line.trim())
      .filter((line) => /^npm |^export REQUIRE_BROWSER=|apt-get install/.test(line));
    expect(ciCommands).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm test']));

    const testJobs = jobs.filter(([, job]) => ciCommands.every((command) => script(job).includes(command)));
    expect(testJobs.map(([name]) => name)).toEqual(['test']);
    const test = jobNamed('test');
    const shell = script(test);
    expect(shell.indexOf('npm run synth')).toBeGreaterThan(shell.indexOf('npm test'));
    const synth = test.steps.findIndex((step) => step.run?.includes('npm run synth'));
    const upload = test.steps.findIndex((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toBeGreaterThan(synth);
    expect(test.steps[upload]?.with?.path).toBe('cdk.out');
    expect(test.permissions?.['id-token']).toBeUndefined();
  });

  it('pins every action to a major version', () => {
    const uses = jobs.flatMap(([, job]) => job.steps.flatMap((step) => (step.uses ? [step.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });

  it('deploy jobs reach AWS only through an OIDC role session, never stored keys', () => {
    expect(deployJobs.map(([name]) => name).sort()).toEqual(['deploy-dev', 'deploy-prod']);
    for (const [, job] of deployJobs) {
      expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
      const credentials = job.steps.findIndex((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      expect(job.steps[credentials]?.with).toEqual({
        'role-to-assume': variable('AWS_DEPLOY_ROLE_ARN'),
        'aws-region': variable('AWS_REGION'),
      });
      // Dependencies are installed before any credentials exist in the job.
      const install = job.steps.findIndex((step) => step.run?.startsWith('npm ci'));
      expect(install).toBeGreaterThanOrEqual(0);
      expect(install).toBeLessThan(credentials);
    }
    expect(source).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\.AWS_/i,
    );
  });

  it('grants id-token to no job but the deploy jobs', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const withToken = jobs.filter(([, job]) => job.permissions?.['id-token'] === 'write');
    expect(withToken.map(([name]) => name).sort()).toEqual(deployJobs.map(([name]) => name).sort());
  });

  it('deploys dev from pushes to main once tests pass, then prod behind the prod environment', () => {
    const dev = jobNamed('deploy-dev');
    const prod = jobNamed('deploy-prod');
    expect(needsOf(dev)).toContain('test');
    expect(dev.if).toMatch(/github\.event_name == 'push'/);
    expect(dev.if).toMatch(/github\.ref == 'refs\/heads\/main'/);
    expect(needsOf(prod)).toContain('deploy-dev');
    expect(environmentOf(prod)).toBe('prod');
  });

  it('each deploy job deploys its own environment’s stage, and the deploy role trusts those environments', () => {
    const trusted = DeployAccessConfig.parse({ githubRepo: 'acme/shop-bridge' }).environments;
    for (const [name, job] of deployJobs) {
      const environment = environmentOf(job);
      expect(environment, name).toBeDefined();
      expect(stageOf(job), name).toBe(environment);
      expect(script(job), name).toContain(`cdk deploy SendcloudBridge-${environment} `);
      expect(trusted).toContain(environment);
    }
  });

  it('never runs two deploys of one stage at once, nor cancels one halfway', () => {
    const groups = deployJobs.map(([name, job]) => {
      const concurrency = typeof job.concurrency === 'string' ? { group: job.concurrency } : job.concurrency;
      expect(concurrency?.group, name).toContain(String(stageOf(job)));
      expect(concurrency?.['cancel-in-progress'] ?? false, name).toBe(false);
      return concurrency?.group;
    });
    expect(new Set(groups).size).toBe(deployJobs.length);
    // A job-level group that used the run id would let two runs deploy the same stage together.
    expect(groups.join()).not.toMatch(/run_id|run_number|github\.sha/);
  });

  it("hands each deploy its environment's STAGE_CONTEXT as CDK context, and stops on a malformed one", () => {
    for (const [name, job] of deployJobs) {
      // Prepare
      const writer = job.steps.findIndex((step) => step.env?.STAGE_CONTEXT !== undefined);
      const deploy = job.steps.findIndex((step) => step.run?.includes('cdk deploy'));
      expect(job.steps[writer]?.env?.STAGE_CONTEXT, name).toBe(variable('STAGE_CONTEXT'));
      expect(writer, name).toBeLessThan(deploy);
      const run = String(job.steps[writer]?.run);
      const dir = mkdtempSync(join(tmpdir(), 'stage-context-'));
      const file = join(dir, 'cdk.context.json');
      const write = (value: string) =>
        execFileSync('bash', ['-e', '-c', run], {
          cwd: dir,
          env: { ...process.env, STAGE_CONTEXT: value },
          stdio: 'pipe',
        });
      try {
        writeFileSync(file, '{"cached":"kept"}');
        const endOfDay = [{ account: 'default', cutoff: '15:30' }];

        // Act
        write(JSON.stringify({ alarmEmail: 'ops@example.com', endOfDay }));

        // Assess: objects stay objects (a `-c` flag would deliver a string)
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
          cached: 'kept',
          alarmEmail: 'ops@example.com',
          endOfDay,
        });
        write(''); // the variable is unset in this environment: nothing is added
        expect(() => write('["dev"]')).toThrow(/must be a JSON object/);
        expect(() => write('{"alarmEmail":')).toThrow(/JSON/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
