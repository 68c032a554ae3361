/**
 * npm license fields as found in the wild: `"license": "MIT"`, `"license": {"type": "MIT"}`
 * (old npm) and the legacy `"licenses": [{"type": "MIT"}, "Apache-2.0"]`.
 */
export function npmLicenses(doc: Record<string, unknown>): string[] | undefined {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.trim()) out.push(v.trim());
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const type = (v as Record<string, unknown>).type;
      if (typeof type === 'string' && type.trim()) out.push(type.trim());
    }
  };
  add(doc.license);
  if (Array.isArray(doc.licenses)) for (const l of doc.licenses.slice(0, 32)) add(l);
  else add(doc.licenses);
  return out.length ? [...new Set(out)] : undefined;
}
