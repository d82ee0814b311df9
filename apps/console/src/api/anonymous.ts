import createClient from 'openapi-fetch';
import type { paths } from './generated/schema';

/**
 * The typed client without the session: for the routes that take no session token (sign-in and
 * refresh, a signed form link) or name their own (sign-out). The session module uses it, so it
 * cannot use `api`, whose middleware asks the session for a token.
 */
export const anonymousApi = createClient<paths>({ baseUrl: window.location.origin });
