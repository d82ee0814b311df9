import { parseInline, parseMarkdown, plainText, safeHref, type Block, type Inline } from '../../../apps/console/src/pages/approvals/markdown';

// The console's Markdown subset for approval prompts: what it makes of ordinary prompts, and that
// hostile ones (raw HTML, script links, pathological delimiters) stay text and stay fast.
const text = (t: string): Inline => ({ type: 'text', text: t });

describe('approval prompt markdown', () => {
  it('parses headings, paragraphs, lists and fenced code', () => {
    const blocks = parseMarkdown('# Refund\n\nCustomer **Ada** asks\nfor a refund.\n\n- one\n- two\n  continued\n\n3. third\n4. fourth\n\n```json\n{"a": 1}\n<b>x</b>\n```\nafter');
    expect(blocks).toEqual<Block[]>([
      { type: 'heading', level: 1, children: [text('Refund')] },
      { type: 'paragraph', children: [text('Customer '), { type: 'strong', children: [text('Ada')] }, text(' asks\nfor a refund.')] },
      { type: 'list', ordered: false, items: [[text('one')], [text('two\ncontinued')]] },
      { type: 'list', ordered: true, start: 3, items: [[text('third')], [text('fourth')]] },
      { type: 'code', lang: 'json', text: '{"a": 1}\n<b>x</b>' },
      { type: 'paragraph', children: [text('after')] },
    ]);
    expect(parseMarkdown('```\nnever closed\n# not a heading')).toEqual([{ type: 'code', text: 'never closed\n# not a heading' }]);
    expect(parseMarkdown('')).toEqual([]);
  });

  it('parses emphasis, code spans and escapes, and leaves snake_case and lone stars alone', () => {
    expect(parseInline('*a* _b_ **c** __d__ `e *f*` \\*g\\*')).toEqual([
      { type: 'em', children: [text('a')] }, text(' '), { type: 'em', children: [text('b')] }, text(' '),
      { type: 'strong', children: [text('c')] }, text(' '), { type: 'strong', children: [text('d')] }, text(' '),
      { type: 'code', text: 'e *f*' }, text(' *g*'),
    ]);
    expect(parseInline('snake_case_name and 2 * 3 * 4')).toEqual([text('snake_case_name and 2 * 3 * 4')]);
    expect(parseInline('**bold with *em* inside**')).toEqual([{ type: 'strong', children: [text('bold with '), { type: 'em', children: [text('em')] }, text(' inside')] }]);
    expect(parseInline('``a ` b``')).toEqual([{ type: 'code', text: 'a ` b' }]);
  });

  it('makes links of http(s) targets only; any other target is its label as text', () => {
    expect(parseInline('see [the **docs**](https://example.com/a?b=1) now')).toEqual([
      text('see '), { type: 'link', href: 'https://example.com/a?b=1', children: [text('the '), { type: 'strong', children: [text('docs')] }] }, text(' now'),
    ]);
    for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1) ', 'data:text/html,<script>', '/relative', '//evil.example', 'vbscript:x', 'https://ok.example/\u0000x']) {
      const nodes = parseInline(`[click](${target})`);
      expect([target, nodes.some((n) => n.type === 'link'), plainText(nodes)]).toEqual([target, false, 'click']);
    }
    // A target with a space inside is no link target at all: the whole thing stays text.
    expect(parseInline('[click](http://a b)')).toEqual([text('[click](http://a b)')]);
    expect(parseInline('[w](https://en.wikipedia.org/wiki/Foo_(bar)).')).toEqual([{ type: 'link', href: 'https://en.wikipedia.org/wiki/Foo_(bar)', children: [text('w')] }, text('.')]);
    expect(safeHref('HTTPS://Example.com')).toBe('HTTPS://Example.com');
    expect(safeHref('ftp://example.com')).toBeNull();
  });

  it('keeps raw HTML as text', () => {
    const blocks = parseMarkdown('<script>alert(1)</script>\n<img src=x onerror=alert(1)>');
    expect(blocks).toEqual([{ type: 'paragraph', children: [text('<script>alert(1)</script>\n<img src=x onerror=alert(1)>')] }]);
  });

  it('stays fast and bounded on hostile input', () => {
    const started = Date.now();
    for (const hostile of ['['.repeat(100_000) + ']', '[a]('.repeat(50_000), '*a'.repeat(100_000), '`'.repeat(50_001) + 'x', '**'.repeat(100_000) + 'x', '_'.repeat(100_000), '- x\n'.repeat(30_000)]) {
      const blocks = parseMarkdown(hostile);
      expect(blocks.length).toBeGreaterThan(0);
    }
    // Deep nesting ends in text rather than recursion without end.
    const deep = '*'.repeat(5_000) + 'x' + '*'.repeat(5_000);
    expect(plainText(parseInline(deep)).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reads a long line of spaces in a heading or a fence line in linear time (no regex backtracking)', () => {
    // Each was cubic or quadratic in the line's length: 20 kB of spaces froze the page for hours.
    const started = Date.now();
    const spaces = ' '.repeat(100_000);
    for (const hostile of [`# a${spaces}b`, `# a${' \t'.repeat(50_000)}b`, `\`\`\`${spaces}!`, `~~~${spaces}!\n`, `text\n# a${spaces}b`, `- a\n# a${spaces}b`]) {
      expect(parseMarkdown(hostile).length).toBeGreaterThan(0);
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    // What the rewritten patterns still read as before.
    expect(parseMarkdown('## Title ##')).toEqual([{ type: 'heading', level: 2, children: [text('Title')] }]);
    expect(parseMarkdown('# C#')).toEqual([{ type: 'heading', level: 1, children: [text('C#')] }]);
    expect(parseMarkdown('#')).toEqual([{ type: 'heading', level: 1, children: [] }]);
    expect(parseMarkdown('#hashtag')).toEqual([{ type: 'paragraph', children: [text('#hashtag')] }]);
    expect(parseMarkdown('```  ts  \nx\n```  ')).toEqual([{ type: 'code', lang: 'ts', text: 'x' }]);
    expect(parseMarkdown('``` not a lang\nx')).toEqual([{ type: 'paragraph', children: [text('``` not a lang\nx')] }]);
  });
});
