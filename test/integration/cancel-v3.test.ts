import { cancelSuite } from './suites/cancel';

// Cancelling orders for an account on SendCloud API v3; cancel.test.ts runs the same suite on v2.
cancelSuite('v3');
