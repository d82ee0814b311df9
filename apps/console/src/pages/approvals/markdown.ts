/**
 * A small, safe subset of Markdown for approval prompts, parsed into plain data that Markdown.tsx
 * turns into React elements: paragraphs, headings, bold and italic, inline code, fenced code blocks,
 * bulleted and numbered lists, and links. Nothing here is HTML: raw tags stay text, and a link is a
 * link only when its target is http(s). Prompts are tenant data (and may quote LLM output), so the
 * parser is linear-ish on hostile input (delimiter searches are memoised, nesting is bounded).
 * No DOM or React here: the unit tier tests it under Node.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] };

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang?: string; text: string }
  | { type: 'list'; ordered: boolean; start?: number; items: Inline[][] };

/** How deep emphasis and links may nest before the rest is plain text. */
const MAX_DEPTH = 8;
/** The longest link target looked for. */
const MAX_URL = 2048;

/** The URL a link may point to: absolute http(s) without spaces or control characters; else null. */
export function safeHref(raw: string): string | null {
  const url = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (!/^https?:\/\/[^\s<>"'`\u0000-\u001f\u007f]+$/i.test(url)) return null;
  return url;
}

// No two adjacent patterns here may match the same characters (`\s*x*\s*`): on a long line of
// spaces that backtracks polynomially and freezes the page. The info string and a heading's closing
// #s are taken apart in code instead.
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const LANG = /^[A-Za-z0-9_+.-]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t](.*))?$/;
const BULLET = /^ {0,3}[-*+][ \t]+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)][ \t]+(.*)$/;
const BLANK = /^\s*$/;

type ItemMatch = { ordered: boolean; start: number; text: string };

function listItem(line: string): ItemMatch | null {
  const b = BULLET.exec(line);
  if (b) return { ordered: false, start: 1, text: b[1] ?? '' };
  const o = ORDERED.exec(line);
  if (o) return { ordered: true, start: Number(o[1]), text: o[2] ?? '' };
  return null;
}

/** A fence's marker and language, when the line opens a fenced code block. */
function fenceOf(line: string): { marker: string; lang: string } | null {
  const m = FENCE_OPEN.exec(line);
  if (!m) return null;
  const info = (m[2] ?? '').trim();
  return LANG.test(info) ? { marker: m[1] ?? '```', lang: info } : null;
}

/** A heading's level and text (without the optional closing #s), when the line is one. */
function headingOf(line: string): { level: number; text: string } | null {
  const m = HEADING.exec(line);
  if (!m) return null;
  let text = (m[2] ?? '').trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0 || text[end - 1] === ' ' || text[end - 1] === '\t') text = text.slice(0, end).trim();
  return { level: (m[1] ?? '#').length, text };
}

const startsBlock = (line: string) => fenceOf(line) !== null || headingOf(line) !== null || listItem(line) !== null;

/** The blocks of a Markdown text. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (BLANK.test(line)) {
      i++;
      continue;
    }

    const fence = fenceOf(line);
    if (fence) {
      const marker = fence.marker;
      const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
      const body: string[] = [];
      i++;
      // Closed by a fence of the same character at least as long; unclosed: to the end.
      while (i < lines.length && !close.test(lines[i] ?? '')) body.push(lines[i++] ?? '');
      i++;
      blocks.push({ type: 'code', ...(fence.lang ? { lang: fence.lang } : {}), text: body.join('\n') });
      continue;
    }

    const heading = headingOf(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading.level as 1 | 2 | 3 | 4 | 5 | 6, children: parseInline(heading.text) });
      i++;
      continue;
    }

    const first = listItem(line);
    if (first) {
      const items: string[][] = [[first.text]];
      i++;
      while (i < lines.length) {
        const next = lines[i] ?? '';
        const item = listItem(next);
        if (item && item.ordered === first.ordered) {
          items.push([item.text]);
          i++;
        } else if (BLANK.test(next)) {
          // A blank line between items keeps the list going; anything else after it ends it.
          const after = listItem(lines[i + 1] ?? '');
          if (after && after.ordered === first.ordered) i++;
          else break;
        } else if (!item && !startsBlock(next)) {
          // A continuation line of the item (lazy or indented).
          items[items.length - 1]!.push(next.trim());
          i++;
        } else break;
      }
      blocks.push({ type: 'list', ordered: first.ordered, ...(first.ordered && first.start !== 1 ? { start: first.start } : {}), items: items.map((t) => parseInline(t.join('\n'))) });
      continue;
    }

    const para: string[] = [];
    while (i < lines.length && !BLANK.test(lines[i] ?? '') && !(para.length > 0 && startsBlock(lines[i] ?? ''))) para.push((lines[i++] ?? '').trim());
    blocks.push({ type: 'paragraph', children: parseInline(para.join('\n')) });
  }
  return blocks;
}

/**
 * Finds the next occurrence of a delimiter from a position, remembering its last answer: every
 * search from a position up to that answer has the same answer, so failed openers (a thousand `[`
 * and one `]`) cost one scan, not one each.
 */
class Finder {
  private cache = new Map<string, { from: number; at: number }>();
  constructor(private readonly text: string) {}
  next(delim: string, from: number): number {
    const c = this.cache.get(delim);
    if (c && from >= c.from && (c.at === -1 || from <= c.at)) return c.at;
    const at = this.text.indexOf(delim, from);
    this.cache.set(delim, { from, at });
    return at;
  }
}

const PUNCT = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;

/** The inline content of a block: emphasis, code spans and links; everything else text. */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  if (depth > MAX_DEPTH) return text ? [{ type: 'text', text }] : [];
  const find = new Finder(text);
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;

    if (ch === '\\' && i + 1 < text.length && PUNCT.test(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }

    if (ch === '`') {
      let n = 1;
      while (text[i + n] === '`') n++;
      const tick = '`'.repeat(n);
      const end = find.next(tick, i + n);
      if (end !== -1) {
        flush();
        const code = text.slice(i + n, end).replace(/\n/g, ' ');
        out.push({ type: 'code', text: code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code });
        i = end + n;
      } else {
        buf += tick;
        i += n;
      }
      continue;
    }

    if (ch === '*' || ch === '_') {
      const double = text[i + 1] === ch;
      const delim = double ? ch + ch : ch;
      const afterOpen = text[i + delim.length];
      const before = i > 0 ? text[i - 1]! : ' ';
      // An opener is followed by non-space; `_` inside a word (snake_case) is not one.
      const opens = afterOpen !== undefined && !/\s/.test(afterOpen) && !(ch === '_' && WORD.test(before));
      const end = opens ? find.next(delim, i + delim.length) : -1;
      if (end > i + delim.length && !/\s/.test(text[end - 1]!)) {
        flush();
        const children = parseInline(text.slice(i + delim.length, end), depth + 1);
        out.push(double ? { type: 'strong', children } : { type: 'em', children });
        i = end + delim.length;
      } else {
        buf += ch;
        i++;
      }
      continue;
    }

    if (ch === '[') {
      const close = find.next('](', i + 1);
      const end = close === -1 ? -1 : targetEnd(text, close + 2);
      // The label runs to the first `]`, with no `[` in it (looked up, not sliced: hostile input
      // of many `[` must not cost a scan each).
      const plain = end !== -1 && find.next(']', i + 1) === close && (find.next('[', i + 1) === -1 || find.next('[', i + 1) > close);
      if (plain) {
        flush();
        const label = text.slice(i + 1, close);
        const target = text.slice(close + 2, end).trim();
        const children = parseInline(label, depth + 1);
        const href = safeHref(target);
        // A link to anything but http(s) (javascript:, data:, relative) is its label as text.
        if (href) out.push({ type: 'link', href, children });
        else out.push(...children);
        i = end + 1;
        continue;
      }
      buf += ch;
      i++;
      continue;
    }

    buf += ch;
    i++;
  }
  flush();
  return out;
}

/** Where a link target that starts at `from` ends (its `)`, parentheses balanced), within a URL's length; else -1. */
function targetEnd(text: string, from: number): number {
  let depth = 0;
  let seen = false; // a character of the target so far
  let after = false; // spaces after it: only `)` may follow
  for (let j = from; j < text.length && j < from + MAX_URL; j++) {
    const c = text[j]!;
    if (c === ' ' || c === '\t') {
      after = seen;
      continue;
    }
    if (c === ')' && depth === 0) return j;
    // A target has no inner spaces or brackets: stopping there keeps `[a](` repeated linear.
    if (after || c === '\n' || c === '[' || c === ']') return -1;
    seen = true;
    if (c === '(') depth++;
    else if (c === ')') depth--;
  }
  return -1;
}

/** The text of inline content without its formatting (for titles and tests). */
export function plainText(inlines: Inline[]): string {
  return inlines.map((n) => (n.type === 'text' || n.type === 'code' ? n.text : plainText(n.children))).join('');
}
