import { formatDiagnostic, loadDesiredState } from '../desired/index.js';
import type { DesiredState } from '../desired/types.js';
import { ExitCode } from './run-command.js';

export const DEFAULT_STATE_PATH = './hermes.yaml';

/**
 * Loads the desired state (paths, else ./hermes.yaml) and prints every diagnostic like
 * `hermes validate`; an invalid state ends the command with exit 1.
 */
export async function loadDesired(paths: string[], options: { secrets: 'required' | 'warn' } = { secrets: 'required' }): Promise<DesiredState> {
  const result = await loadDesiredState(paths.length > 0 ? paths : [DEFAULT_STATE_PATH], { secrets: options.secrets });
  for (const d of result.diagnostics) {
    // Without secrets (export --diff), their warnings are noise.
    if (options.secrets === 'warn' && d.severity === 'warning' && d.code.startsWith('HERMES_SECRET')) continue;
    process.stderr.write(formatDiagnostic(d) + '\n');
  }
  if (!result.state) throw new ExitCode(1);
  return result.state;
}
