import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GENERATED_FILE, validatorSource } from '../../scripts/schema-validator-source.js';

it('the generated schema validator is the schema as ajv compiles it now (else: npm run schema:validator)', () => {
  expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(validatorSource());
});
