import { z } from 'zod';
import { edgeSchema, nodeSchema } from '../../dsl/graph.schema';

/**
 * The inner graph of a container (iteration, loop): its own start and end, checked by the
 * validator with the same rules as the top-level graph. Node ids are unique across the whole
 * document. A container keeps it in `data.graph`.
 */
export const innerGraphSchema = z.object({ nodes: z.array(nodeSchema), edges: z.array(edgeSchema) }).strict();
export type InnerGraph = z.infer<typeof innerGraphSchema>;
