import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { formatOf } from '@weft/activities';
import { KNOWLEDGE_LIMITS } from '@weft/domain';
import { ApiCallError, IngestClient, type JobDocument } from './ingest-client';
import { ProgressView, renderTable, type ReportRow } from './ingest-report';

const USAGE = `usage: npm run ingest -- <knowledge name or id> <files or folders…> [--create] [--api-url URL] [--api-key KEY]
Uploads the files (folders: every txt, md, html, json, csv, pdf and docx file in them, hidden ones
left out) to the knowledge, follows the indexing with a progress bar, and prints a table of the
documents. --create makes an economy knowledge of that name when there is none.
The API is WEFT_API_URL (default http://127.0.0.1:3000) with the key WEFT_API_KEY.
Exit status: 0 when every document is indexed (or was already), 1 when one failed, 2 for bad usage.`;

interface Args {
  knowledge: string;
  paths: string[];
  create: boolean;
  apiUrl: string;
  apiKey: string;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args | string {
  const positional: string[] = [];
  let create = false;
  let apiUrl = env.WEFT_API_URL ?? 'http://127.0.0.1:3000';
  let apiKey = env.WEFT_API_KEY ?? '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (flag: string) => (a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : argv[++i]);
    if (a === '--create') create = true;
    else if (a === '--api-url' || a.startsWith('--api-url=')) apiUrl = value('--api-url') ?? '';
    else if (a === '--api-key' || a.startsWith('--api-key=')) apiKey = value('--api-key') ?? '';
    else if (a === '--help' || a === '-h') return '';
    else if (a.startsWith('--')) return `unknown option '${a}'`;
    else positional.push(a);
  }
  const [knowledge, ...paths] = positional;
  if (!knowledge || !paths.length) return '';
  if (!apiKey) return 'no API key: set WEFT_API_KEY or pass --api-key';
  return { knowledge, paths, create, apiUrl: apiUrl.replace(/\/+$/, ''), apiKey };
}

interface LocalFile {
  path: string;
  size: number;
}

/** The files to send: named files as they are, folders walked for the formats the API reads. */
async function collect(paths: readonly string[], cwd: string, say: (m: string) => void): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const walk = async (dir: string) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && formatOf(entry.name)) out.push({ path, size: (await stat(path)).size });
      else if (entry.isFile()) say(`left out ${path} (not a format Weft reads)`);
    }
  };
  for (const p of paths) {
    const path = resolve(cwd, p);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`'${p}' does not exist`);
    if (info.isDirectory()) await walk(path);
    else out.push({ path, size: info.size });
  }
  return out;
}

class UsageError extends Error {}

/** Uploads of at most maxDocumentsPerUpload files and maxUploadBytes each, in order. */
function batches(files: readonly LocalFile[]): LocalFile[][] {
  const out: LocalFile[][] = [];
  let current: LocalFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length && (current.length >= KNOWLEDGE_LIMITS.maxDocumentsPerUpload || bytes + f.size > KNOWLEDGE_LIMITS.maxUploadBytes * 0.95)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length) out.push(current);
  return out;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, process.env);
  if (typeof args === 'string') {
    if (args) process.stderr.write(`error: ${args}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const view = new ProgressView(process.stderr);
  const client = new IngestClient(args.apiUrl, args.apiKey);
  // `npm run` runs in the project's folder; paths are the user's, from where they typed them.
  const files = await collect(args.paths, process.env.INIT_CWD ?? process.cwd(), (m) => view.say(m));
  if (!files.length) throw new UsageError('no file to upload');

  let knowledge = await client.findKnowledge(args.knowledge);
  if (!knowledge && args.create) knowledge = await client.createKnowledge(args.knowledge);
  if (!knowledge) throw new UsageError(`no knowledge named or with the id '${args.knowledge}' (--create makes one)`);

  const rows: ReportRow[] = [];
  const tooLarge = files.filter((f) => f.size > KNOWLEDGE_LIMITS.maxDocumentBytes);
  for (const f of tooLarge) rows.push({ name: basename(f.path), status: 'error', detail: `upload_too_large: larger than ${KNOWLEDGE_LIMITS.maxDocumentBytes} bytes` });
  const jobs: string[] = [];
  for (const batch of batches(files.filter((f) => f.size <= KNOWLEDGE_LIMITS.maxDocumentBytes))) {
    const answer = await client.upload(knowledge.id, batch.map((f) => f.path));
    for (const s of answer.skipped) rows.push({ name: s.name, status: 'unchanged', detail: `already there as ${s.documentId} (${s.status})` });
    if (answer.jobId) jobs.push(answer.jobId);
  }
  view.say(`${knowledge.name} (${knowledge.id}): ${files.length} file(s), ${jobs.length ? `job(s) ${jobs.join(', ')}` : 'nothing new to index'}`);

  // Follow every job at once; the bar shows them summed.
  const counts = new Map<string, { total: number; succeeded: number; failed: number }>();
  const redraw = () => {
    const sum = { total: 0, succeeded: 0, failed: 0 };
    for (const c of counts.values()) {
      sum.total += c.total;
      sum.succeeded += c.succeeded;
      sum.failed += c.failed;
    }
    view.update(sum);
  };
  await Promise.all(
    jobs.map(async (jobId) => {
      const first = await client.job(jobId);
      counts.set(jobId, { total: first.total, succeeded: first.succeeded, failed: first.failed });
      redraw();
      for await (const e of client.events(jobId)) {
        if (e.type === 'job.progress' || e.type === 'job.finished' || e.type === 'job.started') {
          const d = e.data as { total?: number; succeeded?: number; failed?: number };
          if (typeof d.total === 'number') counts.set(jobId, { total: d.total, succeeded: d.succeeded ?? 0, failed: d.failed ?? 0 });
          redraw();
        } else if (e.type === 'document.status') {
          const d = e.data as { name?: string; status?: string; error?: { code: string; message: string } };
          if (d.status === 'completed' || d.status === 'error') view.document(String(d.name), d.status, d.error);
        }
      }
    }),
  );
  view.end();

  let failed = tooLarge.length;
  for (const jobId of jobs) {
    const job = await client.job(jobId);
    const detailOf = (d: JobDocument) => (d.error ? `${d.error.code}: ${d.error.message}` : '');
    for (const d of job.documents) rows.push({ name: d.name, status: d.status, detail: detailOf(d) });
    failed += job.documents.filter((d) => d.status === 'error').length;
    if (job.status === 'cancelled') view.say(`job ${jobId} was cancelled`);
  }
  process.stdout.write(renderTable(rows));
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof ApiCallError) {
      process.stderr.write(`error: ${err.code}: ${err.message}\n`);
      for (const i of err.issues.slice(0, 20)) process.stderr.write(`  ${i.code}: ${i.message}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exit(1);
  },
);
