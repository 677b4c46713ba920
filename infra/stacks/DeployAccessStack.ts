import {
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { OidcProviderNative, PolicyStatement, Role, WebIdentityPrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** GitHub Actions' OIDC issuer, without the scheme: the prefix of its IAM condition keys. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials asks GitHub to put in the token. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface DeployAccessStackProps extends StackProps {
  /** `owner/repo` exactly as GitHub spells it, or `owner@id/repo@id` where GitHub emits immutable subjects. */
  readonly githubRepo: string;
  /** GitHub environments whose jobs may deploy; each deploy job must name one in `environment:`. */
  readonly environments: readonly string[];
  /** The account's existing provider for GitHub (an account holds one per issuer); created when absent. */
  readonly oidcProviderArn?: string | undefined;
  /** @default DefaultStackSynthesizer.DEFAULT_QUALIFIER, as `cdk bootstrap` uses */
  readonly bootstrapQualifier?: string | undefined;
}

/**
 * What GitHub Actions needs to deploy this app, and nothing more: a role that only jobs running in the
 * named environments of one repository can assume through GitHub's OIDC provider, and that can itself only
 * assume the CDK bootstrap roles — CloudFormation, asset publishing and lookups all happen through those.
 */
export class DeployAccessStack extends Stack {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, props);
    const provider = props.oidcProviderArn
      ? OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidc', props.oidcProviderArn)
      : new OidcProviderNative(this, 'GitHubOidc', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // Other roles in the account come to rely on the one provider; deleting this stack must not break them.
          removalPolicy: RemovalPolicy.RETAIN,
        });

    this.role = new Role(this, 'DeployRole', {
      description: `GitHub Actions deploys of ${props.githubRepo} (environments: ${props.environments.join(', ')})`,
      assumedBy: new WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_ISSUER}:sub`]: props.environments.map(
            (environment) => `repo:${props.githubRepo}:environment:${environment}`,
          ),
        },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: bootstrapRoleArns(props.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER),
      }),
    );

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'GitHub variable AWS_DEPLOY_ROLE_ARN',
    });
  }
}

/** The four roles `cdk bootstrap` creates in this account and region, named as the CDK CLI assumes them. */
function bootstrapRoleArns(qualifier: string): string[] {
  return [
    DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN,
    DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN,
    DefaultStackSynthesizer.DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN,
    DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN,
  ].map((arn) => Fn.sub(arn.replace(/\$\{Qualifier\}/, qualifier)));
}
