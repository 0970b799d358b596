import { readFileSync, statSync } from 'node:fs';
import { locate as locatePath, parseSourceFile, type Segment, type SourceFile } from './source-file.js';
import type { SourceLocation } from './types.js';

/** users[3].number -> ['users', 3, 'number'] (the inverse of formatPath). */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out;
}

/**
 * Resolves SourceLocations with line 0 (from the fast path) by parsing their file with yaml's
 * parseDocument, once per file. `textOf` gives a file's text (by default it is read from
 * disk); a file that cannot be read or parsed leaves the location as it is.
 */
export class PositionResolver {
  private readonly sources = new Map<string, { source: SourceFile | undefined; stamp: string }>();

  constructor(
    private readonly textOf?: (file: string) => string | undefined,
    /** How many parsed files are kept (a 16 MB file's document takes hundreds of MB). */
    private readonly capacity = Infinity,
  ) {}

  resolve(at: SourceLocation): SourceLocation {
    if (at.line > 0) return at;
    const source = this.source(at.file);
    if (!source || source.diagnostics.some((d) => d.severity === 'error')) return at;
    const found = locatePath(source, parsePath(at.path));
    return { file: at.file, line: found.line, column: found.column, path: at.path };
  }

  clear(): void {
    this.sources.clear();
  }

  private source(file: string): SourceFile | undefined {
    let stamp = '';
    if (!this.textOf) {
      try {
        const info = statSync(file);
        stamp = `${info.mtimeMs}:${info.size}`;
      } catch {
        return undefined;
      }
    }
    const cached = this.sources.get(file);
    if (cached && cached.stamp === stamp) return cached.source;
    let source: SourceFile | undefined;
    try {
      const text = this.textOf ? this.textOf(file) : readFileSync(file, 'utf8');
      source = text === undefined ? undefined : parseSourceFile(file, text, false);
    } catch {
      source = undefined;
    }
    this.sources.delete(file);
    while (this.sources.size >= this.capacity) this.sources.delete(this.sources.keys().next().value!);
    this.sources.set(file, { source, stamp });
    return source;
  }
}

const shared = new PositionResolver(undefined, 2);

/**
 * The exact line and column of a SourceLocation. A DesiredState loaded by the fast path (a
 * large valid input, LoadResult.parse 'fast') carries `at` with line and column 0, so that
 * its files are never parsed with positions when nothing needs pointing at. Call locate(at)
 * before printing one: it parses that file with yaml's parseDocument once (the two most
 * recently used files are kept, re-read when they change on disk) and returns the location
 * with its line and column; a location with a line already, or in a file that can no longer
 * be read or parsed, is returned as it is. clearLocateCache() frees the parsed files.
 */
export function locate(at: SourceLocation): SourceLocation {
  return shared.resolve(at);
}

export function clearLocateCache(): void {
  shared.clear();
}
