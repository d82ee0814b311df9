import { NODE_TYPES, type ActivityNodeType, type RunnableNodeType } from '@weft/domain';
import { NODE_HANDLERS, type HandlerRegistry } from './handlers';
import type { NodeHandler } from './node-handler';

/*
 * The registries are typed by the domain's NODE_TYPES. These assignments are checked by the
 * compiler (npm test type-checks the tests): each `@ts-expect-error` fails the check if the line
 * below it ever compiles, i.e. if a handler could go missing or take another type's data.
 */
const handler: NodeHandler<{ unrelated: true }> = async () => ({ status: 'succeeded', outputs: {} });
const registry: HandlerRegistry = NODE_HANDLERS;
const { 'list-operator': _dropped, ...withoutListOperator } = registry;

// @ts-expect-error a runnable type without its handler does not compile
export const missing: HandlerRegistry = withoutListOperator;
// @ts-expect-error a handler of other data does not fit a type's slot
export const wrongData: HandlerRegistry = { ...registry, wait: handler };
// @ts-expect-error a type the domain does not know cannot be registered
export const unknownType: HandlerRegistry = { ...registry, 'no-such-type': registry.wait };

describe('node registries', () => {
  it('has exactly one handler per runnable type, the activity types among them', () => {
    const runnable: RunnableNodeType[] = Object.values(NODE_TYPES)
      .filter((d) => !('runnable' in d && d.runnable === false))
      .map((d) => d.type as RunnableNodeType);
    expect(Object.keys(NODE_HANDLERS).sort()).toEqual([...runnable].sort());
    expect(runnable).toContain('list-operator');
    expect(runnable).toContain('approval');
    const activity: ActivityNodeType[] = ['code', 'http-request', 'llm', 'knowledge-retrieval'];
    expect(activity.every((t) => runnable.includes(t))).toBe(true);
  });
});
