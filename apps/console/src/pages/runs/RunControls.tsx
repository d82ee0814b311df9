import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client';
import { ApiError, messageOf } from '../../api/errors';
import { useCan } from '../../api/permissions';
import { mayCancel, mayPause, mayRerun, mayResume, type Run } from './run-status';

/** A refusal as a person reads it; a 409 says what the run is now. */
function controlMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 409) return `${err.message} Refresh to see where the run is now.`;
  return messageOf(err);
}

/** Pause, resume and cancel (with a confirmation), each shown only when the role and the run's status allow it. */
export function RunControls({ run }: { run: Run }) {
  const can = useCan();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const path = { params: { path: { id: run.id } } };

  const control = useMutation({
    mutationFn: (verb: 'pause' | 'resume' | 'cancel') => {
      if (verb === 'pause') return data(api.POST('/v1/runs/{id}/pause', path));
      if (verb === 'resume') return data(api.POST('/v1/runs/{id}/resume', path));
      return data(api.POST('/v1/runs/{id}/cancel', path));
    },
    onSuccess: (next) => {
      queries.setQueryData(['run', run.id], (old: Run | undefined) => (old ? { ...old, ...next } : next));
      setConfirming(false);
    },
    onSettled: () => void queries.invalidateQueries({ queryKey: ['run', run.id] }),
  });

  const pause = can('POST /v1/runs/{id}/pause') && mayPause(run.status);
  const resume = can('POST /v1/runs/{id}/resume') && mayResume(run.status);
  const cancel = can('POST /v1/runs/{id}/cancel') && mayCancel(run.status);
  if (!pause && !resume && !cancel && !control.error) return null;

  return (
    <div className="run-controls" role="group" aria-label="Run controls">
      <div className="row">
        {pause && (
          <button type="button" className="secondary" disabled={control.isPending} onClick={() => control.mutate('pause')}>
            Pause
          </button>
        )}
        {resume && (
          <button type="button" disabled={control.isPending} onClick={() => control.mutate('resume')}>
            Resume
          </button>
        )}
        {cancel && !confirming && (
          <button type="button" className="danger" disabled={control.isPending} onClick={() => setConfirming(true)}>
            Cancel run
          </button>
        )}
        {cancel && confirming && (
          <span className="confirm row" role="alertdialog" aria-label="Confirm cancelling the run">
            <span>Cancel this run? Running steps stop and open approvals close.</span>
            <button type="button" className="danger" disabled={control.isPending} onClick={() => control.mutate('cancel')}>
              Yes, cancel the run
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it running
            </button>
          </span>
        )}
        {control.isPending && <span className="muted small">Working…</span>}
      </div>
      {control.error && (
        <p className="error-text" role="alert">
          {controlMessage(control.error)}
        </p>
      )}
    </div>
  );
}

/** "Rerun from this node": a new run of the same graph from the selected node, opened once started. */
export function RerunButton({ run, nodeId }: { run: Run; nodeId: string }) {
  const can = useCan();
  const navigate = useNavigate();
  const rerun = useMutation({
    mutationFn: () => data(api.POST('/v1/runs/{id}/rerun', { params: { path: { id: run.id } }, body: { fromNodeId: nodeId } })),
    onSuccess: (next) => void navigate(`/runs/${encodeURIComponent(next.id)}`),
  });
  if (!can('POST /v1/runs/{id}/rerun') || !mayRerun(run.status)) return null;
  return (
    <div>
      <button type="button" className="secondary" disabled={rerun.isPending} onClick={() => rerun.mutate()}>
        {rerun.isPending ? 'Starting…' : 'Rerun from this node'}
      </button>
      {rerun.error && (
        <p className="error-text" role="alert">
          {controlMessage(rerun.error)}
        </p>
      )}
    </div>
  );
}
