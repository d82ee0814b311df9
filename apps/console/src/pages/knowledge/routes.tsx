import type { RouteObject } from 'react-router';
import { Empty } from '../../components/states';

function KnowledgePlaceholder() {
  return <Empty title="Knowledge">This page is being built.</Empty>;
}

/** The knowledge section's pages, under the signed-in frame. */
export const knowledgeRoutes: RouteObject[] = [{ path: 'knowledge', element: <KnowledgePlaceholder /> }];
