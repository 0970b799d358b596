/**
 * The template engine: LiquidJS configured so that a template can only read the data it is
 * given and write escaped text. It cannot run code (Liquid has no code), cannot read files
 * (include, render and layout are refused when the template is parsed, with the template's
 * own file and line, and the engine's file system refuses every access), cannot bypass
 * escaping (no `raw` filter), cannot reach prototypes (ownPropertyOnly), and a typo is an
 * error: an unknown filter when parsed, an undefined variable when rendered (strict).
 */
import { Liquid, type FS, type Template } from 'liquidjs';
import { ESCAPERS, type FileFormat } from './escape.js';

/** A template that does not parse or is refused, with its own location. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'TemplateError';
  }
}

const FILE_TAGS = ['include', 'render', 'layout', 'block'] as const;

function refuse(what: string): never {
  throw new Error(`templates cannot read files: ${what}`);
}

const noFiles: FS = {
  exists: async (f) => refuse(f),
  existsSync: (f) => refuse(f),
  readFile: async (f) => refuse(f),
  readFileSync: (f) => refuse(f),
  resolve: (_d, f) => refuse(f),
  contains: async () => false,
  containsSync: () => false,
};

/** A Liquid engine for one file format (its escaping applied to every output). */
export function createEngine(format: FileFormat): Liquid {
  const liquid = new Liquid({
    fs: noFiles,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: true,
    // {% if x %} on an absent optional field (outbound_proxy, register_expires) is false, not an error.
    lenientIf: true,
    ownPropertyOnly: true,
    outputEscape: ESCAPERS[format],
    cache: false,
    parseLimit: 1_000_000,
    // A runaway loop in an operator template stops instead of hanging the server.
    renderLimit: 1_000,
    memoryLimit: 50_000_000,
  });
  for (const tag of FILE_TAGS) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`the ${tag} tag is not allowed: templates cannot read files`);
      },
      render() {
        return undefined;
      },
    });
  }
  liquid.unregisterFilter('raw');
  return liquid;
}

interface PositionedError {
  message: string;
  token?: { getPosition?: () => [number, number] };
  originalError?: Error;
}

function reasonOf(e: PositionedError): string {
  const inner = e.originalError?.message ?? e.message;
  return inner.replace(/, file:.*$/, '').replace(/, line:\d+, col:\d+$/, '');
}

/** Parses a template; a refusal or syntax error becomes a TemplateError at its location. */
export function compileTemplate(engine: Liquid, source: string, file: string): Template[] {
  try {
    return engine.parse(source, file);
  } catch (err) {
    const e = err as PositionedError;
    const [line, column] = e.token?.getPosition?.() ?? [1, 1];
    throw new TemplateError(file, line, column, reasonOf(e));
  }
}

/** Renders a parsed template synchronously; an error names the template's file and line. */
export function renderTemplate(engine: Liquid, templates: Template[], data: object, file: string): string {
  try {
    return engine.renderSync(templates, data) as string;
  } catch (err) {
    const e = err as PositionedError;
    const [line, column] = e.token?.getPosition?.() ?? [1, 1];
    throw new TemplateError(file, line, column, reasonOf(e));
  }
}
