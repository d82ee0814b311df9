// The knowledge sample of `npm run up`: indexes examples/handbook into an economy knowledge (BM25,
// no model or API key needed) with `npm run ingest`'s tool, then runs examples/ask-handbook.workflow.json,
// whose knowledge-retrieval node answers a question from it, and prints what it found.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { api, key, call } = require('./sample-api');

async function main() {
  console.log('\nKnowledge sample: indexing examples/handbook (economy: full-text, no model needed)');
  const ingest = spawnSync(process.execPath, [path.join(root, 'apps/api/dist/cli/ingest.cli.js'), 'handbook', path.join(root, 'examples/handbook'), '--create'], {
    stdio: 'inherit',
    env: { ...process.env, WEFT_API_URL: api, WEFT_API_KEY: key },
    timeout: 180_000,
  });
  if (ingest.status !== 0) throw new Error(`npm run ingest exited with ${ingest.status ?? ingest.signal}`);
  const [knowledge] = await call('GET', '/v1/knowledge?name=handbook');
  if (!knowledge) throw new Error('the handbook knowledge was not created');

  const graph = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'ask-handbook.workflow.json'), 'utf8').replace('KNOWLEDGE_ID', knowledge.id));
  const workflow = await call('POST', '/v1/workflows', { name: 'ask the handbook (sample)', description: 'start → knowledge-retrieval → end', graph });
  await call('POST', `/v1/workflows/${workflow.id}/publish`);
  const question = 'How many vacation days do I have?';
  const run = await call('POST', `/v1/workflows/${workflow.id}/runs`, { inputs: { question }, mode: 'blocking', timeoutMs: 60000 });
  console.log(`\nSample run ${run.id} (knowledge-retrieval over ${knowledge.id}): ${run.status}`);
  console.log(`  Run:         ${api}/v1/runs/${run.id}`);
  console.log(`  Temporal UI: ${run.temporal.uiUrl}`);
  if (run.status !== 'succeeded') {
    console.error(`  Error:       ${JSON.stringify(run.error)}`);
    process.exit(1);
  }
  const top = run.outputs.results[0];
  console.log(`  Question:    ${question}`);
  console.log(`  Best match:  ${top ? `${top.metadata.documentName} (score ${top.score.toFixed(2)}): ${top.content.replace(/\s+/g, ' ').slice(0, 120)}…` : 'none'}`);
  if (!top) {
    // The database says the handbook is indexed, yet the vector store has nothing of it: its data
    // (.data/milvus) was removed while PostgreSQL kept the rows (e.g. a second clone on one database).
    console.warn(`  Note:        the vector store holds nothing of ${knowledge.id}; delete it (DELETE /v1/knowledge/${knowledge.id}) and run npm run up again to index it anew`);
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
