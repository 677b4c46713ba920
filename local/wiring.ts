import type { Wiring } from './stack';

export interface ServiceWiringOptions {
  readonly stateDir: string;
  readonly sendcloud: {
    readonly baseUrl?: string;
    readonly servicePointsBaseUrl?: string;
    readonly publicKey: string;
    readonly secretKey: string;
  };
}

/**
 * sendcloud-bridge's resources and handlers, as the CDK stack deploys them, for the local stack.
 * Routes, queues and jobs are added here as the functions that serve them land.
 */
export function serviceWiring(_options: ServiceWiringOptions): Wiring {
  return {
    tables: [],
    queues: [],
    buckets: [],
    environment: () => ({}),
    routes: async () => [],
    jobs: async () => [],
  };
}
