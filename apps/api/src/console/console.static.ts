import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** Where the console's build lands (apps/console/dist), from this file in src/ or in dist/. */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../../console/dist');

// The console is a single-page app that talks to /v1 only, from this origin. Its pages may load
// nothing from elsewhere, be framed by nobody, and send no Referer (a form link carries its token in
// the path). Inline styles are allowed: the graph library positions nodes with style attributes.
const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The web console under /console: its built files, and its index page for every other GET below
 * /console (the app's own routes: /console/runs/…). A plain middleware, not declared routes: the
 * OpenAPI document describes the API, not these pages. When the console has not been built, /console
 * says how to build it (503) rather than a bare 404.
 */
export function consoleMiddleware(dir: string): RequestHandler {
  const root = resolve(dir || DEFAULT_CONSOLE_DIR);
  const index = resolve(root, 'index.html');
  const files = express.static(root, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      for (const [k, v] of Object.entries(CONSOLE_HEADERS)) res.setHeader(k, v);
      // Vite names built assets by their content hash: cached for good; anything else is revalidated.
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== '/console' && !req.path.startsWith('/console/')) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/console') return res.redirect(301, '/console/');
    const page = () => {
      if (!existsSync(index)) {
        res.status(503).type('text/plain').send('The console has not been built: run `npm run build` (or `npm run up`).\n');
        return;
      }
      for (const [k, v] of Object.entries(CONSOLE_HEADERS)) res.setHeader(k, v);
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    };
    // A missing built asset is a 404, not the index page (a stale tab asking for an old bundle).
    const rest = req.path.slice('/console'.length);
    req.url = rest + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '');
    files(req, res, (err?: unknown) => {
      req.url = '/console' + req.url;
      if (err) return next(err);
      if (rest.startsWith('/assets/')) return next();
      page();
    });
  };
}
