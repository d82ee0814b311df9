import fs from 'node:fs';
import path from 'node:path';
import { validateGraph } from '@weft/domain';

const dir = path.join(__dirname, '..', '..', 'examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.workflow.json'));

// The README points users at these files; they must stay valid as the DSL evolves.
describe('examples', () => {
  it('has examples', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is a valid weft/v1 graph', (file) => {
    expect(validateGraph(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))).toEqual(expect.objectContaining({ issues: [] }));
  });
});
