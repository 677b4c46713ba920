import { trackingSuite } from './suites/tracking';

// Tracking for an account on SendCloud API v3; tracking.test.ts runs the same suite on v2.
trackingSuite('v3');
