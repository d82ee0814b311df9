import { validateGraph } from './graph.validate';

const withTemplate = (template: string) => ({
  dsl: 'weft/v1',
  inputs: { q: { type: 'array' } },
  nodes: [
    { id: 'start', type: 'start' },
    { id: 't', type: 'template', data: { template } },
    { id: 'done', type: 'end', data: { outputs: { x: '{{ t.text }}' } } },
  ],
  edges: [
    { source: 'start', target: 't' },
    { source: 't', target: 'done' },
  ],
});
const issuesOf = (template: string) => validateGraph(withTemplate(template)).issues.map((i) => `${i.code}: ${i.message}`);

describe('references in templates', () => {
  it("tells the template's own Liquid names from node references", () => {
    const text = '{%- for d in start.q -%}{{ d.x }} {{ forloop.index }}{% endfor %}{% assign y = 1 %}{{ y }}{% capture z %}x{% endcapture %}{{ z }}';
    expect(issuesOf(text)).toEqual([]);
    expect(issuesOf('{% for e in ghost.list %}{{ e }}{% endfor %} {% tablerow r in start.nope %}{% endtablerow %}')).toEqual([
      'reference_unknown_node: {{ ghost.list }} names no node of the workflow',
      'reference_unknown_output: {{ start.nope }}: node \'start\' (start) has: q',
    ]);
  });

  it('finds references wherever Liquid reads them: tags, filter arguments, brackets and nested loops', () => {
    expect(issuesOf('{% if ghost.on %}x{% endif %}{{ start.q | default: other.x }}{{ start["nope"] }}{% for a in start.q %}{% for b in a.items %}{{ b }}{{ forloop.parentloop.index }}{% endfor %}{% endfor %}')).toEqual([
      'reference_unknown_node: {{ ghost.on }} names no node of the workflow',
      'reference_unknown_node: {{ other.x }} names no node of the workflow',
      'reference_unknown_output: {{ start.nope }}: node \'start\' (start) has: q',
    ]);
    // A computed key is read at render time: its own variable is a reference, the rest of the path is not checked.
    expect(issuesOf('{{ start.q[ghost.i].x }}')).toEqual(['reference_unknown_node: {{ ghost.i }} names no node of the workflow']);
  });

  it('does not read raw blocks, comments, or names the template binds with assign, capture and increment', () => {
    expect(issuesOf('{% raw %}{{ ghost.x }}{% endraw %}{% comment %}{{ ghost.y }}{% endcomment %}{% increment n %}{{ n }}{% assign m = start.q %}{{ m.first }}')).toEqual([]);
  });

  it('checks no reference in a template Liquid cannot parse (rendering it fails with template_error)', () => {
    expect(issuesOf('{% if ghost.x %}never closed')).toEqual([]);
    expect(issuesOf('{{ 1 + }} {{ ghost.x }}')).toEqual([]);
  });

  it('stays bounded on a template nested as deep as the length cap allows', () => {
    const deep = '{%if start.q%}'.repeat(4_000) + '{%endif%}'.repeat(4_000); // 92,000 characters
    const started = Date.now();
    expect(issuesOf(deep)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  // Each of these took seconds to minutes before (regular expressions backtracking over the text);
  // they are checked for their result here, their cost is in `npm run bench:validate`'s territory.
  it.each([
    ['an unclosed for tag followed by many spaces', `{% for a in ${' '.repeat(90_000)}x`],
    ['an unclosed for tag without spaces around the keyword', `{%for a in${' '.repeat(90_000)}`],
    ['many unclosed tags', '{% for a in b '.repeat(6_000)],
    ['many unclosed filter tails', '{{ a |'.repeat(15_000)],
  ])('scans %s in one pass', (_what, text) => {
    expect(issuesOf(text)).toEqual([]);
  });
});
