// predict's tiles as GeoJSON (RFC 7946) in QuPath's conventions, so QuPath's "Import objects" lays them over the same
// slide: one tile object per tile (level-0 pixels), classified by its most probable class, with every class
// probability as a measurement; and one annotation over the whole slide carrying the slide's label and class shares.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Decimals of a probability in tiles.csv and in the GeoJSON measurements: the two files hold the same numbers. */
export const PROBABILITY_DECIMALS = 5;

export type Ring = [number, number][];

export interface GeoJsonFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: Ring[] };
  properties: {
    objectType: 'tile' | 'annotation';
    name?: string;
    classification: { name: string; color: [number, number, number] };
    isLocked?: boolean;
    measurements: Record<string, number>;
  };
}

export interface GeoJsonCollection {
  type: 'FeatureCollection';
  features: GeoJsonFeature[];
}

export interface TileGeoJsonInput {
  /** Level-0 size of the slide: every polygon lies within it. */
  width: number;
  height: number;
  classes: string[];
  colour: (i: number) => [number, number, number];
  tiles: { x: number; y: number; width: number; height: number; tissue: number }[];
  probabilities: number[][];
  /** The slide's label (by mean probability), each class's mean probability and its share of tile labels. */
  label: string;
  meanProbability: Record<string, number>;
  votes: Record<string, number>;
}

/** The measurement name of a class probability: the column name of tiles.csv. */
export const probabilityName = (c: string) => `p_${c}`;

const round = (p: number) => Number(p.toFixed(PROBABILITY_DECIMALS));

/** A rectangle as a closed ring clipped to the slide, wound with positive shoelace area (RFC 7946's right-hand rule in x, y). */
function rectRing(x: number, y: number, w: number, h: number, width: number, height: number): Ring {
  const x0 = Math.max(0, x),
    y0 = Math.max(0, y),
    x1 = Math.min(width, x + w),
    y1 = Math.min(height, y + h);
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
}

const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);

export function tilesGeoJson(o: TileGeoJsonInput): GeoJsonCollection {
  const tiles: GeoJsonFeature[] = o.tiles.map((t, i) => {
    const p = o.probabilities[i]!;
    const c = argmax(p);
    return {
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [rectRing(t.x, t.y, t.width, t.height, o.width, o.height)] },
      properties: {
        objectType: 'tile',
        classification: { name: o.classes[c]!, color: o.colour(c) },
        measurements: {
          tissue: Number(t.tissue.toFixed(3)),
          ...Object.fromEntries(o.classes.map((name, k) => [probabilityName(name), round(p[k]!)])),
        },
      },
    };
  });
  const n = o.tiles.length;
  const summary: GeoJsonFeature = {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [rectRing(0, 0, o.width, o.height, o.width, o.height)] },
    properties: {
      objectType: 'annotation',
      name: `slide prediction: ${o.label}`,
      classification: { name: o.label, color: o.colour(o.classes.indexOf(o.label)) },
      isLocked: true,
      measurements: {
        tiles: n,
        ...Object.fromEntries(o.classes.map((c) => [`mean ${probabilityName(c)}`, round(o.meanProbability[c] ?? 0)])),
        ...Object.fromEntries(o.classes.map((c) => [`share ${c}`, round((o.votes[c] ?? 0) / Math.max(1, n))])),
      },
    },
  };
  return { type: 'FeatureCollection', features: [summary, ...tiles] };
}

/** Writes atomically (temp file, then rename), as every output of predict. */
export function writeGeoJson(file: string, collection: GeoJsonCollection): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(collection)}\n`);
  renameSync(tmp, file);
}
