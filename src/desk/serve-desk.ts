import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

// The desk (web/, built by Vite into web/dist) is served by the service itself at `/`.
// The API owns its paths: the desk's own locations live in the URL fragment
// (`/#/incidents/<id>`), which never reaches the server, and a browser that asks for a page
// the API does not have gets the desk's index.html, unless the path lies under one of the
// API's own first segments (an unknown API path stays a problem+json 404).

// The page holds an API key for the tab's lifetime: it runs only its own scripts, talks only
// to this service and is framed by no one.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * Call before the API's routes are registered (before `listen`/`init` and the OpenAPI
 * setup), so that the paths they claim are known. Without a build, the API runs alone.
 */
export function serveDesk(app: NestFastifyApplication, root = join(projectRoot(), 'web', 'dist')): void {
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('Desk').warn(`No desk build at ${root}: run \`npm run build\` to serve the web desk at /.`);
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  const apiSegments = new Set<string>();
  fastify.addHook('onRoute', (route) => {
    apiSegments.add(firstSegment(route.url));
  });

  // As app.useStaticAssets() would, with @fastify/static's own types (Nest's describe an older setHeaders).
  void fastify.register(fastifyStatic, {
    root,
    // One route per built file, so the static files never answer for the API's paths.
    wildcard: false,
    setHeaders: (reply, path) => {
      // Vite puts a content hash in every asset's name; index.html must be fetched afresh.
      reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (path.endsWith('.html')) reply.headers(PAGE_HEADERS);
    },
  });

  const indexHtml = readFileSync(indexFile);
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.is404 || !isPageRequest(request) || apiSegments.has(firstSegment(request.url))) return;
    return reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').headers(PAGE_HEADERS).send(indexHtml);
  });
}

/** A browser navigating to a page (not a script, and not an API client asking for JSON). */
function isPageRequest(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

function firstSegment(url: string): string {
  return url.split(/[/?#]/).find((segment) => segment !== '') ?? '';
}

// This file runs as src/desk/ (tests) and as dist/src/desk/ (built): both sit under the
// folder that holds package.json, where web/ lives.
function projectRoot(): string {
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
  }
}
