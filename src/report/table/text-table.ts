/**
 * A small column layout for terminals: widths fit the content, long cells are shortened in the
 * middle (the start and the end of a path say the most), colour is applied after padding so
 * escape codes never count towards a width.
 */

/** Display width, counting code points (no wide-glyph tables: package data is ASCII in practice). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** "/usr/lib/python3/dist-packages/x/METADATA" → "/usr/lib/pyt…x/METADATA" within `max` columns. */
export function truncateMiddle(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return chars.slice(0, head).join('') + '…' + (tail > 0 ? chars.slice(chars.length - tail).join('') : '');
}

export interface Column {
  header: string;
  /** Longer cells are shortened in the middle. */
  maxWidth?: number;
  align?: 'left' | 'right';
}

export type Paint = (s: string) => string;

export interface Cell {
  text: string;
  paint?: Paint;
}

/** Lay out rows under headers; returns lines without trailing spaces. */
export function layoutTable(
  columns: readonly Column[],
  rows: ReadonlyArray<ReadonlyArray<string | Cell>>,
  options: { indent?: string; paintHeader?: Paint } = {},
): string[] {
  const indent = options.indent ?? '';
  const cells: Cell[][] = rows.map((r) =>
    columns.map((c, i) => {
      const raw = r[i] ?? '';
      const cell = typeof raw === 'string' ? { text: raw } : raw;
      const text = cleanCell(cell.text);
      return { ...cell, text: c.maxWidth ? truncateMiddle(text, c.maxWidth) : text };
    }),
  );
  const widths = columns.map((c, i) => Math.max(textWidth(c.header), ...cells.map((r) => textWidth(r[i]!.text))));
  const pad = (text: string, i: number): string => {
    const fill = ' '.repeat(Math.max(0, widths[i]! - textWidth(text)));
    return columns[i]!.align === 'right' ? fill + text : text + fill;
  };
  const line = (parts: Cell[]): string =>
    (
      indent +
      parts
        .map((cell, i) => {
          const last = i === parts.length - 1 && columns[i]!.align !== 'right';
          const padded = last ? cell.text : pad(cell.text, i);
          return cell.paint ? cell.paint(padded) : padded;
        })
        .join('  ')
    ).trimEnd();
  const header = line(columns.map((c) => ({ text: c.header, ...(options.paintHeader ? { paint: options.paintHeader } : {}) })));
  return [header, ...cells.map(line)];
}

/** One cell is one line: control characters (newlines from feed titles, escapes) become spaces. */
function cleanCell(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
