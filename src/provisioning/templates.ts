/**
 * Template sets: the built-in templates of every vendor, and operator overrides read from
 * the `provisioning.templates` folder. An override is `<folder>/<vendor>/<id>.liquid`
 * (every model of the vendor) or `<folder>/<model>/<id>.liquid` (one model), where <id> is
 * a built-in template's id, e.g. templates/yealink/phone.cfg.liquid or
 * templates/snom-d785/settings.xml.liquid. A model's override wins over its vendor's, which
 * wins over the built-in one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MODELS, VENDORS, type PhoneModel, type Vendor } from './models.js';
import { DRIVERS } from './vendors/index.js';
import { TemplateError } from './engine.js';

/** One template text: its id ('<vendor or model>/<template>') and where it came from. */
export interface TemplateSource {
  /** e.g. yealink/phone.cfg (vendor-wide) or yealink-t46u/phone.cfg (one model). */
  id: string;
  text: string;
  /** The file it was read from (for messages); 'built-in:<id>' for built-in templates. */
  file: string;
}

export const TEMPLATE_SUFFIX = '.liquid';

/** Every built-in template, id '<vendor>/<template>'. */
export function builtInTemplates(): TemplateSource[] {
  return VENDORS.flatMap((v) => Object.entries(DRIVERS[v].templates).map(([name, text]) => ({ id: `${v}/${name}`, text, file: `built-in:${v}/${name}` })));
}

/** The vendor a template id's first part names (a vendor or a model), or undefined. */
export function vendorOfScope(scope: string): Vendor | undefined {
  if ((VENDORS as readonly string[]).includes(scope)) return scope as Vendor;
  return MODELS.get(scope)?.vendor;
}

/** Why an override id cannot be used, or undefined when it overrides a built-in template. */
export function overrideProblem(id: string): string | undefined {
  const [scope, name, ...rest] = id.split('/');
  const vendor = vendorOfScope(scope);
  if (!vendor || name === undefined || rest.length > 0) {
    return `a template override must be <vendor>/<template>${TEMPLATE_SUFFIX} or <model>/<template>${TEMPLATE_SUFFIX} (vendors: ${VENDORS.join(', ')})`;
  }
  if (!(name in DRIVERS[vendor].templates)) return `${vendor} has no template "${name}" (its templates: ${Object.keys(DRIVERS[vendor].templates).join(', ')})`;
  return undefined;
}

/**
 * Reads the override folder: every `<scope>/<template>.liquid` file under `dir`. Throws a
 * TemplateError for a file that is not a known override (unknown vendor, model or template).
 */
export function readTemplateDir(dir: string): TemplateSource[] {
  const out: TemplateSource[] = [];
  for (const scope of readdirSync(dir).sort()) {
    const folder = join(dir, scope);
    if (!statSync(folder).isDirectory()) continue;
    for (const entry of readdirSync(folder).sort()) {
      const file = join(folder, entry);
      if (!entry.endsWith(TEMPLATE_SUFFIX) || !statSync(file).isFile()) continue;
      const id = `${scope}/${entry.slice(0, -TEMPLATE_SUFFIX.length)}`;
      const problem = overrideProblem(id);
      if (problem) throw new TemplateError(file, 0, 0, problem);
      out.push({ id, text: readFileSync(file, 'utf8'), file: relative(process.cwd(), file) || file });
    }
  }
  return out;
}

/** The id of the template that renders `template` ('<vendor>/<name>') for `model`, given the overrides present. */
export function templateFor(template: string, model: PhoneModel, present: ReadonlySet<string>): string {
  const name = template.slice(template.indexOf('/') + 1);
  const forModel = `${model.id}/${name}`;
  return present.has(forModel) ? forModel : template;
}
