// The listing's ceiling: a bare node:http server answering every request with the same bytes the
// service sent for exams.available (status, content type, body), nothing else. Plain JavaScript,
// run with `node` alone: no TypeScript loader in the measured process.
// Usage: node bareServer.mjs <body file> <content type>; prints {"port": n} once listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyFile, contentType] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
