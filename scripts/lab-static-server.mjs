// The restricted-network lab's page server: runs on the client namespace's loopback, so that loading the page
// never depends on a scenario's rules. Serves the lab page at / and the built player (npm run build) at /dist/.
// usage: node scripts/lab-static-server.mjs PORT  →  prints "lab-static ready http://127.0.0.1:PORT/"
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROUTES = [
  { prefix: '/dist/', dir: join(REPO_ROOT, 'dist') },
  // The build refers to its worker chunk from the origin's root (new URL('/assets/…', import.meta.url)).
  { prefix: '/assets/', dir: join(REPO_ROOT, 'dist', 'assets') },
  { prefix: '/', dir: join(REPO_ROOT, 'test', 'e2e', 'lab', 'page') },
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json' };

const port = Number(process.argv[2] ?? 0);

/** The file a request path maps to, or null when it would leave its directory. */
function fileFor(pathname) {
  const route = ROUTES.find((r) => pathname.startsWith(r.prefix));
  if (!route) return null;
  const relative = pathname.slice(route.prefix.length) || 'index.html';
  const file = normalize(join(route.dir, relative));
  return file.startsWith(route.dir + sep) ? file : null;
}

const server = createServer(async (request, response) => {
  const file = fileFor(decodeURIComponent(new URL(request.url ?? '/', 'http://lab').pathname));
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile() || request.method !== 'GET') {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
  createReadStream(file).pipe(response);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`lab-static ready http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // Chromium keeps connections alive
});
