import type { RawDocument } from './document-problem';
import { decodeText } from './text-decode';

/** txt and md: the decoded text as it is (Markdown keeps its `#` headings for the markdown splitter). */
export function parsePlainText(bytes: Uint8Array, markdown: boolean): RawDocument {
  const text = decodeText(bytes);
  return { text, ...(markdown ? titleOfMarkdown(text) : {}) };
}

/** The first ATX heading of the first lines, if any. */
function titleOfMarkdown(text: string): { title?: string } {
  const head = text.slice(0, 4096).split('\n', 40);
  for (const line of head) {
    const m = /^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/.exec(line.slice(0, 300));
    if (m) return { title: m[1]!.trim() };
  }
  return {};
}
