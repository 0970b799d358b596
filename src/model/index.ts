/**
 * The model: addresses, MACs, E.164 numbers and ranges, and each resource kind's fields. A leaf:
 * it imports nothing of desired, reconcile, ops, nodes-api or db, and holds no mutable state.
 */
export * from './address.js';
export * from './e164.js';
export * from './fields.js';
export * from './glob.js';
export * from './mac.js';
export * from './cidr.js';
