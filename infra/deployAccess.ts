import { type App, BOOTSTRAP_QUALIFIER_CONTEXT, DefaultStackSynthesizer } from 'aws-cdk-lib';
import * as z from 'zod';
import { DeployAccessStack } from './stacks/DeployAccessStack';

/** `-c githubEnvironments=dev,prod` arrives as one string; cdk.json may hold a list. */
const commaList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

/** Context of the deploy-access stack (`cdk deploy SendcloudBridge-deploy-access -c githubRepo=…`). */
export const DeployAccessConfig = z.object({
  githubRepo: z
    .string()
    .regex(
      /^[A-Za-z0-9-]+(@\d+)?\/[A-Za-z0-9._-]+(@\d+)?$/,
      'owner/repo as GitHub spells it (owner@id/repo@id where GitHub emits immutable subject claims)',
    ),
  /** GitHub environments the workflow's deploy jobs run in. */
  environments: z
    .preprocess(
      commaList,
      z
        .array(z.string().regex(/^[A-Za-z0-9._-]+$/, 'environment names, comma-separated, no wildcards'))
        .min(1),
    )
    .default(['dev', 'prod']),
  oidcProviderArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
      'the ARN of the account’s token.actions.githubusercontent.com provider',
    )
    .optional(),
  bootstrapQualifier: z
    .string()
    .regex(/^[a-z0-9]{1,10}$/, 'the qualifier given to cdk bootstrap')
    .default(DefaultStackSynthesizer.DEFAULT_QUALIFIER),
});
export type DeployAccessConfig = z.infer<typeof DeployAccessConfig>;

export function loadDeployAccessConfig(context: Readonly<Record<string, unknown>>): DeployAccessConfig {
  const result = DeployAccessConfig.safeParse(context);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid deploy-access configuration: ${problems}`);
  }
  return result.data;
}

/**
 * Adds the `SendcloudBridge-deploy-access` stack when context `githubRepo` is set; without it the app is
 * unchanged, so stage deploys never need to know about it.
 */
export function addDeployAccess(app: App): void {
  const githubRepo: unknown = app.node.tryGetContext('githubRepo');
  if (githubRepo === undefined) return;
  const config = loadDeployAccessConfig({
    githubRepo,
    environments: app.node.tryGetContext('githubEnvironments'),
    oidcProviderArn: app.node.tryGetContext('githubOidcProviderArn'),
    bootstrapQualifier: app.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT),
  });
  new DeployAccessStack(app, 'SendcloudBridge-deploy-access', {
    ...config,
    description: 'sendcloud-bridge: the role GitHub Actions deploys with (OIDC, no long-lived keys)',
  });
}
