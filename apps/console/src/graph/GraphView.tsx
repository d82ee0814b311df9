import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useMemo } from 'react';
import { appearanceOf } from './appearance';
import { layoutGraph, type DslGraph, type DslNode } from './layout';

/** What the run page knows of a node: the SSE stream's latest word on it. */
export type NodeState = 'pending' | 'running' | 'retrying' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

type Data = {
  node: DslNode;
  state?: NodeState | undefined;
  issues?: string[] | undefined;
  container: boolean;
  selected: boolean;
  [k: string]: unknown;
};

function WeftNodeView({ data, width, height }: NodeProps<Node<Data>>) {
  const look = appearanceOf(data.node.type);
  const issues = data.issues ?? [];
  const cls = ['weft-node', data.container ? 'container' : '', data.state ? `state-${data.state}` : '', issues.length ? 'has-issues' : '', data.selected ? 'selected' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={cls}
      style={{ '--type-color': look.color, width, height } as React.CSSProperties}
      data-node-id={data.node.id}
      data-node-type={data.node.type}
      data-state={data.state ?? ''}
      title={issues.length ? issues.join('\n') : `${look.label}: ${data.node.id}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="weft-node-head">
        <span className="glyph" aria-hidden="true">
          {look.glyph}
        </span>
        <span className="type">{look.label}</span>
        {data.state && <span className={`badge status-${data.state}`}>{data.state}</span>}
      </div>
      <div className="weft-node-id">{data.node.id}</div>
      {issues.length > 0 && (
        <div className="weft-node-issues" role="note">
          ⚠ {issues.length === 1 ? issues[0] : `${issues.length} problems: ${issues[0]}`}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
const nodeTypes = { weft: memo(WeftNodeView) };

/**
 * A workflow graph drawn read-only: node types told apart by glyph and colour, containers
 * (iteration, loop) as boxes around their own graphs, each node's live state and its validation
 * issues on it. `onSelect` gets the id of a clicked node.
 */
export function GraphView({
  graph,
  states,
  issues,
  selected,
  onSelect,
  height,
}: {
  graph: DslGraph | null | undefined;
  states?: Record<string, NodeState>;
  issues?: Record<string, string[]>;
  selected?: string | null;
  onSelect?: (nodeId: string) => void;
  /** px; default: from the graph's own shape, between 220 and 560 */
  height?: number;
}) {
  const laid = useMemo(() => layoutGraph(graph ?? { nodes: [], edges: [] }), [graph]);
  const boxHeight = height ?? Math.round(Math.min(560, Math.max(220, laid.height * 0.8 + 120)));
  const nodes: Node<Data>[] = useMemo(
    () =>
      laid.nodes.map((p) => ({
        id: p.id,
        type: 'weft',
        position: { x: p.x, y: p.y },
        width: p.width,
        height: p.height,
        ...(p.parentId ? { parentId: p.parentId, extent: 'parent' as const } : {}),
        draggable: false,
        connectable: false,
        selectable: true,
        zIndex: p.container ? 0 : 1,
        data: { node: p.node, state: states?.[p.id], issues: issues?.[p.id], container: p.container, selected: selected === p.id },
      })),
    [laid, states, issues, selected],
  );
  const edges: Edge[] = useMemo(
    () =>
      laid.edges.map((e) => {
        const taken = states?.[e.source] === 'succeeded' && states?.[e.target] && states[e.target] !== 'skipped' && states[e.target] !== 'pending';
        return { id: e.id, source: e.source, target: e.target, ...(e.label ? { label: e.label } : {}), animated: states?.[e.target] === 'running', className: taken ? 'taken' : '', zIndex: 2 };
      }),
    [laid, states],
  );
  return (
    <div className="graph" style={{ height: boxHeight }} aria-label="Workflow graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ maxZoom: 1.1, padding: 0.08 }}
        minZoom={0.1}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_e, n) => onSelect?.(n.id)}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
