import { Context, Liquid, toValue, toValueSync, type Variable } from 'liquidjs';

// Liquid is pure JavaScript and deterministic, so the same engine renders inside workflow code and
// inside the activity that renders templates reading values kept outside history. Only own
// properties are visible, and `templates: {}` gives include/render/layout an empty in-memory store:
// a template can never read a file of the process rendering it.
const engine = new Liquid({ ownPropertyOnly: true, strictFilters: true, templates: {}, parseLimit: 1_000_000 });

export interface TemplateLimits {
  /** render steps: every tag, output and loop pass costs one */
  maxSteps: number;
  /** characters of output, and units of memory the filters allocate (Liquid's own accounting) */
  maxOutputChars: number;
}

export interface TemplateRender {
  text: string;
  /** render steps taken, which the interpreter counts against its per-activation budget */
  steps: number;
}

/** A template broke one of its limits; the node fails with `template_limit_exceeded`. */
export class TemplateLimitError extends Error {
  readonly code = 'template_limit_exceeded';
}

/**
 * Counts render steps instead of reading a clock: Liquid calls `check` before every template node
 * it renders (each pass of a `for` renders its body), so the count is the same on every replay.
 */
class StepCounter {
  used = 0;
  constructor(private readonly max: number) {}
  check(): void {
    if (++this.used > this.max) throw new TemplateLimitError(`The template took more than ${this.max} render steps`);
  }
  use(): void {
    this.check();
  }
}

class MemoryBudget {
  private used = 0;
  constructor(private readonly max: number) {}
  use(count: number): void {
    if (!(+count > 0)) return;
    this.used += +count;
    if (this.used > this.max) throw new TemplateLimitError(`The template would build more than ${this.max} characters or items`);
  }
  check(): void {}
}

function text(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join('');
  return String(v);
}

/** Liquid's plain emitter, with a ceiling on what it accumulates. */
class BoundedEmitter {
  buffer = '';
  constructor(private readonly max: number) {}
  write(html: unknown): void {
    const piece = text(html);
    if (this.buffer.length + piece.length > this.max) throw new TemplateLimitError(`The template produced more than ${this.max} characters`);
    this.buffer += piece;
  }
}

/** The limit error behind a render failure, which Liquid wraps in its own error types. */
function limitErrorIn(err: unknown): TemplateLimitError | undefined {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TemplateLimitError) return e;
  }
  return undefined;
}

/**
 * Renders a template node's text; its variables are the node outputs visible to it. Work and
 * output are bounded by `limits`; past one, throws TemplateLimitError.
 */
export function renderTemplate(template: string, variables: object, limits: TemplateLimits): TemplateRender {
  const steps = new StepCounter(limits.maxSteps);
  const emitter = new BoundedEmitter(limits.maxOutputChars);
  const ctx = new Context(variables, engine.options, { sync: true }, {
    renderLimit: steps as never,
    memoryLimit: new MemoryBudget(limits.maxOutputChars) as never,
    liquid: engine,
  });
  try {
    toValueSync(engine.renderer.renderTemplates(engine.parse(template), ctx, emitter));
  } catch (err) {
    throw limitErrorIn(err) ?? err;
  }
  return { text: emitter.buffer, steps: steps.used };
}

/** A variable a template reads from outside itself: `{{ search.results[0].title }}` → search, [results, 0, title]. */
export interface TemplateVariable {
  head: string;
  /** the path after the head, up to the first segment computed at render time (`a[b]`) */
  path: string[];
  /** as Liquid prints it: `search.results[0].title` */
  text: string;
}

/**
 * The variables a template reads that it does not bind itself (loop variables, `forloop`,
 * `assign`, `capture` and `increment` names are its own), found by Liquid's static analysis with
 * the engine that renders it, so the two read templates alike; undefined when the template does
 * not parse. Partials are not followed (the engine has none). Parsing and analysis are linear in
 * the text, which graph validation caps (graph.limits.ts); anything the parser throws, a stack
 * overflow on absurd nesting included, counts as not parsing.
 */
export function templateVariables(template: string): TemplateVariable[] | undefined {
  let globals: Record<string, Variable[]>;
  try {
    globals = engine.analyzeSync(engine.parse(template), { partials: false }).globals;
  } catch {
    return undefined;
  }
  const found: TemplateVariable[] = [];
  const inOrder = Object.values(globals)
    .flat()
    .sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
  for (const v of inOrder) {
    const [head, ...rest] = v.segments;
    if (typeof head !== 'string') continue;
    const path: string[] = [];
    for (const s of rest) {
      if (typeof s !== 'string' && typeof s !== 'number') break;
      path.push(String(s));
    }
    found.push({ head, path, text: v.toString() });
  }
  return found;
}
