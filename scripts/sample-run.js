// Creates, publishes and runs the sample workflow (examples/hello.workflow.json) through the API,
// waits for it to finish and prints the run's Temporal Web UI link and result.
const fs = require('node:fs');
const path = require('node:path');

const { api, call } = require('./sample-api');

async function main() {
  const graph = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'hello.workflow.json'), 'utf8'));
  const workflow = await call('POST', '/v1/workflows', { name: 'hello (sample)', description: 'start → template → code → wait → end', graph });
  const { version } = await call('POST', `/v1/workflows/${workflow.id}/publish`);
  const run = await call('POST', `/v1/workflows/${workflow.id}/runs`, { inputs: { name: 'Weft' }, mode: 'blocking', timeoutMs: 60000 });
  console.log(`\nSample run ${run.id} of workflow ${workflow.id} v${version}: ${run.status}`);
  console.log(`  Run:         ${api}/v1/runs/${run.id}`);
  console.log(`  Temporal UI: ${run.temporal.uiUrl}`);
  console.log(`  Outputs:     ${JSON.stringify(run.outputs)}`);
  if (run.status !== 'succeeded') {
    console.error(`  Error:       ${JSON.stringify(run.error)}`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
