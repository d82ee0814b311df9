import { Tokenizer } from 'htmlparser2';
import { BoundedText, type RawDocument } from './document-problem';

/** Elements whose content is not text a reader sees. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'head', 'select', 'canvas']);
/** Elements that end a paragraph. */
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'aside', 'header', 'footer', 'main', 'nav', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl',
  'figure', 'figcaption', 'form', 'fieldset', 'address', 'details', 'summary', 'hr', 'body', 'html',
]);
/** Elements that end a line. */
const LINES = new Set(['br', 'tr', 'li', 'dt', 'dd', 'caption', 'option']);
const HEADING = /^h([1-6])$/;

/**
 * HTML as Markdown-like text: headings become `#` lines, blocks become paragraphs, list items `- `
 * lines, table cells are separated by ` | `, and script, style and the like are dropped; entities
 * are decoded; the `<title>` is the title. It runs on htmlparser2's Tokenizer, a tolerant linear
 * tokenizer, rather than its Parser: the Parser keeps the open elements in an array it shifts at
 * every tag, which made 100,000 unclosed tags take 17 s. No element stack is needed to write text,
 * so a page costs time in proportion to its length whatever its nesting.
 */
export function htmlToText(html: string, maxChars: number): RawDocument {
  const out = new BoundedText(maxChars);
  let skipDepth = 0;
  let skipping: string | undefined;
  let inTitle = false;
  let title = '';
  let pre = 0;
  let cellsInRow = 0;
  let lastOpened = '';
  // Line breaks at the end of the output so far: nested blocks end one paragraph, not several.
  let trailingBreaks = 2;

  const breakTo = (n: 1 | 2) => {
    if (trailingBreaks < n) out.push('\n'.repeat(n - trailingBreaks));
    trailingBreaks = Math.max(trailingBreaks, n);
  };
  const write = (text: string) => {
    out.push(text);
    if (text.trim()) trailingBreaks = 0;
  };

  const open = (name: string) => {
    lastOpened = name;
    // The title sits in <head>, which is otherwise skipped.
    if (name === 'title') {
      inTitle = true;
      return;
    }
    if (skipping) {
      if (name === skipping) skipDepth += 1;
      return;
    }
    if (SKIPPED.has(name)) {
      skipping = name;
      skipDepth = 1;
      return;
    }
    const heading = HEADING.exec(name);
    if (heading) {
      breakTo(2);
      write(`${'#'.repeat(Number(heading[1]))} `);
    } else if (name === 'li') {
      breakTo(1);
      write('- ');
    } else if (name === 'tr') {
      breakTo(1);
      cellsInRow = 0;
    } else if (name === 'td' || name === 'th') {
      if (cellsInRow++ > 0) out.push(' | ');
    } else if (name === 'pre') {
      pre += 1;
      breakTo(2);
    } else if (BLOCKS.has(name)) breakTo(2);
    else if (LINES.has(name)) breakTo(1);
  };
  const close = (name: string) => {
    if (name === 'title') {
      inTitle = false;
      return;
    }
    if (skipping) {
      if (name === skipping && --skipDepth === 0) skipping = undefined;
      return;
    }
    if (name === 'pre') pre = Math.max(0, pre - 1);
    if (HEADING.test(name) || BLOCKS.has(name)) breakTo(2);
    else if (LINES.has(name)) breakTo(1);
  };
  const text = (piece: string) => {
    if (inTitle) {
      if (title.length < 500) title += piece;
      return;
    }
    if (skipping) return;
    // Outside <pre>, source line breaks are spaces; cleaning collapses the runs.
    write(pre > 0 ? piece : piece.replace(/[\r\n]+/g, ' '));
  };

  const noop = () => undefined;
  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname: (start, end) => open(html.slice(start, end).toLowerCase()),
      onselfclosingtag: () => close(lastOpened),
      onclosetag: (start, end) => close(html.slice(start, end).toLowerCase()),
      ontext: (start, end) => text(html.slice(start, end)),
      ontextentity: (codepoint) => text(String.fromCodePoint(codepoint)),
      onopentagend: noop,
      onattribdata: noop,
      onattribentity: noop,
      onattribend: noop,
      onattribname: noop,
      oncdata: noop,
      oncomment: noop,
      ondeclaration: noop,
      onprocessinginstruction: noop,
      onend: noop,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  return { text: out.toString(), ...(cleanTitle ? { title: cleanTitle } : {}) };
}
