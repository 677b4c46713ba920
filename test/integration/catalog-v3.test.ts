import { catalogSuite } from './suites/catalog';

// The account's catalogue follows SendCloud, for an account on API v3; catalog.test.ts runs the same suite on v2.
catalogSuite('v3');
