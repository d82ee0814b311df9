import { succeeded, type NodeHandler } from '../node-handler';

/** At the top the start node's outputs are the run inputs; inside a container, nothing. */
export const startHandler: NodeHandler = async ({ startOutputs }) => succeeded({ ...startOutputs }, { recordInputs: null });
