// The samples' API client (scripts/sample-run.js, scripts/sample-knowledge.js): WEFT_API_URL and
// WEFT_API_KEY from the environment; a call answers the envelope's `data` or throws with the error.
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

module.exports = { api, key, call };
