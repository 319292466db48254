import { createHash } from 'node:crypto';
import { APP_SCRIPT } from './app-script.js';
import { STYLES } from './styles.js';

const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#24292f"/><path d="M9 25 16 7l7 18h-3.2l-1.5-4.2h-4.6L12.2 25zm5.6-7h2.8L16 13.9z" fill="#fff"/></svg>';

/** A static file the pages load. */
export interface Asset {
  readonly path: string;
  readonly type: string;
  readonly body: string;
  readonly etag: string;
}

const asset = (path: string, type: string, body: string): Asset => ({ path, type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });

/** The scripts, styles and icon of the pages, served by `webRoutes`. */
export const ASSETS: readonly Asset[] = [
  asset('/assets/agnes.js', 'text/javascript; charset=utf-8', APP_SCRIPT),
  asset('/assets/agnes.css', 'text/css; charset=utf-8', STYLES),
  asset('/assets/favicon.svg', 'image/svg+xml', FAVICON),
];

/** Where the layout links them. */
export const ASSET_PATHS = { js: '/assets/agnes.js', css: '/assets/agnes.css', favicon: '/assets/favicon.svg' } as const;
