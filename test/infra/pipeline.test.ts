import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addDeployAccess } from '../../infra/deployAccess';
import { DeployAccessStack } from '../../infra/stacks/DeployAccessStack';
import { nagFindings, testApp } from '../helpers/cdk';

const REPO = 'acme/shop-bridge';
const STACK = 'SendcloudBridge-deploy-access';

function appWith(context: Record<string, string>): App {
  const app = testApp();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  addDeployAccess(app);
  return app;
}

function templateOf(app: App): Template {
  const stack = app.node.tryFindChild(STACK);
  if (!(stack instanceof DeployAccessStack)) throw new Error(`${STACK} was not added`);
  return Template.fromStack(stack);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Principal?: { Federated?: unknown };
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function deployRole(template: Template) {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  const [role] = roles;
  const trust: Statement[] = role?.Properties.AssumeRolePolicyDocument.Statement;
  const permissions: Statement[] = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
  return { properties: role?.Properties, trust, permissions };
}

describe('DeployAccessStack', () => {
  it('lets only GitHub jobs of the configured repo running in its dev or prod environment assume the role', () => {
    // Prepare / Act
    const { trust } = deployRole(templateOf(appWith({ githubRepo: REPO })));

    // Assess
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' });
    expect(trust[0]?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': [
          `repo:${REPO}:environment:dev`,
          `repo:${REPO}:environment:prod`,
        ],
      },
    });
  });

  it('trusts exactly the environments given in context (one account per stage)', () => {
    const { trust } = deployRole(templateOf(appWith({ githubRepo: REPO, githubEnvironments: 'prod' })));
    expect(trust[0]?.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']).toEqual([
      `repo:${REPO}:environment:prod`,
    ]);
  });

  it('creates the GitHub OIDC provider for the sts.amazonaws.com audience, kept when the stack goes', () => {
    const template = templateOf(appWith({ githubRepo: REPO }));
    template.hasResource('AWS::IAM::OIDCProvider', {
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
      DeletionPolicy: 'Retain',
    });
  });

  it("reuses the account's existing provider instead of creating a second one", () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const template = templateOf(appWith({ githubRepo: REPO, githubOidcProviderArn: arn }));
    expect(template.findResources('AWS::IAM::OIDCProvider')).toEqual({});
    expect(deployRole(template).trust[0]?.Principal).toEqual({ Federated: arn });
  });

  it('can do nothing but assume the CDK bootstrap roles of its own account and region', () => {
    const { properties, permissions } = deployRole(templateOf(appWith({ githubRepo: REPO })));

    expect(properties.ManagedPolicyArns).toBeUndefined();
    expect(properties.Policies).toBeUndefined();
    expect(permissions.map((s) => [s.Effect, s.Action])).toEqual([['Allow', 'sts:AssumeRole']]);
    const kinds = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];
    expect(permissions[0]?.Resource).toEqual(
      kinds.map((kind) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-${kind}-role-\${AWS::AccountId}-\${AWS::Region}`,
      })),
    );
  });

  it('follows a custom bootstrap qualifier', () => {
    const app = appWith({ githubRepo: REPO, '@aws-cdk/core:bootstrapQualifier': 'bridge1' });
    const { permissions } = deployRole(templateOf(app));
    expect(JSON.stringify(permissions[0]?.Resource)).toContain('role/cdk-bridge1-deploy-role-');
    expect(JSON.stringify(permissions[0]?.Resource)).not.toContain('hnb659fds');
  });

  it('passes cdk-nag AwsSolutions with nothing to acknowledge', () => {
    expect(nagFindings(appWith({ githubRepo: REPO }))).toEqual([]);
  });

  it('is not part of the app unless githubRepo is given', () => {
    expect(appWith({}).node.tryFindChild(STACK)).toBeUndefined();
  });

  it('rejects context that would widen or break the trust, saying what to fix', () => {
    expect(() => appWith({ githubRepo: 'acme/*' })).toThrow(/githubRepo: owner\/repo/);
    expect(() => appWith({ githubRepo: 'shop-bridge' })).toThrow(/githubRepo: owner\/repo/);
    expect(() => appWith({ githubRepo: REPO, githubEnvironments: 'dev,*' })).toThrow(/no wildcards/);
    expect(() => appWith({ githubRepo: REPO, githubEnvironments: ' , ' })).toThrow(/environments/);
    expect(() =>
      appWith({ githubRepo: REPO, githubOidcProviderArn: 'arn:aws:iam::1:oidc-provider/x' }),
    ).toThrow(/oidcProviderArn/);
  });

  it("accepts GitHub's immutable owner@id/repo@id subject form", () => {
    const { trust } = deployRole(templateOf(appWith({ githubRepo: 'acme@123/shop-bridge@456' })));
    expect(JSON.stringify(trust[0]?.Condition)).toContain('repo:acme@123/shop-bridge@456:environment:prod');
  });
});
