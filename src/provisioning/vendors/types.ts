/** What every vendor driver provides (src/provisioning/vendors/<vendor>.ts). */
import type { FileFormat } from '../escape.js';
import type { PhoneModel, Vendor } from '../models.js';
import type { PhoneDescription } from '../phone.js';
import type { Settings } from '../settings.js';
import type { TimeZoneInfo } from '../timezone.js';

/** One file of a phone's file set. */
export interface VendorFile {
  /** The name the firmware asks for (its case). */
  name: string;
  /** The template that renders it: '<vendor>/<id>' in the template set, e.g. yealink/phone.cfg. */
  template: string;
  format: FileFormat;
  /** false for a file without credentials (may be served over plain HTTP). */
  secret: boolean;
  /**
   * true for a generic file: the same for every phone of the model (no MAC in its name,
   * nothing of a phone's own in it), rendered from the model and provisioning.settings alone.
   */
  generic?: boolean;
}

/** A key = value pair for a template to write ({{ s.key }} = {{ s.value }}). */
export interface Pair {
  key: string;
  value: string;
}

export interface VendorDriver {
  readonly vendor: Vendor;
  /** The files of one phone, per-phone files first. */
  files(mac: string, model: PhoneModel): VendorFile[];
  /**
   * The data the template `template` (its name, e.g. phone.cfg) renders from. A file that is
   * not secret gets no secret (a generic file: only the model and the global settings).
   */
  data(template: string, input: DataInput): Record<string, unknown>;
  /** Built-in templates by id (the part after '<vendor>/'). */
  readonly templates: Readonly<Record<string, string>>;
}

/** What a driver builds template data from. */
export interface DataInput {
  phone: PhoneDescription;
  /** The phone's time zone (resolved settings), undefined when none is set. */
  zone: TimeZoneInfo | undefined;
  /** provisioning.settings, for generic files. */
  global: Settings;
}
