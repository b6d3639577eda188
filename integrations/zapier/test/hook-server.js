'use strict';

// Zapier's side of a REST hook, for the tests: an HTTP server on 127.0.0.1 that keeps
// every POST (path, headers, raw body) and answers 200 as Zapier's hook URLs do.

const http = require('node:http');

const MAX_BODY_BYTES = 1024 * 1024;

const startHookServer = async () => {
  const received = [];
  const waiters = new Set();
  const server = http.createServer((request, response) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch (error) {
        json = null;
      }
      const delivery = {
        path: request.url,
        method: request.method,
        headers: request.headers,
        body,
        json,
      };
      if (request.method === 'POST' && json) {
        delivery.url = `${server.url}${request.url}`;
        received.push(delivery);
        for (const waiter of waiters) waiter();
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"status":"success"}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.address().port}`;

  // The first delivery (received before or after the call) that `predicate` accepts.
  const waitFor = (predicate, timeoutMs) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = received.find(predicate);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = JSON.stringify(received.map((d) => [d.path, d.json && d.json.type]));
        reject(new Error(`no matching delivery within ${timeoutMs} ms; received: ${seen}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    url: server.url,
    received,
    waitFor,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};

// Request headers as Zapier passes them to a hook's perform (bundle.rawRequest.headers:
// "Http-" and each word capitalised).
const zapierHeaders = (headers) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      `Http-${name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('-')}`,
      value,
    ]),
  );

module.exports = { startHookServer, zapierHeaders };
