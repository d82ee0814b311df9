import { Liquid } from 'liquidjs';

// Liquid is pure JavaScript and deterministic, so the same engine renders inside workflow code and
// inside the activity that renders templates reading values kept outside history. Only own
// properties are visible, and no file system or include paths are configured.
const engine = new Liquid({ ownPropertyOnly: true, strictFilters: true, cache: 200 });

/** Renders a template node's text; its variables are the node outputs visible to it. */
export function renderTemplate(template: string, variables: object): string {
  return engine.parseAndRenderSync(template, variables) as string;
}
