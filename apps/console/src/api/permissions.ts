import { useSession } from './use-session';
import { PERMISSIONS, type RouteKey } from './generated/permissions';

export type { RouteKey };

/**
 * Whether the signed-in person's role in the current workspace may call a route, from the API's own
 * permission table (generated from the OpenAPI document's x-weft-roles). Pages show a control only
 * when it is allowed; the API still refuses what is not.
 */
export function useCan(): (route: RouteKey) => boolean {
  const { workspace } = useSession();
  return (route) => {
    if (!workspace) return false;
    return (PERMISSIONS[route] as readonly string[]).includes(workspace.role);
  };
}
