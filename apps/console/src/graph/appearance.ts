/**
 * How each node type looks: one entry per type, as the backend has one folder per type. A glyph and
 * a colour tell types apart at a glance; the type's name is always written too.
 */
export interface Appearance {
  label: string;
  glyph: string;
  color: string;
}

export const APPEARANCE: Record<string, Appearance> = {
  start: { label: 'Start', glyph: '▶', color: '#2f855a' },
  end: { label: 'End', glyph: '■', color: '#4a5568' },
  'if-else': { label: 'If / else', glyph: '⑂', color: '#b7791f' },
  template: { label: 'Template', glyph: '¶', color: '#2b6cb0' },
  code: { label: 'Code', glyph: '{}', color: '#553c9a' },
  'http-request': { label: 'HTTP request', glyph: '⇄', color: '#2c7a7b' },
  llm: { label: 'LLM', glyph: '✦', color: '#6b46c1' },
  'knowledge-retrieval': { label: 'Knowledge', glyph: '⌕', color: '#c05621' },
  iteration: { label: 'Iteration', glyph: '⟳', color: '#2c5282' },
  loop: { label: 'Loop', glyph: '↻', color: '#285e61' },
  assign: { label: 'Assign', glyph: '≔', color: '#718096' },
  'variable-aggregator': { label: 'Aggregator', glyph: '⊕', color: '#975a16' },
  wait: { label: 'Wait', glyph: '⏱', color: '#4a5568' },
  approval: { label: 'Approval', glyph: '✔', color: '#c53030' },
  'sub-workflow': { label: 'Sub-workflow', glyph: '⧉', color: '#2a4365' },
};

export function appearanceOf(type: string): Appearance {
  return APPEARANCE[type] ?? { label: type, glyph: '?', color: '#718096' };
}
