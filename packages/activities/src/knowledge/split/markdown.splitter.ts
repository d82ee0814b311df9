import type { SegmentBudget } from './segment-budget';
import { cutText } from './text-cut';

export interface MarkdownSection {
  text: string;
  /** the heading path of the section: the texts of its heading and of the headings above it */
  headings: string[];
}

interface Heading {
  level: number;
  text: string;
}

/**
 * Sections by ATX headings (`#` to `######`, not inside fenced code): each section is its heading
 * line and its body, with the path of headings above it; a section with no body adds nothing (its
 * heading lives on in its subsections' paths); a section longer than `size` is cut as the fixed
 * strategy cuts, every piece keeping the section's path.
 */
export function markdownSections(text: string, size: number, overlap: number, budget: SegmentBudget): MarkdownSection[] {
  const sections: MarkdownSection[] = [];
  const path: Heading[] = [];
  let lines: string[] = [];
  let hasBody = false;
  let fence: string | undefined;

  const flush = () => {
    const body = lines.join('\n').trim();
    const headings = path.map((h) => h.text);
    if (hasBody && body) {
      if (body.length <= size) {
        budget.take();
        sections.push({ text: body, headings });
      } else {
        for (const piece of cutText(body, size, overlap, budget)) sections.push({ text: piece.text, headings });
      }
    }
    lines = [];
    hasBody = false;
  };

  for (const line of text.split('\n')) {
    const marker = fenceMarker(line);
    if (marker && (!fence || marker.startsWith(fence))) fence = fence ? undefined : marker;
    const heading = fence || marker ? undefined : headingOf(line);
    if (heading) {
      flush();
      while (path.length > 0 && path[path.length - 1]!.level >= heading.level) path.pop();
      path.push(heading);
    } else if (line.trim()) {
      hasBody = true;
    }
    lines.push(line);
  }
  flush();
  return sections;
}

/** An ATX heading, read without a regular expression (a long line of `#` and spaces must stay linear). */
function headingOf(line: string): Heading | undefined {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  let level = 0;
  while (line[i + level] === '#') level++;
  if (level < 1 || level > 6) return undefined;
  const after = line[i + level];
  if (after !== undefined && after !== ' ' && after !== '\t') return undefined;
  let content = line.slice(i + level).trim();
  // A closing sequence of `#` preceded by a space is not part of the heading.
  let end = content.length;
  while (end > 0 && content[end - 1] === '#') end--;
  if (end === 0) content = '';
  else if (end < content.length && (content[end - 1] === ' ' || content[end - 1] === '\t')) content = content.slice(0, end).trim();
  return content ? { level, text: content } : undefined;
}

/** The fence (``` or ~~~, three or more) a line opens or closes, if it is one. */
function fenceMarker(line: string): string | undefined {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  const c = line[i];
  if (c !== '`' && c !== '~') return undefined;
  let n = 0;
  while (line[i + n] === c) n++;
  return n >= 3 ? c.repeat(n) : undefined;
}
