import { Aws, CfnOutput, CfnRule, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EDGE_TOKEN_HEADER, VIEWER_ADDRESS_HEADER } from '../../shared/checkout/clientAddress';

/** Path prefixes of the routes shoppers' browsers call: what the edge's rate-based rule counts. */
export const PUBLIC_CHECKOUT_PREFIXES = ['/service-points', '/delivery-options', '/checkout/'] as const;

/** A CLOUDFRONT-scope WebACL can only be created in this region, whatever region the distribution serves. */
const WAF_GLOBAL_REGION = 'us-east-1';

export interface EdgeWebAclProps {
  /** Requests one IP address may send the public checkout routes in any 5 minutes (AWS WAF's floor is 10). */
  readonly rateLimitPer5Min: number;
}

/**
 * The AWS WAF WebACL in front of the checkout routes: a rate-based rule per client IP on
 * PUBLIC_CHECKOUT_PREFIXES, answering 429 past the limit; everything else passes. Webhooks are left out
 * on purpose: SendCloud posts them from a few addresses, in bursts at end of day, and each one is
 * authenticated by its signature. Scope CLOUDFRONT: the stack creating it must be deployed in us-east-1.
 */
export class EdgeWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const limit = props.rateLimitPer5Min;
    if (!Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000)
      throw new RangeError(`edge.rateLimitPer5Min: a whole number from 10 (AWS WAF's floor), not ${limit}`);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'sendcloud-bridge public checkout routes: requests per client IP',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('SendcloudBridgeEdge'),
      customResponseBodies: {
        'rate-limited': {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            code: 'RATE_LIMITED',
            message: 'Too many requests from your network; try again in a few minutes.',
          }),
        },
      },
      rules: [
        {
          name: 'CheckoutRequestsPerIp',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } } },
          statement: {
            rateBasedStatement: {
              limit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                orStatement: {
                  statements: PUBLIC_CHECKOUT_PREFIXES.map((prefix) => ({
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'STARTS_WITH',
                      searchString: prefix,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  })),
                },
              },
            },
          },
          visibilityConfig: visibility('CheckoutRequestsPerIp'),
        },
      ],
    });
    this.arn = this.webAcl.attrArn;
  }
}

export interface PublicEdgeOptions {
  /** Requests one IP address may send the public checkout routes in any 5 minutes (used for a WebACL made here). */
  readonly rateLimitPer5Min: number;
  /**
   * An existing CLOUDFRONT-scope WebACL to attach (an EdgeWebAcl in a us-east-1 stack). Required when this
   * stack is deployed anywhere but us-east-1: without it the WebACL is made here, and the stack refuses to
   * deploy outside us-east-1.
   */
  readonly webAclArn?: string | undefined;
  /**
   * The public checkout functions. They get the edge token, so they believe CloudFront's viewer address on
   * requests that carry it (shared/checkout/clientAddress.ts) and count each shopper, not each edge server.
   */
  readonly checkoutFunctions: readonly LambdaFunction[];
}

export interface PublicEdge {
  readonly distribution: Distribution;
  /** The WebACL made here, when no `webAclArn` was given. */
  readonly webAcl: EdgeWebAcl | undefined;
  /** The checkout API's public base URL (give it to the shops' `<sendcloud-bridge-checkout api=…>`). */
  readonly url: string;
}

/**
 * CloudFront with AWS WAF in front of the HTTP API, for the stage that enables `edge`: the rate-based rule
 * drops a flood at the edge before it costs an invocation, and every origin request carries a generated
 * token (`x-origin-verify`) and the viewer's address. The API's own URL keeps working (IAM-signed callers
 * sign for its host, SendCloud's webhooks may stay on it); a caller going around CloudFront is not rate
 * limited by WAF, but without the token it is counted by its own source address by the per-client share.
 */
export function addPublicEdge(
  stack: Stack,
  api: Pick<IHttpApi, 'apiId'>,
  options: PublicEdgeOptions,
): PublicEdge {
  return new PublicEdgeConstruct(stack, 'PublicEdge', api, options);
}

class PublicEdgeConstruct extends Construct implements PublicEdge {
  readonly distribution: Distribution;
  readonly webAcl: EdgeWebAcl | undefined;
  readonly url: string;

  constructor(scope: Stack, id: string, api: Pick<IHttpApi, 'apiId'>, options: PublicEdgeOptions) {
    super(scope, id);
    const waf = this.#webAcl(scope, options);
    this.webAcl = waf.own;

    // Random, generated by Secrets Manager at deploy time: it is not in the template or the repository.
    const token = new Secret(this, 'OriginToken', {
      description: 'sendcloud-bridge: the token CloudFront adds to origin requests (x-origin-verify)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(token).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The token only proves a request came through CloudFront (it grants no data); rotating it means redeploying CloudFront and the functions together.',
    });
    const tokenValue = token.secretValue.unsafeUnwrap();
    for (const fn of options.checkoutFunctions) fn.addEnvironment('CHECKOUT_EDGE_TOKEN', tokenValue);

    const originRequests = new OriginRequestPolicy(this, 'ApiOriginRequests', {
      comment: 'sendcloud-bridge API: what the functions read, and the viewer address (never Host)',
      // API Gateway routes by its own Host, so the viewer's is not forwarded; x-origin-verify is an
      // origin custom header, which CloudFront sets over anything a viewer sends.
      headerBehavior: OriginRequestHeaderBehavior.allowList(
        'Origin',
        'Accept',
        'Content-Type',
        'Access-Control-Request-Method',
        'Access-Control-Request-Headers',
        'Idempotency-Key',
        'Sendcloud-Signature',
        VIEWER_ADDRESS_HEADER,
      ),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });
    const region = Stack.of(this).region;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'sendcloud-bridge public checkout routes',
      defaultBehavior: {
        origin: new HttpOrigin(`${api.apiId}.execute-api.${region}.${Aws.URL_SUFFIX}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          customHeaders: { [EDGE_TOKEN_HEADER]: tokenValue },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // Answers vary by shop origin and are cached by the functions already; the edge passes through.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: originRequests,
      },
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: waf.arn,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Shops sell across borders; abuse is limited per client IP by the WAF rule, not by country.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request that reaches the API is in its access log; what the edge blocked is in the WAF metrics and sampled requests.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate fixes the viewer TLS floor; a custom domain with TLSv1.2_2021 is the upgrade when a stage has one.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(scope, 'CheckoutEdgeUrl', {
      value: this.url,
      description: 'Public checkout base URL through CloudFront and AWS WAF (the widget’s api attribute)',
    });
  }

  /** The WebACL given in the options, or one made here where CloudFormation allows it. */
  #webAcl(stack: Stack, options: PublicEdgeOptions): { readonly own?: EdgeWebAcl; readonly arn: string } {
    if (options.webAclArn !== undefined) return { arn: options.webAclArn };
    const region = stack.region;
    if (!Token.isUnresolved(region) && region !== WAF_GLOBAL_REGION)
      throw new Error(
        `edge.webAclArn is required: this stack deploys to ${region}, and a CLOUDFRONT-scope WebACL can only be created in ${WAF_GLOBAL_REGION}. Create one there with EdgeWebAcl (infra/constructs/PublicEdge.ts) and put its ARN in edge.webAclArn.`,
      );
    if (Token.isUnresolved(region))
      // An environment-agnostic stack: the region is known only at deploy time, so CloudFormation checks it.
      new CfnRule(this, 'WebAclRegion', {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, WAF_GLOBAL_REGION),
            assertDescription: `The edge WebACL is made in this stack, which CloudFormation allows only in ${WAF_GLOBAL_REGION}. Deploy an EdgeWebAcl in ${WAF_GLOBAL_REGION} and set edge.webAclArn to its ARN.`,
          },
        ],
      });
    const own = new EdgeWebAcl(this, 'Waf', { rateLimitPer5Min: options.rateLimitPer5Min });
    return { own, arn: own.arn };
  }
}
