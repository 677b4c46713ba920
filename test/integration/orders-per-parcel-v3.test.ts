import { ordersPerParcelSuite } from './suites/ordersPerParcel';

// Orders of several boxes shipped one shipment per box, for an account on SendCloud API v3;
// orders-per-parcel.test.ts runs the same suite on v2.
ordersPerParcelSuite('v3');
