import { BoundedText, DocumentProblem, detailOf, type RawDocument } from './document-problem';

/** What is used of a PDF.js document (unpdf's bundled, worker-less build of PDF.js). */
interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
}
interface PdfPage {
  getTextContent(): Promise<{ items: PdfTextItem[] }>;
  cleanup(): void;
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
  getMetadata(): Promise<{ info?: unknown }>;
  destroy(): Promise<void>;
}
interface Unpdf {
  getDocumentProxy(data: Uint8Array, options: Record<string, unknown>): Promise<PdfDocument>;
}

/**
 * The text of every page of a PDF, pages apart as paragraphs. PDF.js runs in this (parse) thread,
 * with nothing it could fetch: no worker script, no font or CMap URLs, no system fonts, and
 * `isEvalSupported: false` so that no font program is compiled into JavaScript (CVE-2024-4367).
 * A page without text (a scan) adds nothing; a PDF without any is empty.
 */
export async function parsePdf(bytes: Uint8Array, maxChars: number): Promise<RawDocument> {
  // unpdf is an ES module; loaded on the first PDF, so threads that never see one never pay for it.
  const { getDocumentProxy } = (await import('unpdf')) as unknown as Unpdf;
  let pdf: PdfDocument;
  try {
    pdf = await getDocumentProxy(bytes, {
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      verbosity: 0,
    });
  } catch (err) {
    throw unreadable(err);
  }
  try {
    const out = new BoundedText(maxChars);
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const { items } = await page.getTextContent();
      for (const item of items) {
        if (item.str) out.push(item.str);
        if (item.hasEOL) out.push('\n');
      }
      out.push('\n\n');
      page.cleanup();
    }
    return { text: out.toString(), ...(await titleOf(pdf)) };
  } catch (err) {
    throw err instanceof DocumentProblem ? err : unreadable(err);
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}

async function titleOf(pdf: PdfDocument): Promise<{ title?: string }> {
  const info = await pdf.getMetadata().then((m) => m.info as { Title?: unknown } | undefined, () => undefined);
  const title = typeof info?.Title === 'string' ? info.Title.trim().slice(0, 500) : '';
  return title ? { title } : {};
}

function unreadable(err: unknown): DocumentProblem {
  const name = err instanceof Error ? err.name : '';
  const reason = name === 'PasswordException' ? 'it is password-protected' : 'it is damaged or not a PDF';
  return new DocumentProblem('unreadable', reason, detailOf(err));
}
