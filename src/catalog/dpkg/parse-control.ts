/**
 * Debian control-file syntax (deb822, https://www.debian.org/doc/debian-policy/ch-controlfields.html):
 * paragraphs separated by blank lines; `Field: value` lines; lines starting with a space or a
 * tab continue the previous field (multi-line Description, Conffiles). Field names are
 * case-insensitive, so keys are lowercased. The parser never throws: a line that is neither a
 * field nor a continuation is counted on its paragraph so that the caller can warn.
 */
export interface ControlParagraph {
  /** 1-based line of the paragraph's first field, for warnings. */
  line: number;
  /** Lowercased field name → value; continuation lines are joined with "\n". */
  fields: Map<string, string>;
  /** Lines that could not be read as a field or a continuation. */
  badLines: number;
}

const FIELD = /^([^\s:#][^\s:]*)[ \t]*:[ \t]*(.*)$/;

export function parseControlParagraphs(text: string): ControlParagraph[] {
  const out: ControlParagraph[] = [];
  let current: ControlParagraph | undefined;
  let lastKey: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      current = undefined;
      lastKey = undefined;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current && lastKey !== undefined) {
        const prev = current.fields.get(lastKey) ?? '';
        current.fields.set(lastKey, prev === '' ? line.trim() : `${prev}\n${line.trim()}`);
      } else if (current) {
        current.badLines++;
      }
      continue;
    }
    if (line.startsWith('#')) continue; // deb822 comments (not written by dpkg, but legal)
    if (!current) {
      current = { line: i + 1, fields: new Map(), badLines: 0 };
      out.push(current);
    }
    const m = FIELD.exec(line);
    if (!m) {
      current.badLines++;
      lastKey = undefined;
      continue;
    }
    lastKey = m[1]!.toLowerCase();
    current.fields.set(lastKey, m[2]!.trim());
  }
  return out;
}
