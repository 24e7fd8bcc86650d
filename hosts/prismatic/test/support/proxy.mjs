// A recording proxy in front of the fake org, in its own process (the component blocks the
// test's thread while its requests are in flight). It forwards every request as it came,
// Host header included (the fake org builds its links, token audience and DPoP `htu` from
// it, so they name the proxy), and keeps what it saw for the tests to assert on.
//
// Besides forwarding:
//   GET  /__proxy/requests   the requests seen since the last call (with their arrival time in ms), then forgets them
//   POST /__proxy/fault      {"method", "path", "skip", "times", "resetSeconds", "status"}: answer
//                            the matching requests after the first `skip` with Okta's 429 (or with
//                            Okta's 403 when `status` is 403), `times` times
//   ANY  /__hook/...         an event hook endpoint: answers Okta's verification challenge, takes
//                            deliveries (kept with the requests)
//
// Usage: node proxy.mjs TARGET_URL   (prints "proxy at http://127.0.0.1:PORT")
import { createServer, request as httpRequest, Agent } from 'node:http';

const target = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true });
let seen = [];
const faults = [];

function record(req, body) {
  const url = new URL(req.url, 'http://proxy');
  seen.push({
    at: Date.now(),
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body: body.length > 0 ? body.toString('utf8') : null,
  });
}

function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function takeFault(req) {
  const path = new URL(req.url, 'http://proxy').pathname;
  const fault = faults.find((f) => f.method === req.method && f.path === path);
  if (!fault) return undefined;
  if (fault.skip > 0) {
    fault.skip -= 1;
    return undefined;
  }
  fault.times -= 1;
  if (fault.times === 0) faults.splice(faults.indexOf(fault), 1);
  return fault;
}

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  if (req.url === '/__proxy/requests') {
    const out = seen;
    seen = [];
    return json(res, 200, out);
  }
  if (req.url === '/__proxy/fault' && req.method === 'POST') {
    faults.push({ skip: 0, times: 1, resetSeconds: 1, ...JSON.parse(body.toString('utf8')) });
    return json(res, 200, { ok: true });
  }
  record(req, body);
  if (req.url.startsWith('/__hook')) {
    const challenge = req.headers['x-okta-verification-challenge'];
    if (req.method === 'GET' && challenge) return json(res, 200, { verification: challenge });
    return json(res, 200, {});
  }
  const fault = takeFault(req);
  if (fault?.status === 403) {
    return json(res, 403, {
      errorCode: 'E0000006',
      errorSummary: 'You do not have permission to perform the requested action',
      errorLink: 'E0000006',
      errorId: 'oaeProxy403',
      errorCauses: [],
    });
  }
  if (fault) {
    const now = Date.now();
    return json(
      res,
      429,
      { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorLink: 'E0000047', errorId: 'oaeProxy429', errorCauses: [] },
      {
        date: new Date(now).toUTCString(),
        'x-rate-limit-limit': '600',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(Math.ceil(now / 1000) + fault.resetSeconds),
      },
    );
  }
  const upstream = httpRequest(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => json(res, 502, { error: 'the fake org did not answer' }));
  upstream.end(body);
});

// The test's thread sits blocked while the component's requests are in flight: an idle
// connection of its own must outlive that, or its next call finds it closed.
server.keepAliveTimeout = 120_000;

server.listen(0, '127.0.0.1', () => {
  console.log(`proxy at http://127.0.0.1:${server.address().port}`);
});
