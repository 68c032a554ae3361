/**
 * Runs a benchmark's checks against a target and turns probe values into results. A check's
 * own trouble (a malformed file, a missing input) becomes its result; the run goes on.
 */
import { parse as parseYaml } from 'yaml';
import { emptyComplianceSummary, type CheckLevel, type CheckResult, type ComplianceReport } from '../types.js';
import { readAccounts, type Accounts } from './accounts.js';
import { describeExpected, OPERATOR_FNS } from './operators.js';
import { probeName } from './load-benchmark.js';
import { PROBES } from './probes/index.js';
import { listProcesses, type ProcessInfo } from './processes.js';
import { ProbeError, type ProbeEnv, type ProbeItem, type ProbeResult, type VirtualProcess } from './probe-types.js';
import { detectKubernetes } from '../kubernetes/detect.js';
import { effectiveArgs } from '../kubernetes/effective-args.js';
import type { KubeProfile } from '../kubernetes/types.js';
import { getPath } from './settings.js';
import { TargetRoot } from './target-root.js';
import type { BenchmarkDefinition, CheckDefinition, Condition, EngineContext, TestExpr } from './types.js';

function makeEnv(bench: BenchmarkDefinition, ctx: EngineContext): ProbeEnv {
  const root = new TargetRoot(ctx.root);
  let accounts: Promise<Accounts> | undefined;
  let procs: Promise<ProcessInfo[]> | undefined;
  const parsed = new Map<string, Promise<unknown>>();
  let kube: Promise<KubeProfile> | undefined;
  const kubeArgs = new Map<string, Promise<VirtualProcess | undefined>>();
  return {
    ctx,
    bench,
    root,
    containers: ctx.containers,
    accounts: () => (accounts ??= readAccounts(root)),
    processes: () => (procs ??= listProcesses(root)),
    kubeArgs(component) {
      let hit = kubeArgs.get(component);
      if (!hit) {
        hit = (kube ??= detectKubernetes(ctx.root)).then(async (profile) => {
          const a = await effectiveArgs(ctx.root, profile, component);
          return a && { argv: a.argv, sources: a.sources, errors: a.errors };
        });
        kubeArgs.set(component, hit);
      }
      return hit;
    },
    parsedFile(p, format) {
      let hit = parsed.get(p);
      if (!hit) {
        hit = root.readText(p).then((text) => {
          if (text === undefined) return undefined;
          try {
            if (format === 'json') return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
            return parseYaml(text) as unknown;
          } catch (e) {
            throw new ProbeError(`${p} is not valid ${format.toUpperCase()}: ${(e as Error).message.split('\n')[0]}`);
          }
        });
        parsed.set(p, hit);
      }
      return hit;
    },
  };
}

function show(v: unknown): string {
  if (v === undefined) return '(not set)';
  if (v && typeof v === 'object' && 'path' in v && 'mode' in v) {
    const f = v as unknown as { type: string; mode: string; owner: string };
    return `${f.type}, mode ${f.mode}, owner ${f.owner}`;
  }
  return JSON.stringify(v);
}

interface Bound {
  items: Map<string, ProbeItem | undefined>;
  first: string;
}

interface Seen {
  pass: boolean;
  text: string;
  /** The same without the source: per-item evidence names the item once. */
  short: string;
}

/** Evaluates a test; appends what each comparison saw to `evidence`. */
function evaluate(t: TestExpr, b: Bound, evidence: Seen[]): boolean {
  if ('and' in t) return t.and.map((x) => evaluate(x, b, evidence)).every(Boolean);
  if ('or' in t) return t.or.map((x) => evaluate(x, b, evidence)).some(Boolean);
  if ('not' in t) {
    // What held inside a `not` is what failed outside it.
    const inner: Seen[] = [];
    const r = !evaluate(t.not, b, inner);
    const negate = (x: string) => x.replace('(expected ', '(expected not ');
    evidence.push(...inner.map((e) => ({ pass: !e.pass, text: negate(e.text), short: negate(e.short) })));
    return r;
  }
  const c = t as Condition;
  const item = b.items.get(c.probe ?? b.first);
  const actual = c.field ? getPath(item?.value, c.field) : item?.value;
  const pass = OPERATOR_FNS[c.op](actual, c.value);
  const what = c.field ? `${c.field} = ${show(actual)}` : show(actual);
  const where = item?.source ? `${item.source}: ` : '';
  const short = `${what} (expected ${describeExpected(c.op, c.value)})`;
  evidence.push({ pass, text: `${where}${short}`, short });
  return pass;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function result(check: CheckDefinition, level: CheckLevel, evidence: string[]): CheckResult {
  return {
    id: check.id,
    title: check.title,
    level,
    type: check.type,
    profile: check.profile,
    scored: check.scored,
    automated: check.automated,
    evidence,
    remediation: check.remediation.trim(),
    tags: check.tags,
  };
}

async function runProbe(check: CheckDefinition, i: number, env: ProbeEnv): Promise<ProbeResult> {
  const p = check.audit![i]!;
  const runner = PROBES.get(p.kind)!;
  try {
    return await runner.run(p, env);
  } catch (e) {
    if (e instanceof ProbeError) return { status: 'error', reason: e.message };
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { status: 'unavailable', reason: `cannot read: ${(e as Error).message}` };
    throw e;
  }
}

export async function runCheck(check: CheckDefinition, env: ProbeEnv): Promise<CheckResult> {
  if (check.manual !== undefined) return result(check, 'MANUAL', [check.manual]);
  const audit = check.audit ?? [];
  const outcomes = await Promise.all(audit.map((_, i) => runProbe(check, i, env)));
  const names = audit.map((_, i) => probeName(check, i));

  const errors = outcomes.filter((o): o is { status: 'error'; reason: string } => o.status === 'error');
  if (errors.length) return result(check, 'ERROR', errors.map((e) => e.reason));

  const single = (i: number): ProbeItem | undefined => {
    const o = outcomes[i]!;
    return o.status === 'ok' ? o.items[0] : undefined;
  };
  const bindAll = () => ({ first: names[0]!, items: new Map(names.map((n, i) => [n, single(i)])) });

  if (check.when) {
    if (!evaluate(check.when, bindAll(), [])) {
      const why = outcomes.filter((o) => o.status === 'missing' || o.status === 'unavailable').map((o) => (o as { reason: string }).reason);
      return result(check, check.unless!.level, unique([check.unless!.reason, ...why]));
    }
  }

  const unavailable = outcomes.filter((o): o is { status: 'unavailable'; reason: string } => o.status === 'unavailable');
  if (unavailable.length) return result(check, 'MANUAL', unique(unavailable.map((u) => u.reason)));
  const missing = outcomes.filter((o): o is { status: 'missing'; reason: string } => o.status === 'missing');
  if (missing.length) return result(check, check.onMissing ?? 'INFO', unique(missing.map((m) => m.reason)));

  if (!check.test) {
    const evidence = outcomes.flatMap((o) => (o.status === 'ok' ? o.items.map((it) => `${it.source}: ${show(it.value)}`) : []));
    return result(check, check.report!, evidence);
  }

  const iter = audit.findIndex((p, i) => PROBES.get(p.kind)!.iterates(p) && outcomes[i]!.status === 'ok');
  if (iter < 0) {
    const seen: Seen[] = [];
    const pass = evaluate(check.test, bindAll(), seen);
    return result(check, pass ? 'PASS' : (check.onFail ?? 'WARN'), unique(seen.map((e) => e.text)));
  }
  const items = (outcomes[iter] as { items: ProbeItem[] }).items;
  const noun = audit[iter]!.kind === 'container' ? 'containers' : 'files';
  if (items.length === 0) return result(check, check.onMissing ?? 'INFO', [`no ${noun} to check`]);
  const failed: string[] = [];
  for (const item of items) {
    const b = bindAll();
    b.items.set(names[iter]!, item);
    const seen: Seen[] = [];
    if (!evaluate(check.test, b, seen)) failed.push(`${item.name}: ${unique(seen.filter((e) => !e.pass).map((e) => e.short)).join('; ')}`);
  }
  if (failed.length === 0) return result(check, 'PASS', [`${items.length} ${noun} checked, none non-compliant`]);
  return result(check, check.onFail ?? 'WARN', failed);
}

export interface RunOptions {
  /** Only these checks (already filtered by the caller, see filters.ts). */
  checks?: CheckDefinition[];
  targetName?: string;
  targetType?: ComplianceReport['target']['type'];
}

export async function runBenchmark(bench: BenchmarkDefinition, ctx: EngineContext, opts: RunOptions = {}): Promise<ComplianceReport> {
  const env = makeEnv(bench, ctx);
  const checks = opts.checks ?? bench.checks;
  const results = await Promise.all(checks.map((c) => runCheck(c, env)));
  return buildReport(bench.id, { type: opts.targetType ?? bench.target, name: opts.targetName ?? ctx.root, root: ctx.root }, results);
}

export function buildReport(benchmark: string, target: ComplianceReport['target'], results: CheckResult[]): ComplianceReport {
  const summary = emptyComplianceSummary();
  for (const r of results) summary[r.level]++;
  return { schemaVersion: 1, benchmark, target, results, summary };
}

export { makeEnv };
