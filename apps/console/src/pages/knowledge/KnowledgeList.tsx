import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { messageOf } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { Pagination } from '../../components/Pagination';
import { Empty, QueryState } from '../../components/states';
import { when } from '../../components/time';
import { Issues } from './Issues';
import type { ChunkingStrategy, CreateKnowledgeBody, Knowledge } from './types';

/** /knowledge: the workspace's knowledge bases, the form that makes one, and deleting one. */
export function KnowledgeList() {
  const can = useCan();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['knowledge', 'list', page],
    queryFn: () => unwrap(api.GET('/v1/knowledge', { params: { query: { page, limit: 20 } } })),
  });
  return (
    <section>
      <div className="row">
        <h1>Knowledge</h1>
        <span className="spacer" />
        <Link to="/knowledge/jobs">Ingestion jobs</Link>
        {can('POST /v1/knowledge') && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New knowledge base
          </button>
        )}
      </div>
      {creating && <CreateKnowledge onDone={() => setCreating(false)} />}
      <QueryState query={list} what="Knowledge bases">
        {(body) =>
          body.data.length === 0 ? (
            <Empty title="No knowledge base yet">
              A knowledge base holds documents that workflows search with the knowledge-retrieval node.
              {can('POST /v1/knowledge') ? ' Create one, then upload files to it.' : ' A developer or an admin can create one.'}
            </Empty>
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Indexing</th>
                      <th>Documents</th>
                      <th>Created</th>
                      <th>
                        <span className="kb-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {body.data.map((k) => (
                      <KnowledgeRow key={k.id} k={k} />
                    ))}
                  </tbody>
                </table>
              </div>
              <Pagination info={body.pagination} onPage={setPage} />
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function KnowledgeRow({ k }: { k: Knowledge }) {
  const can = useCan();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => data(api.DELETE('/v1/knowledge/{id}', { params: { path: { id: k.id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['knowledge'] }),
  });
  const del = () => {
    if (window.confirm(`Delete the knowledge base “${k.name}” with its ${k.documents.total} documents? This cannot be undone.`)) remove.mutate();
  };
  return (
    <tr>
      <td className="kb-wrap">
        <Link to={`/knowledge/${encodeURIComponent(k.id)}`}>{k.name}</Link>
        {k.description && <div className="muted small">{k.description}</div>}
      </td>
      <td>
        {k.indexing}
        {k.embedding && <div className="muted small kb-wrap">{`${k.embedding.provider} · ${k.embedding.model}`}</div>}
      </td>
      <td>
        {k.documents.total}
        {k.documents.error > 0 && <span className="error-text small"> ({k.documents.error} failed)</span>}
        {k.documents.inProgress > 0 && <span className="muted small"> ({k.documents.inProgress} indexing)</span>}
      </td>
      <td>{when(k.createdAt)}</td>
      <td>
        {can('DELETE /v1/knowledge/{id}') && (
          <button type="button" className="danger" onClick={del} disabled={remove.isPending} aria-label={`Delete ${k.name}`}>
            Delete
          </button>
        )}
        {remove.error && <div className="error-text small" role="alert">{messageOf(remove.error)}</div>}
      </td>
    </tr>
  );
}

/** The create form: name, indexing, the embedding model of high-quality indexing, chunking. */
function CreateKnowledge({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [indexing, setIndexing] = useState<'economy' | 'high-quality'>('economy');
  const [provider, setProvider] = useState('');
  const [model, setModel] = useState('text-embedding-3-small');
  const [strategy, setStrategy] = useState<ChunkingStrategy>('fixed');
  const [size, setSize] = useState('1000');
  const [overlap, setOverlap] = useState('100');
  const providers = useQuery({
    queryKey: ['model-providers'],
    queryFn: () => data(api.GET('/v1/model-providers')),
    enabled: indexing === 'high-quality',
  });
  const create = useMutation({
    mutationFn: (body: CreateKnowledgeBody) => data(api.POST('/v1/knowledge', { body })),
    onSuccess: async (k) => {
      await client.invalidateQueries({ queryKey: ['knowledge'] });
      onDone();
      void navigate(`/knowledge/${encodeURIComponent(k.id)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({
      name,
      ...(description.trim() ? { description } : {}),
      indexing,
      ...(indexing === 'high-quality' ? { embedding: { model, ...(provider ? { provider } : {}) } } : {}),
      chunking: { strategy, size: Number(size), overlap: Number(overlap) },
    });
  };
  return (
    <form className="card knowledge-create" onSubmit={submit} aria-label="New knowledge base">
      <h2>New knowledge base</h2>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label>
        Description (optional)
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
      </label>
      <fieldset>
        <legend>Indexing</legend>
        <label className="inline">
          <input type="radio" name="indexing" checked={indexing === 'economy'} onChange={() => setIndexing('economy')} />
          Economy: keyword (full-text) search, no embedding model
        </label>
        <label className="inline">
          <input type="radio" name="indexing" checked={indexing === 'high-quality'} onChange={() => setIndexing('high-quality')} />
          High quality: embeddings (dense, full-text and hybrid search)
        </label>
      </fieldset>
      {indexing === 'high-quality' && (
        <div className="row">
          <label>
            Embedding provider
            <select value={provider} onChange={(e) => setProvider(e.target.value)} disabled={providers.isPending}>
              <option value="">The workspace’s first provider</option>
              {providers.data?.map((p) => (
                <option key={p.id} value={p.name}>
                  {p.name} ({p.type})
                </option>
              ))}
            </select>
            {providers.error && <span className="error-text small">{messageOf(providers.error)}</span>}
            {providers.data?.length === 0 && <span className="muted small">This workspace has no model provider yet (Settings).</span>}
          </label>
          <label>
            Embedding model
            <input value={model} onChange={(e) => setModel(e.target.value)} required maxLength={200} />
          </label>
        </div>
      )}
      <div className="row">
        <label>
          Chunking
          <select value={strategy} onChange={(e) => setStrategy(e.target.value as typeof strategy)}>
            <option value="fixed">Fixed size</option>
            <option value="paragraph">By paragraph</option>
            <option value="markdown">By markdown heading</option>
            <option value="parent-child">Parent-child</option>
          </select>
        </label>
        <label>
          Chunk size (characters)
          <input type="number" min={50} max={8000} value={size} onChange={(e) => setSize(e.target.value)} required />
        </label>
        <label>
          Overlap (characters)
          <input type="number" min={0} max={2000} value={overlap} onChange={(e) => setOverlap(e.target.value)} required />
        </label>
      </div>
      {create.error !== null && (
        <div className="state error" role="alert">
          <strong>The knowledge base was not created</strong>
          <p>{messageOf(create.error)}</p>
          <Issues error={create.error} />
        </div>
      )}
      <div className="row">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
