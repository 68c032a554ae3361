/**
 * Loading benchmark definitions: YAML, one file per benchmark version, validated against the
 * schema plus the rules a schema cannot say (unique ids, a test names a probe that exists,
 * a probe's process is declared, regexes compile). The registry below is the one list of
 * benchmarks `vigil bench` knows.
 */
import { readFile, access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { VigilError } from '../../core/errors.js';
import { benchmarkSchema, testSchema } from './schema.js';
import type { BenchmarkDefinition, CheckDefinition, TestExpr } from './types.js';

/** Benchmark id → definition file name (in src/compliance/benchmarks/). */
export const BENCHMARK_FILES: ReadonlyMap<string, string> = new Map([
  ['cis-docker-1.6.0', 'cis-docker-1.6.0.yaml'],
  ['cis-kubernetes-1.8.0', 'cis-kubernetes-1.8.0.yaml'],
  ['cis-kubernetes-1.9.0', 'cis-kubernetes-1.9.0.yaml'],
]);

/**
 * The YAML files sit beside the sources; the compiled code (dist/compliance/engine/) finds
 * them through the source tree when the build did not copy them next to it.
 */
// dist/ has its own copy (scripts/copy-assets.mjs); tests run from src/ and find them beside the code.
const DIRS = [new URL('../benchmarks/', import.meta.url)];

async function locate(file: string): Promise<string> {
  for (const d of DIRS) {
    const p = fileURLToPath(new URL(file, d));
    try {
      await access(p);
      return p;
    } catch {
      // next
    }
  }
  throw new VigilError('internal', `benchmark definition ${file} is not installed`, { kind: 'internal' });
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(doc: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    ajv.addSchema(testSchema);
    validator = ajv.compile(benchmarkSchema);
  }
  if (validator(doc)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}

function conditions(t: TestExpr | undefined, out: Array<{ probe?: string; value?: unknown; op: string }> = []): typeof out {
  if (!t) return out;
  if ('and' in t) t.and.forEach((x) => conditions(x, out));
  else if ('or' in t) t.or.forEach((x) => conditions(x, out));
  else if ('not' in t) conditions(t.not, out);
  else out.push(t);
  return out;
}

export function probeName(check: CheckDefinition, i: number): string {
  return check.audit?.[i]?.as ?? `p${i}`;
}

/** Checks what the schema cannot; returns problems as "check <id>: …". */
export function lint(def: BenchmarkDefinition): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const c of def.checks) {
    const at = `check ${c.id}`;
    if (ids.has(c.id)) problems.push(`${at}: duplicate id`);
    ids.add(c.id);
    const section = c.id.split('.')[0]!;
    if (!def.sections[section]) problems.push(`${at}: no section ${section} in sections`);
    if (c.manual !== undefined) {
      if (c.test || c.audit) problems.push(`${at}: a manual check has no audit or test`);
      continue;
    }
    if (!c.audit?.length) problems.push(`${at}: needs an audit (or manual: <reason>)`);
    if (!c.test && !c.report) problems.push(`${at}: needs a test or report: <level>`);
    if (c.when && !c.unless) problems.push(`${at}: when needs unless`);
    const names = new Set((c.audit ?? []).map((_, i) => probeName(c, i)));
    if (names.size !== (c.audit ?? []).length) problems.push(`${at}: duplicate probe names`);
    const iterating = (c.audit ?? []).filter((p) => p.kind === 'container' || (p.kind === 'file' && p.glob !== undefined));
    if (iterating.length > 1) problems.push(`${at}: at most one per-item probe (container, file glob)`);
    for (const p of c.audit ?? []) {
      const refs = [p.kind === 'setting' ? p.process : undefined, 'pathFrom' in p ? p.pathFrom?.process : undefined].filter((x): x is string => !!x);
      for (const r of refs) if (!def.processes[r]) problems.push(`${at}: unknown process ${r}`);
      if (p.kind === 'file-content') {
        try {
          new RegExp(p.regex);
        } catch (e) {
          problems.push(`${at}: bad regex: ${(e as Error).message}`);
        }
      }
    }
    for (const cond of [...conditions(c.test), ...conditions(c.when)]) {
      if (cond.probe !== undefined && !names.has(cond.probe)) problems.push(`${at}: test names unknown probe ${cond.probe}`);
      if (cond.op === 'regex') {
        try {
          new RegExp(String(cond.value));
        } catch (e) {
          problems.push(`${at}: bad regex: ${(e as Error).message}`);
        }
      }
      if (!['set', 'unset'].includes(cond.op) && cond.value === undefined) problems.push(`${at}: ${cond.op} needs a value`);
    }
  }
  return problems;
}

/** Parses and validates a definition's text; `where` names it in errors. */
export function parseBenchmark(text: string, where: string): BenchmarkDefinition {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new VigilError('bad-definition', `${where}: ${(e as Error).message.split('\n')[0]}`, { kind: 'internal', cause: e });
  }
  const errors = validate(doc);
  if (errors.length) throw new VigilError('bad-definition', `${where}: ${errors.slice(0, 3).join('; ')}`, { kind: 'internal' });
  const def = doc as BenchmarkDefinition;
  const problems = lint(def);
  if (problems.length) throw new VigilError('bad-definition', `${where}: ${problems.slice(0, 3).join('; ')}`, { kind: 'internal' });
  return def;
}

const cache = new Map<string, Promise<BenchmarkDefinition>>();

export function loadBenchmark(id: string): Promise<BenchmarkDefinition> {
  const file = BENCHMARK_FILES.get(id);
  if (!file) throw new VigilError('unknown-benchmark', `unknown benchmark ${id} (known: ${[...BENCHMARK_FILES.keys()].join(', ')})`, { kind: 'usage' });
  let p = cache.get(id);
  if (!p) {
    p = locate(file).then(async (path) => parseBenchmark(await readFile(path, 'utf8'), file));
    cache.set(id, p);
    p.catch(() => cache.delete(id));
  }
  return p;
}
