import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { messageOf } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { Pagination } from '../../components/Pagination';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorBox, QueryState } from '../../components/states';
import { when } from '../../components/time';
import { Issues } from './Issues';
import { JobsTable } from './IngestionJobs';
import { RetrievalPlayground } from './RetrievalPlayground';
import { bytes, isDocumentFinal, type Knowledge, type KnowledgeDocument, type UploadResult } from './types';
import { uploadDocuments } from './upload';

/** /knowledge/:id — a knowledge base: its settings, documents, uploads, jobs and a retrieval playground. */
export function KnowledgePage() {
  const { id = '' } = useParams();
  const kb = useQuery({
    queryKey: ['knowledge', 'one', id],
    queryFn: () => data(api.GET('/v1/knowledge/{id}', { params: { path: { id } } })),
  });
  return (
    <section>
      <p className="small">
        <Link to="/knowledge">← Knowledge</Link>
      </p>
      <QueryState query={kb} what="Knowledge base">
        {(k) => <KnowledgeBody k={k} />}
      </QueryState>
    </section>
  );
}

function KnowledgeBody({ k }: { k: Knowledge }) {
  const can = useCan();
  const navigate = useNavigate();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => data(api.DELETE('/v1/knowledge/{id}', { params: { path: { id: k.id } } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['knowledge'] });
      void navigate('/knowledge');
    },
  });
  return (
    <>
      <div className="row">
        <h1 className="kb-wrap">{k.name}</h1>
        <span className="spacer" />
        {can('DELETE /v1/knowledge/{id}') && (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the knowledge base “${k.name}” with its ${k.documents.total} documents? This cannot be undone.`)) remove.mutate();
            }}
          >
            Delete knowledge base
          </button>
        )}
      </div>
      {remove.error && <ErrorBox error={remove.error} title="The knowledge base was not deleted" />}
      {k.description && <p className="kb-wrap">{k.description}</p>}
      <dl className="kb-facts">
        <dt>Indexing</dt>
        <dd>{k.indexing}</dd>
        {k.embedding && (
          <>
            <dt>Embedding</dt>
            <dd className="kb-wrap">{`${k.embedding.provider} · ${k.embedding.model}`}</dd>
          </>
        )}
        <dt>Chunking</dt>
        <dd>{`${k.chunking.strategy}, ${k.chunking.size} characters, overlap ${k.chunking.overlap}`}</dd>
        <dt>Documents</dt>
        <dd>{`${k.documents.total} (${k.documents.completed} indexed, ${k.documents.error} failed, ${k.documents.inProgress} in progress)`}</dd>
      </dl>
      {can('POST /v1/knowledge/{id}/documents') && <Upload knowledgeId={k.id} />}
      <Documents knowledgeId={k.id} />
      <h2>Ingestion jobs</h2>
      <JobsTable knowledgeId={k.id} />
      {can('POST /v1/knowledge/{id}/retrieve') && <RetrievalPlayground k={k} />}
    </>
  );
}

/** Picks one or many files and uploads them with a progress bar, then shows the job indexing them. */
function Upload({ knowledgeId }: { knowledgeId: string }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  const busy = progress !== null && result === null && error === null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!files.length) return;
    setError(null);
    setResult(null);
    setProgress({ sent: 0, total: files.reduce((n, f) => n + f.size, 0) });
    try {
      const r = await uploadDocuments(knowledgeId, files, (sent, total) => setProgress({ sent, total }));
      setResult(r);
      setFiles([]);
      if (input.current) input.current.value = '';
      await client.invalidateQueries({ queryKey: ['knowledge'] });
      await client.invalidateQueries({ queryKey: ['ingestion-jobs'] });
      if (r.jobId) void navigate(`/knowledge/jobs/${encodeURIComponent(r.jobId)}`);
    } catch (err) {
      setError(err);
    }
  };

  const percent = progress ? (progress.total === 0 ? 100 : Math.round((progress.sent * 100) / progress.total)) : 0;
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Upload documents">
      <h2>Upload documents</h2>
      <label>
        Files (txt, md, html, json, csv, pdf, docx; 15 MiB each)
        <input
          ref={input}
          type="file"
          multiple
          accept=".txt,.md,.markdown,.html,.htm,.json,.csv,.pdf,.docx,text/*,application/pdf,application/json"
          onChange={(e) => setFiles([...(e.target.files ?? [])])}
          disabled={busy}
        />
      </label>
      {files.length > 0 && (
        <ul className="small kb-files">
          {files.map((f, i) => (
            <li key={i} className="kb-wrap">
              {f.name} <span className="muted">({bytes(f.size)})</span>
            </li>
          ))}
        </ul>
      )}
      {progress && (
        <div className="kb-progress">
          <progress aria-label="Upload progress" max={100} value={percent} />
          <span className="small">{`${percent}% (${bytes(progress.sent)} of ${bytes(progress.total)})`}</span>
        </div>
      )}
      {error !== null && (
        <>
          <ErrorBox error={error} title="The upload failed" />
          <Issues error={error} />
        </>
      )}
      {result && result.jobId === null && (
        <p className="notice" role="status">
          Nothing new: every file is in this knowledge base already.
        </p>
      )}
      {result && result.skipped.length > 0 && (
        <p className="muted small kb-wrap">Skipped (already here): {result.skipped.map((s) => s.name).join(', ')}</p>
      )}
      <button type="submit" disabled={!files.length || busy}>
        {busy ? 'Uploading…' : files.length > 1 ? `Upload ${files.length} files` : 'Upload'}
      </button>
    </form>
  );
}

/** The documents with their status, refreshed while any of them is still being indexed. */
function Documents({ knowledgeId }: { knowledgeId: string }) {
  const [page, setPage] = useState(1);
  const docs = useQuery({
    queryKey: ['knowledge', 'documents', knowledgeId, page],
    queryFn: () => unwrap(api.GET('/v1/knowledge/{id}/documents', { params: { path: { id: knowledgeId }, query: { page, limit: 25 } } })),
    refetchInterval: (q) => (q.state.data?.data.some((d) => !isDocumentFinal(d.status)) ? 2000 : false),
  });
  return (
    <>
      <h2>Documents</h2>
      <QueryState query={docs} what="Documents">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title="No document yet">Uploaded files are listed here with their indexing status.</Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table aria-label="Documents">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Status</th>
                      <th>Size</th>
                      <th>Segments</th>
                      <th>Indexed</th>
                      <th>
                        <span className="kb-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((d) => (
                      <DocumentRow key={d.id} d={d} />
                    ))}
                  </tbody>
                </table>
              </div>
              <Pagination info={body.pagination} onPage={setPage} />
            </>
          )
        }
      </QueryState>
    </>
  );
}

function DocumentRow({ d }: { d: KnowledgeDocument }) {
  const can = useCan();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => data(api.DELETE('/v1/knowledge/{id}/documents/{docId}', { params: { path: { id: d.knowledgeId, docId: d.id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['knowledge'] }),
  });
  return (
    <tr data-document={d.name}>
      <td className="kb-wrap">
        {d.name}
        <div className="muted small">{d.format}</div>
      </td>
      <td>
        <StatusBadge status={d.status} />
        {d.error && (
          <div className="error-text small kb-wrap">
            <code>{d.error.code}</code> {d.error.message}
          </div>
        )}
        {d.jobId && (
          <div className="small">
            <Link to={`/knowledge/jobs/${encodeURIComponent(d.jobId)}`}>Job</Link>
          </div>
        )}
      </td>
      <td className="kb-nowrap">{bytes(d.size)}</td>
      <td>{d.segmentCount}</td>
      <td>{when(d.indexedAt)}</td>
      <td>
        {can('DELETE /v1/knowledge/{id}/documents/{docId}') && (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            aria-label={`Delete ${d.name}`}
            onClick={() => {
              if (window.confirm(`Delete the document “${d.name}” and its segments?`)) remove.mutate();
            }}
          >
            Delete
          </button>
        )}
        {remove.error && (
          <div className="error-text small" role="alert">
            {messageOf(remove.error)}
          </div>
        )}
      </td>
    </tr>
  );
}
