// tsc compiles TypeScript only: the declarative benchmark definitions (YAML) are copied next to
// the compiled engine so that dist/ (and a published package) is complete on its own.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src/compliance/benchmarks');
const to = join(root, 'dist/compliance/benchmarks');
mkdirSync(to, { recursive: true });
for (const f of readdirSync(from)) if (f.endsWith('.yaml')) cpSync(join(from, f), join(to, f));
