import type { Issue, DocumentFormat } from '@weft/domain';

/** Extensions by format; the format decides which parser reads the bytes. */
const EXTENSIONS: Record<string, DocumentFormat> = {
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  json: 'json',
  csv: 'csv',
  pdf: 'pdf',
  docx: 'docx',
};

/** Formats a JSON text document may have (pdf and docx are binary: they come as files). */
const TEXT_FORMATS: readonly DocumentFormat[] = ['txt', 'md', 'html', 'json', 'csv'];

/** The format a file's name says, or undefined for an extension Weft does not read. */
export function formatOfFile(name: string): DocumentFormat | undefined {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? undefined : EXTENSIONS[name.slice(dot + 1).toLowerCase()];
}

/** A text document's format: its name's text extension, else plain text. */
export function formatOfText(name: string): DocumentFormat | undefined {
  const format = formatOfFile(name);
  if (format === undefined) return 'txt';
  return TEXT_FORMATS.includes(format) ? format : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The name a document is listed as: the last path segment of what the client sent (browsers and
 * curl send bare names, some tools a path), trimmed. Undefined when nothing storable is left.
 */
export function documentNameOf(raw: string): string | undefined {
  const name = raw.split(/[/\\]/).pop()!.trim();
  // Control characters (NUL is also what PostgreSQL cannot store) and unpaired surrogates.
  if (!name || name.length > 255 || [...name].some((c) => c <= '\u001f' || c === '\u007f') || LONE_SURROGATE.test(name)) return undefined;
  if (name === '.' || name === '..') return undefined;
  return name;
}

/** The problems of one document of an upload, by its position (`path`). */
export function documentIssues(raw: string, size: number, path: (string | number)[], kind: 'file' | 'text'): { name?: string; format?: DocumentFormat; issues: Issue[] } {
  const name = documentNameOf(raw);
  if (name === undefined) {
    return { issues: [{ code: 'document_name_invalid', message: 'A document needs a name of 1 to 255 characters without control characters or path separators alone', path }] };
  }
  const format = kind === 'file' ? formatOfFile(name) : formatOfText(name);
  const issues: Issue[] = [];
  if (format === undefined) {
    const message =
      kind === 'file'
        ? `'${name}' is not a supported format (txt, md, html, json, csv, pdf, docx)`
        : `'${name}' names a binary format: send pdf and docx as files (multipart), text as txt, md, html, json or csv`;
    issues.push({ code: 'document_unsupported', message, path });
  }
  if (size === 0) issues.push({ code: 'document_empty', message: `'${name}' is empty`, path });
  return { name, format, issues };
}
