import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { anonymousApi as links } from '../../api/anonymous';
import { data } from '../../api/client';
import { ApiError } from '../../api/errors';
import { ErrorBox, Loading } from '../../components/states';
import { when } from '../../components/time';
import { ApprovalForm, type Decision } from './ApprovalForm';
import { Markdown } from './Markdown';

// A signed form link is the capability: nothing of a signed-in session (token, workspace) goes with
// it, so this page uses the client without the session's middleware.

const gone = (err: unknown) => err instanceof ApiError && err.code === 'form_link_gone';
const invalid = (err: unknown) => err instanceof ApiError && err.code === 'form_link_invalid';

/**
 * The standalone page of a signed approval link (`/console/forms/<token>`), for people without an
 * account: the prompt, the form and the actions; the link works once.
 */
export function FormLinkPage() {
  const { token = '' } = useParams();
  const [outcome, setOutcome] = useState<{ kind: 'decided'; label: string } | { kind: 'gone' } | null>(null);
  const form = useQuery({
    queryKey: ['form-link', token],
    queryFn: () => data(links.GET('/v1/forms/{token}', { params: { path: { token } } })),
    enabled: outcome === null,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });

  const decide = async (d: Decision) => {
    try {
      await data(links.POST('/v1/forms/{token}', { params: { path: { token } }, body: d }));
    } catch (err) {
      // Decided by someone else or expired since the page opened: the link is used up.
      if (gone(err)) {
        setOutcome({ kind: 'gone' });
        return;
      }
      throw err;
    }
    setOutcome({ kind: 'decided', label: form.data?.actions.find((a) => a.id === d.action)?.label ?? d.action });
  };

  let body;
  if (outcome?.kind === 'decided') {
    body = (
      <Notice title="Thank you: your decision was recorded">
        <p>
          You chose <strong>{outcome.label}</strong>. The workflow goes on from here.
        </p>
        <p className="muted">This link has now been used and will not work again.</p>
      </Notice>
    );
  } else if (outcome?.kind === 'gone' || gone(form.error)) {
    body = (
      <Notice title="This link was already used or has expired">
        <p>A decision was already made through it, or the time to decide has passed. Nothing more is needed from you.</p>
        <p className="muted">If you think a decision is still needed, ask the person who sent you the link.</p>
      </Notice>
    );
  } else if (invalid(form.error)) {
    body = (
      <Notice title="This link is not valid">
        <p>Check that the whole link was copied, or ask the person who sent it for a new one.</p>
      </Notice>
    );
  } else if (form.isPending) {
    body = <Loading what="Loading the form" />;
  } else if (form.error) {
    body = <ErrorBox error={form.error} retry={() => void form.refetch()} title="Could not load this form" />;
  } else {
    const f = form.data!;
    body = (
      <>
        <h1>A decision is needed</h1>
        <p className="muted small">
          Asked <time dateTime={f.requestedAt}>{when(f.requestedAt)}</time>; open until <time dateTime={f.expiresAt}>{when(f.expiresAt)}</time>. The link works once.
        </p>
        <div className="approval-prompt">
          <Markdown source={f.prompt} />
        </div>
        <ApprovalForm spec={f} decide={decide} />
      </>
    );
  }

  return (
    <main className="form-link" id="main">
      <div className="card">
        <p className="brand muted small">Weft · approval form</p>
        {body}
      </div>
    </main>
  );
}

function Notice({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="form-link-notice" role="status">
      <h1>{title}</h1>
      {children}
    </section>
  );
}
