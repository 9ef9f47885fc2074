// The pure parts behind predict's GeoJSON and the viewer (no addon): the Deep Zoom level arithmetic, CSV read back
// exactly as written (class names with commas and quotes), and the GeoJSON of a few tiles (clipped, closed, wound
// by the right-hand rule, the summary first).
import { describe, expect, it } from 'vitest';
import { csvText, parseCsv } from '../../src/util/csv.js';
import { tilesGeoJson } from '../../src/predict/geojson.js';
import { deepZoomLevels, dziXml } from '../../src/viewer/deep-zoom.js';

describe('viewer and GeoJSON pieces', () => {
  it('Deep Zoom levels halve down to 1 x 1 px; the last is the scan itself', () => {
    const levels = deepZoomLevels(2220, 2967);
    expect(levels).toHaveLength(13); // 2^12 = 4096 >= 2967
    expect(levels[12]).toEqual({ width: 2220, height: 2967, downsample: 1 });
    expect(levels[11]).toEqual({ width: 1110, height: 1484, downsample: 2 });
    expect(levels[0]).toEqual({ width: 1, height: 1, downsample: 4096 });
    expect(dziXml(2220, 2967)).toMatch(/TileSize="256".*<Size Width="2220" Height="2967"\/>/s);
  });

  it('parseCsv reads back what csvText writes', () => {
    const rows = [
      ['x', 'p_a,b', 'p_"q"'],
      ['1', '0.5', 'line\nbreak'],
      ['', '', ''],
    ];
    expect(parseCsv(csvText(rows[0]!, rows.slice(1)))).toEqual(rows);
  });

  it('tilesGeoJson: the slide summary, then one closed, clipped, counterclockwise polygon per tile', () => {
    const fc = tilesGeoJson({
      width: 100,
      height: 80,
      classes: ['a', 'b'],
      colour: (i) => (i ? [0, 0, 255] : [255, 0, 0]),
      tiles: [
        { x: 0, y: 0, width: 50, height: 50, tissue: 0.9 },
        { x: 60, y: 40, width: 50, height: 50, tissue: 0.5 },
      ],
      probabilities: [
        [0.2, 0.8],
        [0.612345678, 0.387654322],
      ],
      label: 'b',
      meanProbability: { a: 0.41, b: 0.59 },
      votes: { a: 1, b: 1 },
    });
    expect(fc.features.map((f) => f.properties.objectType)).toEqual(['annotation', 'tile', 'tile']);
    expect(fc.features[0]!.geometry.coordinates).toEqual([
      [
        [0, 0],
        [100, 0],
        [100, 80],
        [0, 80],
        [0, 0],
      ],
    ]);
    expect(fc.features[0]!.properties.measurements).toMatchObject({ 'share a': 0.5, 'share b': 0.5, 'mean p_b': 0.59 });
    expect(fc.features[2]!.geometry.coordinates).toEqual([
      [
        [60, 40],
        [100, 40],
        [100, 80],
        [60, 80],
        [60, 40],
      ],
    ]);
    expect(fc.features[2]!.properties).toMatchObject({
      classification: { name: 'a', color: [255, 0, 0] },
      measurements: { p_a: 0.61235, p_b: 0.38765, tissue: 0.5 },
    });
  });
});
