import { burstSuite } from './suites/burst';

// Real-time orders that queue up are created together, for an account on SendCloud API v3; burst.test.ts
// runs the same suite on v2.
burstSuite('v3');
