/** Text of a PDF as PDF.js reads it (what a viewer would show), with each string's position. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfItem {
  page: number;
  str: string;
  /** From the left edge, in points. */
  x: number;
  /** From the top edge, in points (PDF.js gives the baseline from the bottom). */
  y: number;
}

const require = createRequire(import.meta.url);
const STANDARD_FONTS = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;

export async function pdfItems(pdf: Buffer): Promise<{ pages: number; items: PdfItem[] }> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const items: PdfItem[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const height = page.getViewport({ scale: 1 }).height;
    const content = await page.getTextContent();
    for (const item of content.items) {
      // PDF.js adds a lone space between separately drawn strings on one line: not ours.
      if (!('str' in item) || item.str.trim() === '') continue;
      items.push({ page: n, str: item.str, x: item.transform[4] as number, y: height - (item.transform[5] as number) });
    }
  }
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, items };
}
