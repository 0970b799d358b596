import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A temporary folder for the test file that calls this (removed after its tests), and a
 * function that writes content to a new file in it and returns the file's path.
 */
export function scratchFiles(prefix: string): (content: string | Uint8Array) => string {
  const dir = mkdtempSync(join(tmpdir(), `hermes-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  return (content) => {
    const file = join(dir, `state-${counter++}.yaml`);
    writeFileSync(file, content);
    return file;
  };
}
