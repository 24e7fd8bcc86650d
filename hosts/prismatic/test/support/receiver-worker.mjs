// Prismatic's side of a flow's webhook URL, in a worker thread (the fake org calls it while
// the test's thread is blocked in the deploy): each request becomes a trigger payload as
// Prismatic builds it, runs the Event Hook trigger through Spectral's harness with the
// instance state Prismatic keeps, answers with the trigger's response, and reports to the
// test what happened.
import { parentPort, workerData } from 'node:worker_threads';
import { createServer } from 'node:http';
import { harnessFor, loadBuilt } from './org.mjs';

const harness = harnessFor(loadBuilt());
const flow = { id: 'flowId', name: 'Flow 1', stableId: 'flowStableId' };
let instanceState = {};
let url;

parentPort.on('message', (m) => {
  if ('instanceState' in m) instanceState = m.instanceState;
});

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  let data = raw.toString('utf8');
  if (contentType.includes('json')) {
    try {
      data = JSON.parse(data);
    } catch {
      // Prismatic hands the text on when it is not JSON.
    }
  }
  try {
    const result = await harness.trigger(
      'eventHook',
      { headers: req.headers, rawBody: { data: raw, contentType }, body: { data, contentType }, webhookUrls: { [flow.name]: url }, flow },
      workerData.params,
      { instanceState: structuredClone(instanceState), webhookUrls: { [flow.name]: url }, flow },
    );
    if (result.instanceState) instanceState = result.instanceState;
    res.writeHead(result.response.statusCode, { 'content-type': result.response.contentType });
    res.end(result.response.body);
    parentPort.postMessage({
      method: req.method,
      status: result.response.statusCode,
      branch: result.branch,
      payload: result.payload.body.data,
      headers: result.payload.headers,
      instanceState: result.instanceState,
    });
  } catch (e) {
    res.writeHead(500).end();
    parentPort.postMessage({ method: req.method, error: String(e) });
  }
});

// Prismatic's endpoint is up before the deploy: the component is loaded (compiled) first,
// so Okta's verification, which waits 3 s, is not answered by a cold start.
await harness.trigger('eventHook', { headers: { 'x-okta-verification-challenge': 'warm-up' } }, workerData.params, { instanceState: {} });

server.listen(0, '127.0.0.1', () => {
  url = `http://127.0.0.1:${server.address().port}/webhooks/flow-1`;
  parentPort.postMessage({ url });
});
