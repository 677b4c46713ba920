import { returnsSuite } from './suites/returns';

// Returns for an account on SendCloud API v3; returns.test.ts runs the same suite on v2.
returnsSuite('v3');
