import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';

export interface BridgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The whole service in one stack. Today: the event bus subscribers will listen on and the secret that
 * holds each SendCloud account's API keys. Routes, queues, workers and the table arrive with the issues
 * that need them.
 */
export class BridgeStack extends Stack {
  readonly bus: EventBus;
  readonly credentials: Secret;

  constructor(scope: Construct, id: string, props: BridgeStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bus = new EventBus(this, 'Bus', {
      description: 'sendcloud-bridge events: orders, parcels, labels, tracking',
    });
    this.bus.archive('Archive', {
      description: 'Replay of sendcloud-bridge events',
      eventPattern: { source: ['sendcloud-bridge'] },
      retention: Duration.days(config.eventArchiveDays),
    });

    // {"<account>": {"publicKey": "...", "secretKey": "...", "webhookSecrets": ["current", "previous"]}}
    // Filled by the platform team after deploy; never in environment variables or templates.
    this.credentials = new Secret(this, 'SendcloudCredentials', {
      description: 'SendCloud API keys and webhook secrets per account (JSON)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'SendCloud API keys are issued and rotated in the SendCloud panel; there is no API to rotate them from AWS.',
    });
  }
}
