import { ordersSuite } from './suites/orders';

// The order pipeline for an account on SendCloud API v2 (created before 13 April 2026); orders-v3.test.ts
// runs the same suite for a v3 account.
ordersSuite('v2');
