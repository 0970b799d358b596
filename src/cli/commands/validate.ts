import { Option, type Command } from 'commander';
import { formatDiagnostic, loadDesiredState, type Diagnostic } from '../../desired/index.js';
import { action } from '../run-command.js';

interface ValidateOptions {
  strict?: boolean;
  secrets?: boolean;
  format: 'text' | 'json';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check desired-state YAML files (schema and semantic rules) without touching a database')
    .argument('[paths...]', 'YAML files or directories (every *.yaml and *.yml in them)', ['hermes.yaml'])
    .option('--strict', 'treat warnings as errors')
    .option('--secrets', 'resolve every secret ({ env } and { file }); a secret that cannot be read is an error')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(async (paths: string[], options: ValidateOptions) => {
        const result = await loadDesiredState(paths, { secrets: options.secrets ? 'required' : 'warn' });
        const diagnostics: Diagnostic[] = options.strict ? result.diagnostics.map((d) => ({ ...d, severity: 'error' })) : result.diagnostics;
        // (beyond the first diagnostics, the loader counts the rest: HERMES_MORE_DIAGNOSTICS)
        const shown = diagnostics.filter((d) => d.code !== 'HERMES_MORE_DIAGNOSTICS');
        const errors = shown.filter((d) => d.severity === 'error').length + (options.strict ? result.omitted.errors + result.omitted.warnings : result.omitted.errors);
        const warnings = shown.length - shown.filter((d) => d.severity === 'error').length + (options.strict ? 0 : result.omitted.warnings);
        const valid = errors === 0 && result.state !== undefined;
        if (options.format === 'json') {
          process.stdout.write(JSON.stringify({ valid, diagnostics }, null, 2) + '\n');
          return valid ? 0 : 1;
        }
        for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
        if (valid) {
          const files = result.state!.files;
          // every file read is named (a file skipped silently would leave its objects out of the plan)
          const label = files.length === 1 ? `${files[0]} is` : `${files.length} files are`;
          process.stdout.write(`${label} valid${warnings ? ` (${plural(warnings, 'warning')})` : ''}${files.length === 1 ? '' : `: ${files.join(', ')}`}.\n`);
          return 0;
        }
        // A missing file: its one line says it all.
        if (!(diagnostics.length === 1 && diagnostics[0].line === 0)) process.stdout.write(`${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}.\n`);
        // the files read, when they are not just the files named on the command line
        if (result.files.length > 0 && result.files.join('\n') !== paths.join('\n')) process.stdout.write(`Read ${plural(result.files.length, 'file')}: ${result.files.join(', ')}.\n`);
        return 1;
      }),
    );
}
