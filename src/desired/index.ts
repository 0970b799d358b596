/** The desired state: YAML loading, schema and semantic validation -> DesiredState | diagnostics. */
export { loadDesiredState, resolveFiles, MAX_DIAGNOSTICS, type LoadOptions, type LoadResult } from './load.js';
export { formatDiagnostic, sortDiagnostics, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics.js';
export { desiredStateSchema, SCHEMA_URL } from './schema.js';
export type { SecretsMode } from './secrets.js';
export type * from './types.js';
export type * from './raw-types.js';
