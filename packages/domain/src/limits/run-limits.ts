import { z } from 'zod';

/**
 * Deterministic bounds on the work one run may do inside workflow code. They are deployment
 * settings (environment variables of the API, which puts them into each run's input so that every
 * replay of the run sees the same numbers), never wall-clock time: workflow code must decide the
 * same way on every replay. See README "Limits".
 */
export interface RunLimits {
  /**
   * Work units one workflow task may spend before the run yields to a new one (a 1 ms timer), so
   * that no activation of the interpreter runs long enough to stall or abort a worker. A node
   * execution costs NODE_STEP_COST units, a template render one unit per render step.
   */
  activationSteps: number;
  /** Node executions one run may make in all, inner nodes of iterations and loops included. */
  maxNodeExecutions: number;
  /** Items one iteration node may run over. */
  maxIterationItems: number;
  /** Render steps (tags, outputs, loop passes) one template node may take. */
  templateSteps: number;
  /** Characters one template render may produce (also bounds the memory its filters allocate). */
  templateOutputChars: number;
  /** Approximate JSON bytes of one node's outputs kept in workflow state (larger ones fail the node). */
  maxValueBytes: number;
  /** Nesting depth of any value in workflow state and run records. */
  maxValueDepth: number;
  /**
   * Bytes of JSON one Temporal command may carry: an activity's or child run's input, the state a
   * run continues-as-new with, the run's result. Temporal refuses payloads over 2 MiB by default.
   */
  maxPayloadBytes: number;
}

/**
 * Work units one node execution costs against a task's budget, beside its own steps (a template's
 * render steps). Measured (npm run bench:activation): a node of a large iteration costs about what
 * 200 template steps do. Changing it moves where runs yield, so a change needs a new patch id in
 * the interpreter (ACTIVATION_BUDGET_PATCH) for runs in flight.
 */
export const NODE_STEP_COST = 200;

export const DEFAULT_RUN_LIMITS: Readonly<RunLimits> = Object.freeze({
  activationSteps: 50_000,
  maxNodeExecutions: 100_000,
  maxIterationItems: 10_000,
  templateSteps: 50_000,
  templateOutputChars: 1_000_000,
  maxValueBytes: 512 * 1024,
  maxValueDepth: 64,
  maxPayloadBytes: 1536 * 1024,
});

/** The environment variables that set the run limits; both apps parse them with their own config. */
export const runLimitsEnvShape = {
  WEFT_RUN_ACTIVATION_STEPS: z.coerce.number().int().min(1_000).max(10_000_000).default(DEFAULT_RUN_LIMITS.activationSteps),
  WEFT_RUN_MAX_NODE_EXECUTIONS: z.coerce.number().int().min(10).max(10_000_000).default(DEFAULT_RUN_LIMITS.maxNodeExecutions),
  WEFT_RUN_MAX_ITERATION_ITEMS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_RUN_LIMITS.maxIterationItems),
  WEFT_TEMPLATE_MAX_STEPS: z.coerce.number().int().min(100).max(10_000_000).default(DEFAULT_RUN_LIMITS.templateSteps),
  WEFT_TEMPLATE_MAX_OUTPUT_CHARS: z.coerce.number().int().min(1_000).max(100_000_000).default(DEFAULT_RUN_LIMITS.templateOutputChars),
  WEFT_MAX_VALUE_BYTES: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(DEFAULT_RUN_LIMITS.maxValueBytes),
  WEFT_MAX_VALUE_DEPTH: z.coerce.number().int().min(8).max(1_000_000).default(DEFAULT_RUN_LIMITS.maxValueDepth),
  WEFT_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(DEFAULT_RUN_LIMITS.maxPayloadBytes),
};

export type RunLimitsEnv = { [K in keyof typeof runLimitsEnvShape]: number };

export function runLimitsFromEnv(env: RunLimitsEnv): RunLimits {
  return {
    activationSteps: env.WEFT_RUN_ACTIVATION_STEPS,
    maxNodeExecutions: env.WEFT_RUN_MAX_NODE_EXECUTIONS,
    maxIterationItems: env.WEFT_RUN_MAX_ITERATION_ITEMS,
    templateSteps: env.WEFT_TEMPLATE_MAX_STEPS,
    templateOutputChars: env.WEFT_TEMPLATE_MAX_OUTPUT_CHARS,
    maxValueBytes: env.WEFT_MAX_VALUE_BYTES,
    maxValueDepth: env.WEFT_MAX_VALUE_DEPTH,
    maxPayloadBytes: env.WEFT_MAX_PAYLOAD_BYTES,
  };
}

/** The limits a run goes by: those it was started with, defaults for runs started before limits existed. */
export function effectiveRunLimits(given: Partial<RunLimits> | undefined): RunLimits {
  return { ...DEFAULT_RUN_LIMITS, ...(given ?? {}) };
}
