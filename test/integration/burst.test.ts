import { burstSuite } from './suites/burst';

// Real-time orders that queue up are created together, for an account on SendCloud API v2; burst-v3.test.ts
// runs the same suite on v3.
burstSuite('v2');
