/**
 * What the platform knows about one error code. A code is the public contract (clients branch on it);
 * the message template is the plain-words default, its `{name}` parameters filled by `describe`.
 */
export interface ErrorSpec {
  /**
   * Set for failures an activity raises: whether Temporal tries the attempt again under the node's
   * retry policy (a 503, a timeout) or the node fails at once (a 400, a refused address, bad code).
   * Absent for failures decided in workflow code or at the API, which no activity retry reaches.
   */
  readonly retryable?: boolean;
  /** The HTTP status when the API answers with this code. */
  readonly status?: number;
  /** Plain words, with `{name}` for each parameter. */
  readonly message: string;
}

/** The `{name}` parameters a template names. */
export type TemplateParams<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | TemplateParams<Rest> : never;

export type ParamValue = string | number | boolean | null;

/** Checks an area's table against the spec shape while keeping its literal keys and templates. */
export function errorArea<const T extends Record<string, ErrorSpec>>(table: T): T {
  return table;
}

/** Fills `{name}` parameters; a parameter not given stays as written, so a missing one shows. */
export function fillTemplate(template: string, params: Readonly<Record<string, ParamValue | undefined>> = {}): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) && params[name] !== undefined ? String(params[name]) : whole,
  );
}
