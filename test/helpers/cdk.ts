import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** An app that skips asset bundling (≈2 s instead of ≈7 s), writing to a throwaway directory. */
export function testApp(): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-test-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
}

export interface NagFinding {
  readonly rule: string;
  readonly path: string;
}

/** Runs cdk-nag's AwsSolutions pack on the app and returns every unacknowledged finding. */
export function nagFindings(app: App): NagFinding[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return [];
  } catch (error) {
    if (!/ValidationFailed|Validation failed/.test(String(error))) throw error;
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{
        violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
      }>;
    };
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath })),
      ),
    );
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}
