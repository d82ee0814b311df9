import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { Empty, ErrorBox } from '../../components/states';
import { Issues } from './Issues';
import type { Knowledge, RetrievalAnswer } from './types';

type Mode = 'dense' | 'full-text' | 'hybrid';

/** Searches the knowledge base as the knowledge-retrieval node does, showing each result's score and text. */
export function RetrievalPlayground({ k }: { k: Knowledge }) {
  // An economy knowledge base has no vectors: it answers full-text whatever is asked.
  const modes: Mode[] = k.indexing === 'high-quality' ? ['hybrid', 'dense', 'full-text'] : ['full-text'];
  const [query, setQuery] = useState('');
  const [topK, setTopK] = useState('4');
  const [threshold, setThreshold] = useState('');
  const [mode, setMode] = useState<Mode>(modes[0]!);
  const search = useMutation({
    mutationFn: (body: { query: string; topK: number; scoreThreshold?: number; mode: Mode }) =>
      data(api.POST('/v1/knowledge/{id}/retrieve', { params: { path: { id: k.id } }, body })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    search.mutate({ query, topK: Number(topK), mode, ...(threshold.trim() ? { scoreThreshold: Number(threshold) } : {}) });
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Retrieval playground">
      <h2>Retrieval playground</h2>
      <label>
        Query
        <textarea value={query} onChange={(e) => setQuery(e.target.value)} required maxLength={10_000} rows={2} />
      </label>
      <div className="row">
        <label>
          Top K
          <input type="number" min={1} max={100} value={topK} onChange={(e) => setTopK(e.target.value)} required />
        </label>
        <label>
          Score threshold (0–1, optional)
          <input type="number" min={0} max={1} step={0.01} value={threshold} onChange={(e) => setThreshold(e.target.value)} />
        </label>
        <label>
          Mode
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            {modes.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" disabled={search.isPending || !query.trim()}>
        {search.isPending ? 'Searching…' : 'Search'}
      </button>
      {search.error !== null && (
        <>
          <ErrorBox error={search.error} title="The search failed" />
          <Issues error={search.error} />
        </>
      )}
      {search.data && <Results answer={search.data} />}
    </form>
  );
}

function Results({ answer }: { answer: RetrievalAnswer }) {
  return (
    <div className="kb-results" aria-live="polite">
      <p className="muted small">
        {answer.count} result{answer.count === 1 ? '' : 's'}
        {answer.searched.map((s) => ` · searched ${s.mode}${s.note ? ` (${s.note})` : ''}`).join('')}
      </p>
      {answer.results.length === 0 ? (
        <Empty title="Nothing found">Try other words, a larger top K or a lower score threshold.</Empty>
      ) : (
        <ol className="kb-result-list">
          {answer.results.map((r) => (
            <li key={r.segmentId} className="kb-result">
              <div className="row small">
                <strong className="kb-wrap">{r.metadata.documentName}</strong>
                <span className="muted">segment {r.metadata.position}</span>
                <span className="spacer" />
                <span className="badge">score {r.score.toFixed(3)}</span>
              </div>
              <pre className="kb-content">{r.content}</pre>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
