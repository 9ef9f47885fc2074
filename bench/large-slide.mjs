// The large slide the benchmarks share: the CMU slide replicated 14 x 11 to 31,080 x 32,637 px, streamed by vips
// straight into a JPEG pyramidal TIFF (256 px tiles; no 3 GB intermediate). xres/yres in px/mm = 1000 / mpp.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const LARGE_SLIDE = { width: 31080, height: 32637, mpp: 0.499 };

export function makeLargeSlide(cmuSlide, dir) {
  const tif = path.join(dir, 'large.tif');
  const res = (1000 / LARGE_SLIDE.mpp).toFixed(4);
  const r = spawnSync(
    'vips',
    ['replicate', cmuSlide, `${tif}[tile,pyramid,compression=jpeg,tile-width=256,tile-height=256,xres=${res},yres=${res}]`, '14', '11'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vips replicate failed: ${r.stderr}`);
  return tif;
}
