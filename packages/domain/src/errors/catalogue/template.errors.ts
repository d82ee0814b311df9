import { errorArea } from './error-spec';

/** The template node (rendered in workflow code, or by an activity when it reads a large value). */
export const TEMPLATE_ERRORS = errorArea({
  template_error: { retryable: false, message: 'The template could not be rendered: {reason}' },
  template_limit_exceeded: { retryable: false, message: 'The template took more than {limit} {what}' },
});
