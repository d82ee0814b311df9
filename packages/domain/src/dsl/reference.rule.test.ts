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
      'reference_unknown_node: {% for e in ghost.list %} names no node of the workflow',
      'reference_unknown_output: {% for r in start.nope %}: node \'start\' (start) has: q',
    ]);
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
