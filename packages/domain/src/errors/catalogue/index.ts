export * from './error-spec';
export * from './catalogue';
export { API_ERRORS } from './api.errors';
export { CODE_ERRORS } from './code.errors';
export { HTTP_ERRORS, HTTP_STATUS_FAILURE, httpStatusCode, isHttpStatusCode, type HttpStatusCode } from './http.errors';
export { LLM_ERROR_CODES } from './llm.errors';
export { NODE_ERRORS } from './node.errors';
export { RUN_ERRORS } from './run.errors';
export { TEMPLATE_ERRORS } from './template.errors';
