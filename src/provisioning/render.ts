/**
 * Rendering a phone's files. createRenderer() compiles the built-in templates with the
 * operator's overrides once; the renderer then lists, renders and hashes any phone's files.
 * It holds its own caches (compiled templates, time-zone rules), never module state.
 */
import { createHash } from 'node:crypto';
import type { Template } from 'liquidjs';
import { compileTemplate, createEngine, renderTemplate, TemplateError } from './engine.js';
import type { FileFormat } from './escape.js';
import { MODELS, type PhoneModel } from './models.js';
import type { PhoneDescription } from './phone.js';
import type { Settings } from './settings.js';
import { builtInTemplates, overrideProblem, templateFor, type TemplateSource } from './templates.js';
import { timeZoneInfo, type TimeZoneInfo } from './timezone.js';
import { DRIVERS, type VendorFile } from './vendors/index.js';
import { samplePhone } from './sample.js';
import { eligibleForSkeleton, fill, Interner, mask, shapeOf, toSkeleton, type Skeleton } from './skeleton.js';
import { ESCAPERS } from './escape.js';

export interface RenderedFile {
  name: string;
  format: FileFormat;
  /** The MIME type to serve it with. */
  contentType: string;
  /** false for a generic file without credentials. */
  secret: boolean;
  content: string;
}

export interface RendererOptions {
  /** Operator overrides (readTemplateDir); ids '<vendor>/<template>' or '<model>/<template>'. */
  templates?: readonly TemplateSource[];
  /** provisioning.settings: what generic (per-model) files are rendered with. */
  global?: Settings;
  /** false: render every file with LiquidJS, never from a skeleton (for tests and comparison). */
  skeletons?: boolean;
}

export interface Renderer {
  /** The files this phone may fetch, by the names its firmware asks for. */
  files(mac: string, model: PhoneModel): VendorFile[];
  /** One file by the name the phone asked for (the MAC in any case); undefined if not its file. */
  render(phone: PhoneDescription, name: string): RenderedFile | undefined;
  /** Every file of the phone. */
  renderAll(phone: PhoneDescription): RenderedFile[];
  /** A generic file of the model by its name (any case); undefined if the model has no such generic file. */
  renderGeneric(model: PhoneModel, name: string): RenderedFile | undefined;
  /**
   * A hash of the phone's rendered file set (names and contents): equal hashes, equal files.
   * It covers secrets: store and compare it, never print it.
   */
  hash(phone: PhoneDescription): string;
  /** A hash of the template texts that render `model`'s files (what a template change touches). */
  templatesHash(model: PhoneModel): string;
}

interface Compiled {
  source: TemplateSource;
  templates: Template[];
}

/** At most this many skeletons are kept (then the cache starts over). */
const SKELETON_CACHE = 4096;
/** At most this many strings are interned for the shapes' keys (then both start over). */
const INTERNED_MAX = 100_000;

const CONTENT_TYPE: Readonly<Record<FileFormat, string>> = { cfg: 'text/plain; charset=utf-8', xml: 'application/xml; charset=utf-8' };

/** The file format of a template id ('<vendor or model>/<name>'), from the drivers' file lists. */
function formatOf(id: string): FileFormat {
  const [scope, name] = id.split('/');
  const model = MODELS.get(scope) ?? [...MODELS.values()].find((m) => m.vendor === scope)!;
  const file = DRIVERS[model.vendor].files('000000000000', model).find((f) => f.template === `${model.vendor}/${name}`);
  return file!.format;
}

/** Every template with its overrides applied, compiled; TemplateErrors for those that do not parse. */
function compileAll(overrides: readonly TemplateSource[], engines: Record<FileFormat, ReturnType<typeof createEngine>>): { compiled: Map<string, Compiled>; errors: TemplateError[] } {
  const sources = new Map(builtInTemplates().map((t) => [t.id, t]));
  const errors: TemplateError[] = [];
  for (const o of overrides) {
    const problem = overrideProblem(o.id);
    if (problem) errors.push(new TemplateError(o.file, 0, 0, problem));
    else sources.set(o.id, o);
  }
  const compiled = new Map<string, Compiled>();
  for (const source of sources.values()) {
    try {
      compiled.set(source.id, { source, templates: compileTemplate(engines[formatOf(source.id)], source.text, source.file) });
    } catch (err) {
      if (err instanceof TemplateError) errors.push(err);
      else throw err;
    }
  }
  return { compiled, errors };
}

class TemplateRenderer implements Renderer {
  private readonly engines = { cfg: createEngine('cfg'), xml: createEngine('xml') };
  private readonly compiled: Map<string, Compiled>;
  private readonly present: ReadonlySet<string>;
  private readonly zones = new Map<string, TimeZoneInfo>();
  /** Per template id: the free-text field names checked, and whether the fast path is exact for them. */
  private readonly eligible = new Map<string, { names: Set<string>; ok: boolean }>();
  /** Skeletons by template id and shape (the masked data); bounded. */
  private readonly skeletons = new Map<string, Skeleton | null>();
  /** Generic files by model and name, rendered once (they depend on nothing else the renderer does not fix). */
  private readonly generics = new Map<string, RenderedFile>();
  /** The short names of the shapes' keys (skeleton.ts); dropped with the skeletons. */
  private interner = new Interner();
  readonly errors: TemplateError[];

  constructor(private readonly options: RendererOptions) {
    const { compiled, errors } = compileAll(options.templates ?? [], this.engines);
    this.compiled = compiled;
    this.present = new Set(compiled.keys());
    this.errors = errors;
  }

  files(mac: string, model: PhoneModel): VendorFile[] {
    return DRIVERS[model.vendor].files(mac, model).map((f) => ({ ...f, template: templateFor(f.template, model, this.present) }));
  }

  private zone(settings: Settings): TimeZoneInfo | undefined {
    if (settings.timezone === undefined) return undefined;
    let zone = this.zones.get(settings.timezone);
    if (!zone) this.zones.set(settings.timezone, (zone = timeZoneInfo(settings.timezone)));
    return zone;
  }

  private renderFile(phone: PhoneDescription, file: VendorFile): RenderedFile {
    if (!file.generic) return this.renderNow(phone, file);
    // A generic file renders from the model and the global settings alone: once per renderer.
    const key = `${phone.model.id}\0${file.name}`;
    let rendered = this.generics.get(key);
    if (!rendered) this.generics.set(key, (rendered = this.renderNow(phone, file)));
    return rendered;
  }

  private renderNow(phone: PhoneDescription, file: VendorFile): RenderedFile {
    const name = file.template.slice(file.template.indexOf('/') + 1);
    const data = DRIVERS[phone.model.vendor].data(name, { phone, zone: this.zone(phone.settings), global: this.options.global ?? {} });
    const content = this.fast(file, data) ?? this.slow(file, data);
    return { name: file.name, format: file.format, contentType: CONTENT_TYPE[file.format], secret: file.secret, content };
  }

  private slow(file: VendorFile, data: object): string {
    const entry = this.compiled.get(file.template)!;
    return renderTemplate(this.engines[file.format], entry.templates, data, entry.source.file);
  }

  private isEligible(template: string, names: ReadonlySet<string>): boolean {
    const known = this.eligible.get(template);
    if (known && [...names].every((n) => known.names.has(n))) return known.ok;
    const all = new Set([...(known?.names ?? []), ...names]);
    const ok = eligibleForSkeleton(this.compiled.get(template)!.source.text, all);
    this.eligible.set(template, { names: all, ok });
    return ok;
  }

  /** The fast path (src/provisioning/skeleton.ts), or undefined when it does not apply. */
  private fast(file: VendorFile, data: object): string | undefined {
    if (this.options.skeletons === false) return undefined;
    if (this.skeletons.size >= SKELETON_CACHE || this.interner.size >= INTERNED_MAX) {
      this.skeletons.clear();
      this.interner = new Interner();
    }
    const shape = shapeOf(data, this.interner);
    if (!this.isEligible(file.template, shape.names)) return undefined;
    const key = `${file.template}\0${shape.key}`;
    let skeleton = this.skeletons.get(key);
    if (skeleton === undefined) {
      skeleton = toSkeleton(this.slow(file, mask(data).data as object)) ?? null;
      this.skeletons.set(key, skeleton);
    }
    return skeleton === null ? undefined : fill(skeleton, shape.values, ESCAPERS[file.format]);
  }

  render(phone: PhoneDescription, name: string): RenderedFile | undefined {
    const wanted = name.toLowerCase();
    const file = this.files(phone.mac, phone.model).find((f) => f.name.toLowerCase() === wanted);
    return file ? this.renderFile(phone, file) : undefined;
  }

  renderGeneric(model: PhoneModel, name: string): RenderedFile | undefined {
    const wanted = name.toLowerCase();
    const phone = samplePhone(model);
    const file = this.files(phone.mac, model).find((f) => f.generic && f.name.toLowerCase() === wanted);
    return file ? this.renderFile(phone, file) : undefined;
  }

  renderAll(phone: PhoneDescription): RenderedFile[] {
    return this.files(phone.mac, phone.model).map((f) => this.renderFile(phone, f));
  }

  hash(phone: PhoneDescription): string {
    return hashFiles(this.renderAll(phone));
  }

  templatesHash(model: PhoneModel): string {
    const h = createHash('sha256');
    for (const f of this.files('000000000000', model)) h.update(f.template).update('\0').update(this.compiled.get(f.template)!.source.text).update('\0');
    return h.digest('base64url');
  }

  /** Renders every template once with a sample phone: strict variables catch typos now. */
  trial(): TemplateError[] {
    const found: TemplateError[] = [];
    for (const model of MODELS.values()) {
      for (const file of this.files('000000000000', model)) {
        try {
          this.renderFile(samplePhone(model), file);
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          if (!found.some((e) => e.message === err.message)) found.push(err);
        }
      }
    }
    return found;
  }
}

/** The hash of a rendered file set (what Renderer.hash gives): names and contents. Holds secrets: never print it. */
export function hashFiles(files: readonly RenderedFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.name).update('\0').update(f.content).update('\0');
  return h.digest('base64url');
}

/**
 * Every problem of a template set, each with its own file, line and column: overrides of
 * no known template, templates that do not parse or use a refused tag (include, render,
 * layout) or an unknown filter, and templates that name an undefined variable when
 * rendered for a sample phone of each model they serve.
 */
export function checkTemplates(options: RendererOptions): TemplateError[] {
  const renderer = new TemplateRenderer(options);
  return renderer.errors.length > 0 ? renderer.errors : renderer.trial();
}

/** A renderer for the template set; throws the first TemplateError when the set has problems. */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const renderer = new TemplateRenderer(options);
  if (renderer.errors.length > 0) throw renderer.errors[0];
  return renderer;
}
