import { readFile } from 'node:fs/promises';
import { VigilError } from '../core/errors.js';
import type { Finding, ScanReport, Suppression, VexSuppression } from '../report/types.js';
import { withFindings } from './filters.js';
import { productMatchesImage } from './image-match.js';
import { installedPackages } from './installed.js';
import { parsePurl, purlMatches } from './purl-match.js';

/**
 * OpenVEX input (`--vex FILE`): statements from a supplier (or the team itself) that a product
 * is not affected by, or has fixed, a vulnerability. Spec: https://github.com/openvex/spec
 * (OPENVEX-SPEC.md, v0.2.0). Parsed and checked by hand: the fields Vigil reads are few, and
 * the published JSON schema is stricter than the spec's prose (it forbids giving both a
 * justification and an impact statement, which the spec recommends).
 */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

export interface VexComponent {
  '@id'?: string;
  identifiers?: { purl?: string; cpe22?: string; cpe23?: string };
}

export interface VexProduct extends VexComponent {
  subcomponents?: VexComponent[];
}

export interface VexStatement {
  vulnerability: { name: string; aliases?: string[] };
  products: VexProduct[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  /** The statement's own timestamp, else its last_updated, else the document's (spec "Inheritance"). */
  timestamp?: string;
}

export interface VexDocument {
  /** The file it was read from, for messages and the report. */
  file?: string;
  '@id'?: string;
  timestamp?: string;
  statements: VexStatement[];
}

/** Reads and checks an OpenVEX document. @throws VigilError `bad-vex` (usage, exit 2). */
export async function loadVex(file: string): Promise<VexDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new VigilError('bad-vex', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { kind: 'usage', cause: e });
  }
  return parseVex(text, file);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Parses an OpenVEX document's text. @throws VigilError `bad-vex` naming the file and every problem found. */
export function parseVex(text: string, file = 'VEX document'): VexDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VigilError('bad-vex', `${file}: not JSON (${(e as Error).message})`, { kind: 'usage', cause: e });
  }
  const problems: string[] = [];
  const fail = (): never => {
    const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    throw new VigilError('bad-vex', `${file}: not a valid OpenVEX document: ${shown}`, { kind: 'usage' });
  };
  if (!isObj(doc)) {
    problems.push('the top level must be an object');
    return fail();
  }
  const context = doc['@context'];
  if (typeof context !== 'string' || !context.startsWith('https://openvex.dev/ns')) {
    problems.push(`@context must be an OpenVEX context such as "https://openvex.dev/ns/v0.2.0" (got ${JSON.stringify(context)})`);
  }
  if (doc.timestamp !== undefined && !isDate(doc.timestamp)) problems.push('timestamp is not a date-time');
  if (!Array.isArray(doc.statements)) {
    problems.push('statements must be a list');
    return fail();
  }
  const docTime = typeof doc.timestamp === 'string' ? doc.timestamp : undefined;
  const statements: VexStatement[] = [];
  doc.statements.forEach((raw, i) => {
    const at = `statements[${i}]`;
    if (!isObj(raw)) return void problems.push(`${at} must be an object`);
    // v0.0.x wrote the vulnerability as a bare string.
    const v = typeof raw.vulnerability === 'string' ? { name: raw.vulnerability } : raw.vulnerability;
    if (!isObj(v) || typeof v.name !== 'string' || v.name === '') problems.push(`${at}.vulnerability.name is missing`);
    const aliases = isObj(v) ? v.aliases : undefined;
    if (aliases !== undefined && !(Array.isArray(aliases) && aliases.every((a) => typeof a === 'string'))) {
      problems.push(`${at}.vulnerability.aliases must be a list of strings`);
    }
    const status = raw.status;
    if (!(VEX_STATUSES as readonly unknown[]).includes(status)) {
      problems.push(`${at}.status must be one of ${VEX_STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
    }
    const justification = raw.justification;
    if (justification !== undefined && !(VEX_JUSTIFICATIONS as readonly unknown[]).includes(justification)) {
      problems.push(`${at}.justification must be one of ${VEX_JUSTIFICATIONS.join(', ')} (got ${JSON.stringify(justification)})`);
    }
    if (raw.impact_statement !== undefined && typeof raw.impact_statement !== 'string') problems.push(`${at}.impact_statement must be a string`);
    if (status === 'not_affected' && justification === undefined && raw.impact_statement === undefined) {
      problems.push(`${at}: a not_affected statement needs a justification or an impact_statement`);
    }
    for (const k of ['timestamp', 'last_updated'] as const) {
      if (raw[k] !== undefined && !isDate(raw[k])) problems.push(`${at}.${k} is not a date-time`);
    }
    const products = raw.products ?? [];
    if (!Array.isArray(products)) return void problems.push(`${at}.products must be a list`);
    products.forEach((p, j) => {
      checkComponent(p, `${at}.products[${j}]`, problems);
      if (isObj(p) && p.subcomponents !== undefined) {
        if (!Array.isArray(p.subcomponents)) problems.push(`${at}.products[${j}].subcomponents must be a list`);
        else p.subcomponents.forEach((s, k) => checkComponent(s, `${at}.products[${j}].subcomponents[${k}]`, problems));
      }
    });
    if (problems.length > 0) return;
    const vuln = v as Obj;
    statements.push({
      vulnerability: { name: vuln.name as string, ...(aliases ? { aliases: aliases as string[] } : {}) },
      products: products as VexProduct[],
      status: status as VexStatus,
      ...(typeof justification === 'string' ? { justification } : {}),
      ...(typeof raw.impact_statement === 'string' ? { impactStatement: raw.impact_statement } : {}),
      ...((raw.timestamp ?? raw.last_updated ?? docTime) ? { timestamp: (raw.timestamp ?? raw.last_updated ?? docTime) as string } : {}),
    });
  });
  if (problems.length > 0) fail();
  return {
    file,
    ...(typeof doc['@id'] === 'string' ? { '@id': doc['@id'] } : {}),
    ...(docTime ? { timestamp: docTime } : {}),
    statements,
  };
}

function checkComponent(c: unknown, at: string, problems: string[]): void {
  if (!isObj(c)) return void problems.push(`${at} must be an object`);
  const id = c['@id'];
  const purl = isObj(c.identifiers) ? c.identifiers.purl : undefined;
  if (id !== undefined && typeof id !== 'string') problems.push(`${at}.@id must be a string`);
  if (purl !== undefined && typeof purl !== 'string') problems.push(`${at}.identifiers.purl must be a string`);
  if (typeof purl === 'string' && !parsePurl(purl)) problems.push(`${at}.identifiers.purl is not a package URL: ${purl}`);
  if (typeof id === 'string' && id.startsWith('pkg:') && !parsePurl(id)) problems.push(`${at}.@id is not a valid package URL: ${id}`);
}

/** The component's names: its `@id` and its purl identifier. */
function names(c: VexComponent): string[] {
  return [c['@id'], c.identifiers?.purl].filter((x): x is string => typeof x === 'string');
}

/**
 * The product or subcomponent `@id` through which a statement applies to a finding, if any:
 * a product that is the package itself, or a product that is the scanned image, either with no
 * subcomponents (the whole image) or with the package among its subcomponents.
 */
function matchedProduct(st: VexStatement, purls: string[], report: ScanReport): string | undefined {
  for (const p of st.products) {
    const own = names(p).find((n) => purls.some((q) => purlMatches(n, q)));
    if (own) return own;
    const image = names(p).find((n) => productMatchesImage(n, report.artifact));
    if (!image) continue;
    if (!p.subcomponents?.length) return image;
    for (const s of p.subcomponents) {
      const sub = names(s).find((n) => purls.some((q) => purlMatches(n, q)));
      if (sub) return sub;
    }
  }
  return undefined;
}

function namesVulnerability(st: VexStatement, f: Finding): boolean {
  const ids = new Set([f.id, ...f.aliases]);
  return ids.has(st.vulnerability.name) || (st.vulnerability.aliases ?? []).some((a) => ids.has(a));
}

/**
 * Applies VEX documents: a finding is suppressed when the newest statement that names its
 * vulnerability (id or alias) and its package (or the image) says `not_affected` or `fixed`.
 * A newer `affected` or `under_investigation` statement reopens it, as VEX statements are a
 * timeline (spec "The VEX Statement"). Same time: the later document and statement wins.
 * Suppressed findings move to `report.suppressed` with the statement that decided.
 */
export function applyVex(report: ScanReport, docs: readonly VexDocument[]): ScanReport {
  if (docs.length === 0) return report;
  const installed = installedPackages(report);
  const kept: Finding[] = [];
  const suppressed: Suppression[] = [...(report.suppressed ?? [])];
  for (const f of report.vulnerabilities) {
    const purls = installed(f).map((p) => p.purl);
    let best: { doc: VexDocument; st: VexStatement; product: string; time: number } | undefined;
    for (const doc of docs) {
      for (const st of doc.statements) {
        if (!namesVulnerability(st, f)) continue;
        const product = matchedProduct(st, purls, report);
        if (!product) continue;
        const time = st.timestamp ? Date.parse(st.timestamp) : -Infinity;
        if (!best || time >= best.time) best = { doc, st, product, time };
      }
    }
    if (best && (best.st.status === 'not_affected' || best.st.status === 'fixed')) {
      const statement: VexSuppression['statement'] = {
        ...(best.doc.file ? { file: best.doc.file } : {}),
        ...(best.doc['@id'] ? { document: best.doc['@id'] } : {}),
        vulnerability: best.st.vulnerability.name,
        product: best.product,
        status: best.st.status,
        ...(best.st.justification ? { justification: best.st.justification } : {}),
        ...(best.st.impactStatement ? { impactStatement: best.st.impactStatement } : {}),
        ...(best.st.timestamp ? { timestamp: best.st.timestamp } : {}),
      };
      suppressed.push({ finding: f, reason: 'vex', statement });
    } else {
      kept.push(f);
    }
  }
  return { ...withFindings(report, kept), suppressed };
}
