/** `--check`, `--skip` and `--profile`: which checks of a benchmark run. */
import { VigilError } from '../../core/errors.js';
import type { CheckDefinition } from './types.js';

export interface CheckFilter {
  check?: string;
  skip?: string;
  profile?: string;
}

/** `2.1` exact; `5.*` or `5` a section and everything under it; `*` all. */
function patterns(list: string, flag: string): Array<(id: string) => boolean> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => {
      if (!/^(\*|[A-Za-z]?[0-9]+(\.[0-9]+)*(\.\*)?)$/.test(p)) {
        throw new VigilError('bad-option', `${flag}: ${JSON.stringify(p)} is not a check id or pattern (e.g. 2.1, 5.*)`, { kind: 'usage' });
      }
      if (p === '*') return () => true;
      const base = p.replace(/\.\*$/, '');
      return (id: string) => id === base || id.startsWith(base + '.');
    });
}

export function selectChecks(checks: CheckDefinition[], f: CheckFilter): CheckDefinition[] {
  let out = checks;
  if (f.profile !== undefined) {
    const p = f.profile.toLowerCase().replace(/[\s_-]/g, '');
    // CIS Level 2 extends Level 1: level2 runs both.
    if (p === 'level1') out = out.filter((c) => c.profile === 'Level 1');
    else if (p !== 'level2') throw new VigilError('bad-option', `--profile must be level1 or level2, got ${JSON.stringify(f.profile)}`, { kind: 'usage' });
  }
  if (f.check !== undefined) {
    const ps = patterns(f.check, '--check');
    for (const [i, m] of ps.entries()) {
      if (!checks.some((c) => m(c.id))) throw new VigilError('bad-option', `--check: ${f.check.split(',').map((s) => s.trim()).filter(Boolean)[i]} matches no check of this benchmark`, { kind: 'usage' });
    }
    out = out.filter((c) => ps.some((m) => m(c.id)));
  }
  if (f.skip !== undefined) {
    const ps = patterns(f.skip, '--skip');
    out = out.filter((c) => !ps.some((m) => m(c.id)));
  }
  return out;
}
