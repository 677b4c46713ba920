import { trackingSuite } from './suites/tracking';

// Tracking (webhooks, polling, batch status) for an account on SendCloud API v2; tracking-v3.test.ts runs the
// same suite for a v3 account.
trackingSuite('v2');
