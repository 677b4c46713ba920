import { cancelSuite } from './suites/cancel';

// Cancelling orders for an account on SendCloud API v2; cancel-v3.test.ts runs the same suite on v3.
cancelSuite('v2');
