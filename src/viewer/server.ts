// `resdistill view`'s web server, on the loopback interface only. It answers a fixed set of routes: the page, its
// data, the slide's Deep Zoom tiles, the overlays and OpenSeadragon's own files; it reads nothing else (no path
// from a request reaches the file system except inside OpenSeadragon's folder, checked), and it refuses requests
// addressed to another host name (a web page cannot reach it through DNS rebinding).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fromNative, ResdistillError } from '../util/errors.js';
import { openSlide, type Slide } from '../slide/slide.js';
import { DeepZoomTiles, dziXml } from './deep-zoom.js';
import { DISAGREEMENT_COLOUR, LAYERS, type Layer, overlay, type Overlay } from './overlay.js';
import { viewerPage } from './page.js';
import { PREDICTION_FILE, readPredictions, type ViewerPredictions } from './predictions.js';

export const HOST = '127.0.0.1';

export interface ViewerOptions {
  /** A folder predict wrote, or a slide alone. */
  target: string;
  /** 0 (default): a free port. */
  port?: number;
  mpp?: number;
  forceMpp?: boolean;
}

export interface RunningViewer {
  url: string;
  port: number;
  slide: string;
  predictions: boolean;
  close(): Promise<void>;
}

/** OpenSeadragon's built files, as npm installed them. */
const openSeadragonDir = () => path.dirname(createRequire(import.meta.url).resolve('openseadragon'));

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.png': 'image/png', '.map': 'application/json', '.css': 'text/css' };

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, cache = false): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...(cache ? { 'Cache-Control': 'private, max-age=3600' } : { 'Cache-Control': 'no-store' }),
  });
  res.end(body);
}

/** A file of OpenSeadragon's folder named by a request; null for anything outside it. */
function openSeadragonFile(dir: string, rest: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (name.includes('\0') || name.split(/[\\/]/).includes('..')) return null;
  const file = path.resolve(dir, name);
  if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return file;
}

export async function startViewer(o: ViewerOptions): Promise<RunningViewer> {
  const target = path.resolve(o.target);
  if (!existsSync(target))
    throw new ResdistillError('SLIDE_NOT_FOUND', `${o.target} does not exist: give a folder predict wrote, or a slide`);
  const isFolder = statSync(target).isDirectory();
  const predictions: ViewerPredictions | null = isFolder ? readPredictions(target) : null;
  const slidePath = predictions ? predictions.slide : target;
  const slide: Slide = openSlide(slidePath, { mpp: o.mpp, forceMpp: o.forceMpp });
  const tiles = new DeepZoomTiles(slide);
  const { width, height } = slide.info;
  const overlays = new Map<Layer, Overlay | null>();
  const overlayOf = (layer: Layer) => {
    if (!predictions) return null;
    if (!overlays.has(layer)) overlays.set(layer, overlay(predictions, layer, width, height));
    return overlays.get(layer)!;
  };
  const osd = openSeadragonDir();
  const layers = predictions ? LAYERS.filter((l) => l === 'student' || predictions.teacher) : [];
  const info = () => ({
    slide: { name: path.basename(slidePath), width, height, mpp: slide.info.mpp.x, levels: tiles.levels.length },
    predictions,
    layers: layers.map((l) => {
      const ov = overlayOf(l)!;
      return { name: l, width: ov.width, height: ov.height, scale: ov.scale };
    }),
    disagreementColour: DISAGREEMENT_COLOUR,
    source: isFolder ? PREDICTION_FILE : null,
  });

  let port = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const hostOk = [`${HOST}:${port}`, `localhost:${port}`].includes(req.headers.host ?? '');
    if (!hostOk) return send(res, 403, 'text/plain', 'forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const p = url.pathname;
    try {
      if (p === '/') return send(res, 200, 'text/html; charset=utf-8', viewerPage());
      if (p === '/viewer.json') return send(res, 200, 'application/json', JSON.stringify(info()));
      if (p === '/slide.dzi') return send(res, 200, 'application/xml', dziXml(width, height), true);
      const tile = /^\/slide_files\/(\d{1,2})\/(\d{1,6})_(\d{1,6})\.png$/.exec(p);
      if (tile) return send(res, 200, 'image/png', tiles.tile(Number(tile[1]), Number(tile[2]), Number(tile[3])), true);
      const layer = /^\/overlay\/([a-z]+)\.png$/.exec(p)?.[1] as Layer | undefined;
      const ov = layer && (LAYERS as readonly string[]).includes(layer) ? overlayOf(layer) : null;
      if (ov) return send(res, 200, 'image/png', ov.png, true);
      if (p.startsWith('/openseadragon/')) {
        const file = openSeadragonFile(osd, p.slice('/openseadragon/'.length));
        if (file) return send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', readFileSync(file), true);
      }
      return send(res, 404, 'text/plain', 'not found\n');
    } catch (e) {
      const error = fromNative(e);
      return send(res, error.code === 'REGION_OUTSIDE' ? 404 : 500, 'text/plain', `${error.code}: ${error.message}\n`);
    }
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(fromNative(e)));
    server.listen(o.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    slide: slidePath,
    predictions: predictions !== null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          slide.close();
          resolve();
        });
      }),
  };
}
