import { writeFileSync } from 'node:fs';
import { responseSchemasModule } from '../src/contract/generate.js';

// Writes src/contract/response-schemas.ts from the types the API handlers return (src/contract/response-types.ts).
writeFileSync('src/contract/response-schemas.ts', responseSchemasModule());
console.log('wrote src/contract/response-schemas.ts');
