import { returnsSuite } from './suites/returns';

// Returns for an account on SendCloud API v2; returns-v3.test.ts runs the same suite for a v3 account.
returnsSuite('v2');
