/** Regenerates src/desired/schema-validator.generated.ts from schema/hermes.schema.json (npm run schema:validator). */
import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, validatorSource } from './schema-validator-source.js';

writeFileSync(GENERATED_FILE, validatorSource());
