import type { Vendor } from '../models.js';
import { grandstream } from './grandstream.js';
import { polycom } from './polycom.js';
import { snom } from './snom.js';
import type { VendorDriver } from './types.js';
import { yealink } from './yealink.js';

export const DRIVERS: Readonly<Record<Vendor, VendorDriver>> = { yealink, snom, polycom, grandstream };
export type { VendorDriver, VendorFile, Pair } from './types.js';
