/**
 * The supported phone models: vendor, line (SIP account) and function-key capacity, and the
 * vendor's own name for the model where its files need it. Capacities are the vendors' data
 * sheets' figures: `lines` is how many SIP accounts the phone registers at once, `keys` how
 * many programmable line/DSS/BLF keys it has (counting pages of self-labelling keys, not
 * expansion modules).
 */

export const VENDORS = ['yealink', 'snom', 'polycom', 'grandstream'] as const;
export type Vendor = (typeof VENDORS)[number];

export type KeyType = 'line' | 'blf' | 'speeddial';

export interface PhoneModel {
  /** The id used in the YAML, e.g. yealink-t46u. */
  readonly id: string;
  readonly vendor: Vendor;
  /** Human name, e.g. Yealink SIP-T46U. */
  readonly name: string;
  readonly lines: number;
  readonly keys: number;
  /**
   * Vendor-specific: Yealink's hardware id of the model family (names the common file
   * y0000000000XX.cfg); Snom's model name in its file names (snomD735-<MAC>.htm).
   */
  readonly family?: string;
}

const table: readonly PhoneModel[] = [
  { id: 'yealink-t46u', vendor: 'yealink', name: 'Yealink SIP-T46U', lines: 16, keys: 40, family: '108' },
  { id: 'yealink-t54w', vendor: 'yealink', name: 'Yealink SIP-T54W', lines: 16, keys: 27, family: '96' },
  { id: 'snom-d735', vendor: 'snom', name: 'Snom D735', lines: 12, keys: 32, family: 'D735' },
  { id: 'snom-d785', vendor: 'snom', name: 'Snom D785', lines: 12, keys: 24, family: 'D785' },
  { id: 'polycom-vvx250', vendor: 'polycom', name: 'Poly VVX 250', lines: 4, keys: 4 },
  { id: 'polycom-vvx450', vendor: 'polycom', name: 'Poly VVX 450', lines: 12, keys: 12 },
  { id: 'grandstream-grp2614', vendor: 'grandstream', name: 'Grandstream GRP2614', lines: 4, keys: 16 },
  { id: 'grandstream-gxp2170', vendor: 'grandstream', name: 'Grandstream GXP2170', lines: 6, keys: 48 },
];

/** Every supported model, keyed by id. */
export const MODELS: ReadonlyMap<string, PhoneModel> = new Map(table.map((m) => [m.id, m]));

/** The model with this id, or undefined. */
export function findModel(id: string): PhoneModel | undefined {
  return MODELS.get(id);
}

/** The function-key types each vendor's files can express. */
export const VENDOR_KEY_TYPES: Readonly<Record<Vendor, readonly KeyType[]>> = {
  yealink: ['line', 'blf', 'speeddial'],
  snom: ['line', 'blf', 'speeddial'],
  // Poly: line and BLF keys (attendant resource list); speed dials live in its directory.
  polycom: ['line', 'blf'],
  // Grandstream: account keys are the lines themselves; MPKs are BLF or speed dial.
  grandstream: ['blf', 'speeddial'],
};
