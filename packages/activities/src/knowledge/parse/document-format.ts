import type { DocumentFormat } from '@weft/domain';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  txt: 'txt',
  text: 'txt',
  log: 'txt',
  md: 'md',
  markdown: 'md',
  mdown: 'md',
  htm: 'html',
  html: 'html',
  xhtml: 'html',
  json: 'json',
  csv: 'csv',
  tsv: 'csv',
  pdf: 'pdf',
  docx: 'docx',
};

const BY_MIME_TYPE: Record<string, DocumentFormat> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/json': 'json',
  'text/json': 'json',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

/**
 * The format a document is parsed as: its name's extension first (browsers and curl send
 * `application/octet-stream` for most files), then its MIME type; null when neither is one we read.
 */
export function formatOf(name: string, mimeType?: string): DocumentFormat | null {
  const dot = name.lastIndexOf('.');
  const extension = dot >= 0 ? name.slice(dot + 1).trim().toLowerCase() : '';
  const byName = Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined;
  if (byName) return byName;
  const mime = (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  return (Object.hasOwn(BY_MIME_TYPE, mime) ? BY_MIME_TYPE[mime] : undefined) ?? null;
}

/** How a format is named in messages people read. */
export const FORMAT_LABELS: Record<DocumentFormat, string> = {
  txt: 'text',
  md: 'Markdown',
  html: 'HTML',
  json: 'JSON',
  csv: 'CSV',
  pdf: 'PDF',
  docx: 'DOCX',
};
