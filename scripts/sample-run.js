// Creates, publishes and runs the sample workflow (examples/hello.workflow.json) through the API,
// waits for it to finish and prints the run's Temporal Web UI link and result.
const fs = require('node:fs');
const path = require('node:path');

const api = process.env.WEFT_API_URL ?? 'http://127.0.0.1:3000';
const key = process.env.WEFT_API_KEY;
if (!key) throw new Error('WEFT_API_KEY is not set');

async function call(method, url, body) {
  const res = await fetch(`${api}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

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
