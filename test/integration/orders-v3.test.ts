import { ordersSuite } from './suites/orders';

// The order pipeline for an account on SendCloud API v3; orders.test.ts runs the same suite on v2.
ordersSuite('v3');
