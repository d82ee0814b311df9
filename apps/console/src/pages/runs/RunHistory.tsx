import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { messageOf } from '../../api/errors';
import { ErrorBox, Loading } from '../../components/states';
import { when } from '../../components/time';
import { JsonBlock } from './JsonBlock';

const PAGE = 100;

/** The run's raw Temporal history, read a page at a time, only once opened. */
export function RunHistory({ runId }: { runId: string }) {
  const [open, setOpen] = useState(false);
  const history = useInfiniteQuery({
    queryKey: ['run-history', runId],
    enabled: open,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => data(api.GET('/v1/runs/{id}/history', { params: { path: { id: runId }, query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const events = history.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <section className="card">
      <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>
          <h2 className="inline-heading">Raw history</h2> <span className="muted small">the run’s Temporal event history, payloads decoded, secrets masked</span>
        </summary>
        {open &&
          (history.isPending ? (
            <Loading what="Loading the history" />
          ) : history.error && events.length === 0 ? (
            <ErrorBox error={history.error} retry={() => void history.refetch()} title="Could not load the history" />
          ) : (
            <>
              {events.length === 0 ? (
                <p className="muted">Temporal keeps no history for this run (past the retention period).</p>
              ) : (
                <ol className="history-list">
                  {events.map((ev) => (
                    <li key={`${ev.execution}-${ev.eventId}`}>
                      <details>
                        <summary>
                          <span className="mono">#{ev.eventId}</span> <span className="mono wrap">{ev.eventType.replace(/^EVENT_TYPE_/, '')}</span>{' '}
                          <span className="muted small">{when(ev.eventTime)}</span>
                        </summary>
                        <JsonBlock value={ev} />
                      </details>
                    </li>
                  ))}
                </ol>
              )}
              {history.error && <p className="error-text">{messageOf(history.error)}</p>}
              {history.hasNextPage && (
                <button type="button" className="secondary" disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
                  {history.isFetchingNextPage ? 'Loading…' : 'Load more events'}
                </button>
              )}
            </>
          ))}
      </details>
    </section>
  );
}
