import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { RawSecret } from './raw-types.js';
import type { SourceLocation } from './types.js';

export type SecretsMode = 'required' | 'warn';

/**
 * Resolves a password: { env: NAME }, { file: PATH } (relative to the YAML file, one trailing
 * newline removed) or a plain string (with a warning). An unset variable, an unreadable file
 * or an empty secret is an error when secrets are required (plan, apply, validate --secrets)
 * and a warning otherwise; the password is then undefined. Messages never contain the secret.
 */
export async function resolveSecret(
  secret: RawSecret,
  at: SourceLocation,
  mode: SecretsMode,
  env: NodeJS.ProcessEnv,
  diagnostics: Diagnostic[],
): Promise<string | undefined> {
  const report = (code: DiagnosticCode, message: string, severity: 'error' | 'warning' = mode === 'required' ? 'error' : 'warning') =>
    diagnostics.push({ severity, code, file: at.file, line: at.line, column: at.column, path: at.path, message });
  let value: string;
  if (typeof secret === 'string') {
    report('HERMES_PLAINTEXT_SECRET', `${at.path} is a password in plain text; use { env: NAME } or { file: PATH } to keep it out of git`, 'warning');
    value = secret;
  } else if ('env' in secret) {
    const v = env[secret.env];
    if (v === undefined) {
      report('HERMES_SECRET_ENV_UNSET', `${at.path} reads the environment variable ${secret.env}, which is not set${mode === 'warn' ? ' (plan and apply will fail)' : ''}`);
      return undefined;
    }
    value = v;
  } else {
    const path = resolve(dirname(at.file), secret.file);
    try {
      value = (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      report('HERMES_SECRET_FILE_UNREADABLE', `${at.path} reads the file ${secret.file} (${path}), which ${reason}${mode === 'warn' ? ' (plan and apply will fail)' : ''}`);
      return undefined;
    }
  }
  if (value === '') {
    report('HERMES_SECRET_EMPTY', `${at.path} resolves to an empty password; a password must not be empty`);
    return undefined;
  }
  return value;
}
