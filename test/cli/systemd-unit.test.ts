import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';

const UNIT = fileURLToPath(new URL('../../examples/systemd/hermes.service', import.meta.url));
const unit = readFileSync(UNIT, 'utf8');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('examples/systemd/hermes.service', () => {
  it('is hardened: a dedicated user, a read-only system, no new privileges, secrets in a root-only environment file', () => {
    const settings = unit.split('\n').filter((l) => /^[A-Z]\w*=/.test(l));
    for (const line of ['User=hermes', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'EnvironmentFile=/etc/hermes/hermes.env', 'ExecReload=/bin/kill -HUP $MAINPID']) {
      expect(settings).toContain(line);
    }
    // No secret on the command line: the database URL comes from HERMES_DB in the environment file.
    expect(unit).not.toMatch(/--db\b|--provisioning-db\b|HERMES_DB=\S*:\/\/[^.…]*:[^…@]+@/);
  });

  it('starts hermes serve with options hermes serve has', async () => {
    const exec = /^ExecStart=\S+ serve (.*)$/m.exec(unit)![1]!;
    const help = (await runHermes(['serve', '--help'])).stdout;
    for (const option of exec.match(/--[a-z-]+/g)!) expect([option, help.includes(option)]).toEqual([option, true]);
  });

  // Without systemd-analyze this suite says so in its name (it is not silently skipped).
  (hasSystemdAnalyze ? describe : describe.skip)(`systemd-analyze${hasSystemdAnalyze ? '' : ' (skipped: systemd-analyze is not installed; apt-get install systemd)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-unit-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    /** The unit as installed, with an ExecStart binary that exists here (verify checks it). */
    const installed = (text: string) => {
      const file = join(dir, 'hermes.service');
      writeFileSync(file, text.replace('/usr/local/bin/hermes', process.execPath));
      return file;
    };
    const verify = (file: string) => spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });

    it('verify accepts it without a warning', () => {
      const result = verify(installed(unit));
      expect([result.status, result.stderr.trim()]).toEqual([0, '']);
    });

    it('verify would notice a mistake (the check can fail)', () => {
      const result = verify(installed(unit.replace('ProtectSystem=strict', 'ProtectSystem=very')));
      expect(result.stderr).toMatch(/protect system value.*very/);
    });

    it('security --offline rates its exposure low (under 2.0 of 10)', () => {
      const out = execFileSync('systemd-analyze', ['security', '--offline=true', installed(unit)], { encoding: 'utf8' });
      const level = Number(/Overall exposure level for hermes\.service: ([\d.]+)/.exec(out)?.[1]);
      expect(level).toBeLessThan(2);
    });
  });
});
