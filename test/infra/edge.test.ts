import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { BridgeFunction } from '../../infra/constructs/BridgeFunction';
import { addPublicEdge, EdgeWebAcl } from '../../infra/constructs/PublicEdge';
import { nagFindings, testApp } from '../helpers/cdk';

const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/bridge-edge/0123abcd';

/** A stack with an HTTP API and the two checkout functions, and the edge in front, as BridgeStack would. */
function edgeStack(
  options: { readonly region?: string; readonly webAclArn?: string; readonly rateLimitPer5Min?: number } = {},
) {
  const app = testApp();
  const stack = new Stack(app, 'Edge', options.region ? { env: { region: options.region } } : {});
  const api = new HttpApi(stack, 'Api');
  const functions = ['service-points', 'delivery-options'].map(
    (entry) =>
      new BridgeFunction(stack, entry, {
        entry,
        description: entry,
        logRetention: RetentionDays.ONE_MONTH,
        logLevel: 'INFO',
      }).fn,
  );
  const edge = addPublicEdge(stack, api, {
    rateLimitPer5Min: options.rateLimitPer5Min ?? 600,
    checkoutFunctions: functions,
    ...(options.webAclArn ? { webAclArn: options.webAclArn } : {}),
  });
  return { app, stack, api, edge };
}

describe('PublicEdge', () => {
  it('puts CloudFront in front of the HTTP API, adding the origin token and the viewer address to each request', () => {
    const { stack, api } = edgeStack({ region: 'us-east-1' });
    const template = Template.fromStack(stack);
    const distribution = template.findResources('AWS::CloudFront::Distribution');
    const config = Object.values(distribution)[0]?.Properties.DistributionConfig;
    const origin = config.Origins[0];
    expect(JSON.stringify(origin.DomainName)).toContain(stack.getLogicalId(api.node.defaultChild as never));
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    // the token is generated at deploy time: a reference to the secret, never a value in the template
    expect(origin.OriginCustomHeaders).toEqual([
      { HeaderName: 'x-origin-verify', HeaderValue: expect.anything() },
    ]);
    expect(JSON.stringify(origin.OriginCustomHeaders[0].HeaderValue)).toContain('resolve:secretsmanager');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: {
          HeaderBehavior: 'whitelist',
          Headers: Match.arrayWith(['Origin', 'Sendcloud-Signature', 'cloudfront-viewer-address']),
        },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
      }),
    });
    // both checkout functions hold the same token, so they believe CloudFront's viewer address
    const tokens = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) =>
      JSON.stringify(fn.Properties.Environment.Variables.CHECKOUT_EDGE_TOKEN),
    );
    expect(tokens).toHaveLength(2);
    expect(new Set([...tokens, JSON.stringify(origin.OriginCustomHeaders[0].HeaderValue)]).size).toBe(1);
  });

  it('rate-limits each client IP on the public checkout routes with a WAF WebACL attached to the distribution', () => {
    const { stack } = edgeStack({ region: 'us-east-1', rateLimitPer5Min: 300 });
    const template = Template.fromStack(stack);
    const acls = template.findResources('AWS::WAFv2::WebACL');
    expect(Object.keys(acls)).toHaveLength(1);
    const [aclId, acl] = Object.entries(acls)[0] ?? [];
    expect(acl?.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl?.Properties.DefaultAction).toEqual({ Allow: {} });
    const rule = acl?.Properties.Rules[0];
    expect(rule.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } },
    });
    expect(rule.Statement.RateBasedStatement).toMatchObject({
      Limit: 300,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP',
    });
    const prefixes = rule.Statement.RateBasedStatement.ScopeDownStatement.OrStatement.Statements.map(
      (s: { ByteMatchStatement: { SearchString: string; PositionalConstraint: string } }) =>
        `${s.ByteMatchStatement.PositionalConstraint} ${s.ByteMatchStatement.SearchString}`,
    );
    expect(prefixes).toEqual([
      'STARTS_WITH /service-points',
      'STARTS_WITH /delivery-options',
      'STARTS_WITH /checkout/',
    ]);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] } }),
    });
  });

  it('attaches a WebACL made in us-east-1 when the stack deploys elsewhere, and says what to do without one', () => {
    const { stack } = edgeStack({ region: 'eu-west-1', webAclArn: WEB_ACL_ARN });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: WEB_ACL_ARN }),
    });
    expect(() => edgeStack({ region: 'eu-west-1' })).toThrow(/edge\.webAclArn is required.*us-east-1/);
    expect(() => edgeStack({ region: 'us-east-1', rateLimitPer5Min: 5 })).toThrow(/rateLimitPer5Min/);
  });

  it('lets an environment-agnostic stack make its WebACL only where CloudFormation can: in us-east-1', () => {
    const template = Template.fromStack(edgeStack().stack).toJSON();
    const assertions = Object.values(template.Rules ?? {}).flatMap(
      (rule) => (rule as { Assertions: Array<{ Assert: unknown; AssertDescription: string }> }).Assertions,
    );
    expect(assertions).toContainEqual({
      Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      AssertDescription: expect.stringMatching(/edge\.webAclArn/),
    });
    // a stack with its region fixed needs no such check
    expect(
      JSON.stringify(Template.fromStack(edgeStack({ region: 'us-east-1' }).stack).toJSON()),
    ).not.toContain('AWS::Region"},"us-east-1"');
  });

  it('can be deployed on its own in us-east-1, for stacks that attach it by ARN', () => {
    const app = testApp();
    const waf = new Stack(app, 'EdgeWaf', { env: { region: 'us-east-1' } });
    new EdgeWebAcl(waf, 'Acl', { rateLimitPer5Min: 1_000 });
    Template.fromStack(waf).hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: [Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 1_000 }) } })],
    });
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement explained', () => {
    for (const options of [{ region: 'us-east-1' }, { region: 'eu-west-1', webAclArn: WEB_ACL_ARN }]) {
      const { app } = edgeStack(options);
      expect(nagFindings(app).filter((f) => f.path.includes('/PublicEdge/'))).toEqual([]);
    }
  });
});
