import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, data, unwrap } from '../../api/client';
import { useCan } from '../../api/permissions';
import { followEvents } from '../../api/sse';
import { Pagination } from '../../components/Pagination';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorBox, QueryState } from '../../components/states';
import { duration, when } from '../../components/time';
import { isJobFinal, type IngestionJob, type JobDocument } from './types';

/** /knowledge/jobs: every ingestion job of the workspace, newest first. */
export function IngestionJobsPage() {
  return (
    <section>
      <p className="small">
        <Link to="/knowledge">← Knowledge</Link>
      </p>
      <h1>Ingestion jobs</h1>
      <JobsTable />
    </section>
  );
}

/** A page of jobs (of one knowledge base when told), refreshed while any of them is active. */
export function JobsTable({ knowledgeId }: { knowledgeId?: string }) {
  const [page, setPage] = useState(1);
  const jobs = useQuery({
    queryKey: ['ingestion-jobs', knowledgeId ?? 'all', page],
    queryFn: () => unwrap(api.GET('/v1/ingestion-jobs', { params: { query: { page, limit: 10, ...(knowledgeId ? { knowledgeId } : {}) } } })),
    refetchInterval: (q) => (q.state.data?.data.some((j) => !isJobFinal(j.status)) ? 2000 : false),
  });
  // The names of the knowledge bases the jobs belong to (their ids when there are more than a page of them).
  const names = useQuery({
    queryKey: ['knowledge', 'list', 'names'],
    queryFn: () => data(api.GET('/v1/knowledge', { params: { query: { page: 1, limit: 100 } } })),
    enabled: !knowledgeId,
  });
  const nameOf = (id: string) => names.data?.find((k) => k.id === id)?.name ?? id;
  return (
    <QueryState query={jobs} what="Ingestion jobs">
      {(body) =>
        body.data.length === 0 ? (
          <Empty title="No ingestion job yet">Each upload of documents starts a job that indexes them.</Empty>
        ) : (
          <>
            <div className="table-wrap">
              <table aria-label="Ingestion jobs">
                <thead>
                  <tr>
                    <th>Job</th>
                    {!knowledgeId && <th>Knowledge base</th>}
                    <th>Status</th>
                    <th>Progress</th>
                    <th>Documents</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {body.data.map((j) => (
                    <tr key={j.id}>
                      <td className="kb-wrap">
                        <Link to={`/knowledge/jobs/${encodeURIComponent(j.id)}`}>{j.id}</Link>
                      </td>
                      {!knowledgeId && (
                        <td className="kb-wrap">
                          <Link to={`/knowledge/${encodeURIComponent(j.knowledgeId)}`}>{nameOf(j.knowledgeId)}</Link>
                        </td>
                      )}
                      <td>
                        <StatusBadge status={j.status} />
                      </td>
                      <td>{j.progress}%</td>
                      <td>{`${j.total} (${j.succeeded} indexed, ${j.failed} failed)`}</td>
                      <td>{when(j.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination info={body.pagination} onPage={setPage} />
          </>
        )
      }
    </QueryState>
  );
}

/** One event of the job's stream applied to what the page shows. */
function applyEvent(job: IngestionJob, type: string, d: any): IngestionJob {
  switch (type) {
    case 'job.started':
      return { ...job, status: 'running', attempt: typeof d?.attempt === 'number' ? d.attempt : job.attempt, total: typeof d?.total === 'number' ? d.total : job.total };
    case 'job.progress':
    case 'job.finished':
      return {
        ...job,
        ...(type === 'job.finished' && typeof d?.status === 'string' ? { status: d.status as IngestionJob['status'] } : {}),
        total: d?.total ?? job.total,
        succeeded: d?.succeeded ?? job.succeeded,
        failed: d?.failed ?? job.failed,
        progress: d?.progress ?? job.progress,
      };
    case 'document.status': {
      if (typeof d?.documentId !== 'string' || typeof d?.status !== 'string') return job;
      const doc: JobDocument = { id: d.documentId, name: String(d.name ?? d.documentId), status: d.status, error: d.error ?? null };
      const known = job.documents.some((x) => x.id === doc.id);
      return { ...job, documents: known ? job.documents.map((x) => (x.id === doc.id ? doc : x)) : [...job.documents, doc] };
    }
    default:
      return job;
  }
}

/** /knowledge/jobs/:jobId — a job's progress, live from its event stream, with each document's status. */
export function IngestionJobPage() {
  const { jobId = '' } = useParams();
  const can = useCan();
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ['ingestion-jobs', 'one', jobId],
    queryFn: () => data(api.GET('/v1/ingestion-jobs/{id}', { params: { path: { id: jobId } } })),
    staleTime: 0,
  });
  // The job as its events make it, over the job as it was read: while the job is active, each event of
  // this attempt's stream moves it on; once it has ended, the record read again is the page.
  const attempt = q.data?.attempt;
  const active = q.data ? !isJobFinal(q.data.status) : false;
  const key = `${jobId}:${attempt}`;
  const [overlay, setOverlay] = useState<{ key: string; job: IngestionJob } | null>(null);
  const [stream, setStream] = useState<{ key: string; live?: boolean; error?: unknown }>({ key: '' });
  const job = q.data && active && overlay?.key === key ? overlay.job : (q.data ?? null);
  const live = stream.key === key ? stream.live : undefined;
  const streamError = stream.key === key ? stream.error : undefined;

  const onEvent = useEffectEvent((type: string, d: unknown) => {
    setOverlay((prev) => {
      const base = prev?.key === key ? prev.job : q.data;
      return base ? { key, job: applyEvent(base, type, d) } : prev;
    });
  });
  const onFinished = useEffectEvent(() => {
    void client.invalidateQueries({ queryKey: ['ingestion-jobs'] });
    void client.invalidateQueries({ queryKey: ['knowledge'] });
  });

  // Follow the stream of an active job from the start (its events replay) until this attempt's job.finished.
  useEffect(() => {
    if (!active || attempt === undefined) return;
    const streamKey = `${jobId}:${attempt}`;
    // A retried job's stream replays the earlier attempts first: only this attempt's events, from its
    // job.started on, change the page (attempt 1 has nothing before it).
    let current = attempt === 1;
    return followEvents(`/v1/ingestion-jobs/${encodeURIComponent(jobId)}/events`, {
      onEvent: (type, d) => {
        if (type === 'job.started') current = d?.attempt === undefined || d.attempt === attempt;
        if (current) onEvent(type, d);
      },
      isFinal: (type, d) => {
        const final = type === 'job.finished' && (d?.attempt === undefined || d.attempt === attempt);
        if (final) onFinished();
        return final;
      },
      onConnection: (isLive) => setStream({ key: streamKey, live: isLive }),
      onError: (error) => setStream({ key: streamKey, error }),
    });
  }, [jobId, attempt, active]);

  const retry = useMutation({
    mutationFn: () => data(api.POST('/v1/ingestion-jobs/{id}/retry', { params: { path: { id: jobId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['ingestion-jobs'] }),
  });
  const cancel = useMutation({
    mutationFn: () => data(api.POST('/v1/ingestion-jobs/{id}/cancel', { params: { path: { id: jobId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['ingestion-jobs'] }),
  });

  return (
    <section>
      <p className="small">
        <Link to="/knowledge/jobs">← Ingestion jobs</Link>
      </p>
      <QueryState query={q} what="Ingestion job">
        {() =>
          job && (
            <>
              <div className="row">
                <h1 className="kb-wrap">Ingestion job</h1>
                <StatusBadge status={job.status} />
                {live !== undefined && !isJobFinal(job.status) && <span className="muted small">{live ? 'Live' : 'Reconnecting…'}</span>}
                <span className="spacer" />
                {can('POST /v1/ingestion-jobs/{id}/retry') && isJobFinal(job.status) && job.failed > 0 && (
                  <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
                    Retry failed documents
                  </button>
                )}
                {can('POST /v1/ingestion-jobs/{id}/cancel') && !isJobFinal(job.status) && (
                  <button
                    type="button"
                    className="danger"
                    disabled={cancel.isPending}
                    onClick={() => {
                      if (window.confirm('Cancel this job? Documents not yet indexed stay unindexed.')) cancel.mutate();
                    }}
                  >
                    Cancel job
                  </button>
                )}
              </div>
              {retry.error && <ErrorBox error={retry.error} title="The job was not retried" />}
              {cancel.error && <ErrorBox error={cancel.error} title="The job was not cancelled" />}
              {streamError !== undefined && <ErrorBox error={streamError} title="Live updates stopped" retry={() => void q.refetch()} />}
              <p className="muted small kb-wrap">
                {job.id} · <Link to={`/knowledge/${encodeURIComponent(job.knowledgeId)}`}>knowledge base</Link> · attempt {job.attempt} · created {when(job.createdAt)}
                {job.startedAt && ` · took ${duration(job.startedAt, job.finishedAt)}`}
              </p>
              <div className="kb-progress" aria-live="polite">
                <progress aria-label="Indexing progress" max={100} value={job.progress} />
                <span>{job.progress}%</span>
              </div>
              <dl className="kb-facts" aria-label="Counts">
                <dt>Total</dt>
                <dd data-count="total">{job.total}</dd>
                <dt>Indexed</dt>
                <dd data-count="succeeded">{job.succeeded}</dd>
                <dt>Failed</dt>
                <dd data-count="failed">{job.failed}</dd>
              </dl>
              <h2>Documents</h2>
              {job.documents.length === 0 ? (
                <Empty title="No document in this job" />
              ) : (
                <div className="table-wrap">
                  <table aria-label="Job documents">
                    <thead>
                      <tr>
                        <th>Name</th>
                        <th>Status</th>
                        <th>Error</th>
                      </tr>
                    </thead>
                    <tbody>
                      {job.documents.map((d) => (
                        <tr key={d.id} data-document={d.name}>
                          <td className="kb-wrap">{d.name}</td>
                          <td>
                            <StatusBadge status={d.status} />
                          </td>
                          <td className="kb-wrap">
                            {d.error ? (
                              <span className="error-text">
                                <code>{d.error.code}</code> {d.error.message}
                              </span>
                            ) : (
                              <span className="muted">—</span>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {job.documentsPage.total > job.documents.length && (
                <p className="muted small">{`Showing ${job.documents.length} of ${job.documentsPage.total} documents.`}</p>
              )}
            </>
          )
        }
      </QueryState>
    </section>
  );
}
