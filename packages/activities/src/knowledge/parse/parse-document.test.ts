import { NodeFailure } from '../../errors/node-failure';
import { pdfBomb, sampleDocx, samplePdf, zipThatIsNotDocx } from '../../../../../test/support/document-samples';
import { DocumentParser } from './parse-document';
import { formatOf } from './document-format';
import type { DocumentFormat } from '@weft/domain';

// Real parse threads running the compiled dist/knowledge/parse/parse.thread.js (npm test builds it).
const parser = new DocumentParser({ timeoutMs: 30_000 });
afterAll(() => parser.close());

const parse = (content: string | Buffer, format: DocumentFormat, name = `doc.${format}`) => parser.parse(Buffer.isBuffer(content) ? content : Buffer.from(content), format, name);

/** The NodeFailure a parse rejects with. */
async function failure(promise: Promise<unknown>): Promise<NodeFailure> {
  const err = await promise.then(
    (r) => new Error(`expected a failure, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof NodeFailure)) throw err;
  return err;
}

describe('formatOf', () => {
  it('goes by the extension first, then by the MIME type', () => {
    expect(formatOf('Report.PDF')).toBe('pdf');
    expect(formatOf('notes.markdown', 'application/octet-stream')).toBe('md');
    expect(formatOf('table.tsv')).toBe('csv');
    expect(formatOf('page', 'text/html; charset=utf-8')).toBe('html');
    expect(formatOf('upload.bin', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('docx');
    expect(formatOf('old.doc')).toBeNull();
    expect(formatOf('constructor')).toBeNull();
    expect(formatOf('x.toString', 'text/unknown')).toBeNull();
  });
});

describe('parsing each format', () => {
  it('txt: decodes UTF-8, drops the BOM and cleans whitespace, control characters and blank lines', async () => {
    const raw = '\ufeffFirst  line\twith\u00a0spaces \r\nsecond\u0000 line\u0007\r\n\r\n\r\n\r\n  Next paragraph.  \n';
    await expect(parse(raw, 'txt')).resolves.toEqual({ text: 'First line with spaces\nsecond line\n\nNext paragraph.' });
  });

  it('txt: reads UTF-16 with a BOM and Windows-1252 that is not UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln', 'utf16le')]);
    await expect(parse(utf16, 'txt')).resolves.toEqual({ text: 'Grüße aus Köln' });
    const cp1252 = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35]); // "Café €5"
    await expect(parse(cp1252, 'txt')).resolves.toEqual({ text: 'Café €5' });
  });

  it('md: keeps headings, and the first one is the title', async () => {
    const md = '# Guide\n\nIntro.\n\n## Install   \n\nRun `npm ci`.\n';
    await expect(parse(md, 'md')).resolves.toEqual({ text: '# Guide\n\nIntro.\n\n## Install\n\nRun `npm ci`.', title: 'Guide' });
  });

  it('html: headings as # lines, lists, tables and entities; script, style and head dropped', async () => {
    const html = `<!doctype html><html><head><title>The  page</title><style>p { color: red }</style><script>var x = "<h1>no</h1>";</script></head>
      <body><nav><a href="/">Home</a></nav><h1>Main title</h1><p>Fish &amp; chips,
      twice.</p><div><div><p>Nested</p></div></div><h2>List</h2><ul><li>one</li><li>two</li></ul>
      <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table><noscript>enable js</noscript><pre>keep
  this</pre></body></html>`;
    await expect(parse(html, 'html')).resolves.toEqual({
      title: 'The page',
      text: 'Home\n\n# Main title\n\nFish & chips, twice.\n\nNested\n\n## List\n\n- one\n- two\n\nk | v\na | 1\n\nkeep\nthis',
    });
  });

  it('json: one line per value with its key path', async () => {
    const json = JSON.stringify({ title: 'Q3', people: [{ name: 'Ada', age: 36 }, { name: 'Bob', tags: ['x'] }], 'odd key': true, none: null, empty: '' });
    await expect(parse(json, 'json')).resolves.toEqual({
      text: 'title: Q3\npeople[0].name: Ada\npeople[0].age: 36\npeople[1].name: Bob\npeople[1].tags[0]: x\n["odd key"]: true',
    });
  });

  it('json: a value nested past the depth bound is shown compact on its parent line', async () => {
    let deep: unknown = { leaf: 'bottom' };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const { text } = await parse(JSON.stringify(deep), 'json');
    expect(text).toBe(`${Array(12).fill('d').join('.')}: ${JSON.stringify(JSON.parse(JSON.stringify(deep)).d.d.d.d.d.d.d.d.d.d.d.d)}`);
  });

  it('csv: one line per row as "header: value", semicolon and tab files too, empty cells left out', async () => {
    await expect(parse('name,city,note\nAda,London,"says ""hi"", twice"\nBob,,\n\n', 'csv')).resolves.toEqual({
      text: 'name: Ada; city: London; note: says "hi", twice\nname: Bob',
    });
    await expect(parse('a;b\n1;2\n', 'csv')).resolves.toEqual({ text: 'a: 1; b: 2' });
    await expect(parse('a\tb\n1\t2\t3\n', 'csv', 'x.tsv')).resolves.toEqual({ text: 'a: 1; b: 2; column 3: 3' });
  });

  it('pdf: the text of every page, pages apart, and the title from its metadata', async () => {
    const pdf = await samplePdf(['Page one, first line.\nPage one, second line.', 'Page two.'], 'Annual report');
    await expect(parse(pdf, 'pdf')).resolves.toEqual({ text: 'Page one, first line.\nPage one, second line.\n\nPage two.', title: 'Annual report' });
  });

  it('docx: headings become # lines', async () => {
    const docx = await sampleDocx([{ text: 'Handbook', heading: 1 }, { text: 'Welcome & hello.' }, { text: 'Leave', heading: 2 }, { text: 'Ask your lead.' }]);
    await expect(parse(docx, 'docx')).resolves.toEqual({ text: '# Handbook\n\nWelcome & hello.\n\n## Leave\n\nAsk your lead.' });
  });
});

describe('documents that cannot be indexed', () => {
  it('a corrupt pdf, a truncated pdf, a zip that is not a docx and bad JSON are unreadable, in plain words', async () => {
    const pdf = await samplePdf(['Some text.']);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) % 256))]);
    const notDocx = await zipThatIsNotDocx();
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => parse(Buffer.from('%PDF-1.7\nthis is not really a pdf'), 'pdf', 'fake.pdf'), /^'fake\.pdf' could not be read as PDF: it is damaged or not a PDF$/],
      [() => parse(pdf.subarray(0, Math.floor(pdf.length / 3)), 'pdf', 'cut.pdf'), /^'cut\.pdf' could not be read as PDF: it is damaged or not a PDF$/],
      [() => parse(notDocx, 'docx', 'a.docx'), /^'a\.docx' could not be read as DOCX: it is damaged or not a Word \(\.docx\) document$/],
      [() => parse(Buffer.from('plain text, not a zip'), 'docx', 'b.docx'), /could not be read as DOCX/],
      [() => parse('{"a": [1, 2', 'json', 'bad.json'), /^'bad\.json' could not be read as JSON: it is not valid JSON/],
      [() => parse('a,b\n"open,1\n', 'csv', 'bad.csv'), /^'bad\.csv' could not be read as CSV: a quoted field is never closed/],
      [() => parse(png, 'txt', 'image.txt'), /it holds binary data, not text$/],
    ];
    for (const [promise, message] of cases) {
      const err = await failure(promise());
      expect(err.code).toBe('document_unreadable');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(message);
      expect(err.message).not.toMatch(/\/|\bat \w+ \(|Exception|Error/);
    }
  });

  it('no text once cleaned is document_empty; an unknown format is document_unsupported', async () => {
    for (const [content, format] of [
      ['  \n\u0000\t\r\n  ', 'txt'],
      ['<html><script>only()</script></html>', 'html'],
      ['{"a": null, "b": [], "c": {}}', 'json'],
      ['', 'md'],
    ] as const) {
      expect((await failure(parse(content, format))).code).toBe('document_empty');
    }
    expect((await failure(parse(await samplePdf(['']), 'pdf'))).code).toBe('document_empty');
    const unsupported = await failure(parser.parse(Buffer.from('x'), 'doc' as DocumentFormat, 'old.doc'));
    expect(unsupported.code).toBe('document_unsupported');
    expect(unsupported.message).toBe("'old.doc' is not a supported format (txt, md, html, json, csv, pdf, docx)");
  });

  it('more bytes than a document may have, or more text than it may expand to, is document_too_large', async () => {
    const small = new DocumentParser({ maxDocumentBytes: 5000, maxTextChars: 500 });
    try {
      const big = await failure(small.parse(Buffer.alloc(5001, 0x61), 'txt', 'big.txt'));
      expect(big.code).toBe('document_too_large');
      expect(big.message).toBe("'big.txt' is too large: it has 4.9 KB; a document may have 4.9 KB");
      const rows = Array.from({ length: 100 }, (_, i) => `row${i},value${i}`).join('\n');
      const expands = await failure(small.parse(Buffer.from(`k,v\n${rows}`), 'csv', 'rows.csv'));
      expect(expands.code).toBe('document_too_large');
      expect(expands.message).toBe("'rows.csv' is too large: its text is longer than 500 characters");
    } finally {
      await small.close();
    }
  });
});

describe('hostile documents are bounded', () => {
  it('a PDF that inflates a thousandfold ends unreadable, and the parser goes on with the next document', async () => {
    const bounded = new DocumentParser({ threads: 1, heapMiB: 64, memoryGrowthBytes: 128 * 1024 * 1024, timeoutMs: 30_000 });
    try {
      const bomb = await pdfBomb(256 * 1024 * 1024);
      expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
      const err = await failure(bounded.parse(bomb, 'pdf', 'bomb.pdf'));
      expect(err.code).toBe('document_unreadable');
      expect(err.message).toMatch(/^'bomb\.pdf' could not be read as PDF: reading it (needed more memory than a document may use|took longer than 30 s)$/);
      await expect(bounded.parse(await samplePdf(['After the bomb.']), 'pdf', 'next.pdf')).resolves.toEqual({ text: 'After the bomb.' });
    } finally {
      await bounded.close();
    }
  });

  it('a parse past its wall time is ended and its document is unreadable', async () => {
    const hasty = new DocumentParser({ threads: 1, timeoutMs: 1 });
    try {
      const page = `<div>${'<p>words and more words</p>'.repeat(200_000)}</div>`;
      const err = await failure(hasty.parse(Buffer.from(page), 'html', 'slow.html'));
      expect(err.code).toBe('document_unreadable');
      expect(err.message).toBe("'slow.html' could not be read as HTML: reading it took longer than 0 s");
    } finally {
      await hasty.close();
    }
  });

  it('deeply nested and unclosed HTML, and deeply nested JSON, parse in bounded time and memory', async () => {
    const nested = `${'<div><span>'.repeat(100_000)}deep text`;
    await expect(parse(nested, 'html')).resolves.toEqual({ text: 'deep text' });
    const deepJson = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`;
    const { text } = await parse(deepJson, 'json');
    expect(text.startsWith(`${'[0]'.repeat(12)}: `)).toBe(true);
  });

  it('a parse cut short by the shutdown of the parser is not the document\'s fault: a plain error, retried by its step', async () => {
    const closing = new DocumentParser({ threads: 1 });
    const pending = closing.parse(Buffer.from(`<p>${'words '.repeat(1_000_000)}</p>`), 'html', 'big.html');
    await closing.close();
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NodeFailure);
    expect((err as Error).message).toBe('the document parser was shut down');
  });

  it('parses documents side by side on the pool', async () => {
    const docs = await Promise.all(Array.from({ length: 8 }, (_, i) => parse(`Document number ${i}.`, 'txt')));
    expect(docs.map((d) => d.text)).toEqual(Array.from({ length: 8 }, (_, i) => `Document number ${i}.`));
  });
});
