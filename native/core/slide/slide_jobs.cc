// Slide jobs for runJob and the driver: batch tile reads, tissue detection with a tile grid, and the
// tissue-tile extraction pass (read every tissue tile at several mpps; the store writer builds on it).
#include <chrono>
#include <random>

#include "job/job.h"
#include "job/spec.h"
#include "slide/api.h"

namespace rd::slide {
namespace {

std::shared_ptr<Slide> open_from_spec(const Json& spec) {
  MppOverride o{spec::get<double>(spec, "mpp", 0), spec::get<bool>(spec, "forceMpp", false)};
  return Slide::open(spec::require<std::string>(spec, "path"), o);
}

SlideTissueOptions tissue_options(const Json& spec) {
  SlideTissueOptions o;
  o.mpp = spec::get<double>(spec, "thumbnailMpp", o.mpp);
  o.threshold = spec::get<int>(spec, "threshold", o.threshold);
  o.close_um = spec::get<double>(spec, "closeUm", o.close_um);
  o.open_um = spec::get<double>(spec, "openUm", o.open_um);
  o.fill_holes = spec::get<bool>(spec, "fillHoles", o.fill_holes);
  o.min_area_um2 = spec::get<double>(spec, "minAreaUm2", o.min_area_um2);
  spec::check(o.mpp > 0, "thumbnailMpp", "must be positive");
  spec::check(o.threshold < 256, "threshold", "must be < 256 (or negative for Otsu)");
  return o;
}

TileGridOptions grid_options(const Json& spec) {
  TileGridOptions g;
  // The experiment config owns the tile defaults (data.unit): the caller always sends them.
  g.size_um = spec::require<double>(spec, "sizeUm");
  g.stride_um = spec::get<double>(spec, "strideUm", g.stride_um);
  g.min_tissue = spec::require<double>(spec, "minTissue");
  spec::check(g.size_um > 0, "sizeUm", "must be positive");
  spec::check(g.min_tissue >= 0 && g.min_tissue <= 1, "minTissue", "must be in 0..1");
  return g;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// spec: { regions: [{x, y, width, height}] (level-0 px), mpps: [..], threads } -> counts and speed (no pixels).
Json read_regions(const Slide& s, const Json& spec, JobContext& ctx) {
  std::vector<Rect> rects;
  for (const auto& r : spec.at("regions")) {
    spec::check(r.is_object(), "regions", "must be objects {x, y, width, height}");
    rects.push_back({spec::require<double>(r, "x"), spec::require<double>(r, "y"), spec::require<double>(r, "width"),
                     spec::require<double>(r, "height")});
  }
  const auto mpps = spec::get<std::vector<double>>(spec, "mpps", {s.mpp().x});
  const int threads = spec::get<int>(spec, "threads", 0);
  std::vector<uint64_t> per(rects.size(), 0);
  const auto t0 = std::chrono::steady_clock::now();
  read_batch(s, rects, mpps, threads, ctx, [&](size_t i, std::vector<Region>&& views) {
    for (const auto& v : views) per[i] += v.pixels.data[0];
  });
  const double secs = seconds_since(t0);
  uint64_t checksum = 0;
  for (auto v : per) checksum += v;
  return {{"tiles", rects.size()}, {"mpps", mpps}, {"threads", threads}, {"seconds", secs}, {"tilesPerS", rects.size() / secs},
          {"checksum", checksum}};
}

// spec: { path, mpp?, n = 400, size = 256, seed = 0, level = 0, threads = 0 } random level reads (the benchmark).
Json read_tiles(const Json& spec, JobContext& ctx) {
  auto s = open_from_spec(spec);
  if (spec.contains("regions")) return read_regions(*s, spec, ctx);
  const int n = spec::get<int>(spec, "n", 400), size = spec::get<int>(spec, "size", 256), level = spec::get<int>(spec, "level", 0);
  const int threads = spec::get<int>(spec, "threads", 0);
  spec::check(n > 0, "n", "must be positive");
  spec::check(level >= 0 && level < int(s->levels().size()), "level", "no such level");
  const auto& lv = s->levels()[level];
  spec::check(size > 0 && size <= lv.width && size <= lv.height, "size", "must fit in the level");
  std::mt19937_64 rng(spec::get<uint64_t>(spec, "seed", 0));
  std::vector<std::pair<int64_t, int64_t>> xy(n);
  for (auto& p : xy) p = {int64_t(rng() % uint64_t(lv.width - size)), int64_t(rng() % uint64_t(lv.height - size))};
  s->read_level(level, xy[0].first, xy[0].second, size, size);  // warm the same path as the peer
  std::vector<uint64_t> sums(size_t(std::max(1, threads > 0 ? threads : 64)), 0);
  const auto t0 = std::chrono::steady_clock::now();
  parallel_items(size_t(n), threads, ctx, [&](size_t i, int w) {
    auto img = s->read_level(level, xy[i].first, xy[i].second, size, size);
    sums[size_t(w) % sums.size()] += img.data[0];
  });
  const double secs = seconds_since(t0);
  uint64_t checksum = 0;
  for (auto v : sums) checksum += v;
  return {{"tiles", n},      {"size", size},          {"level", level},      {"threads", threads},
          {"seconds", secs}, {"tilesPerS", n / secs}, {"checksum", checksum}};
}

// spec: { path, mpp?, forceMpp?, thumbnailMpp?, threshold?, closeUm?, openUm?, fillHoles?, minAreaUm2?,
//         masks = true, sizeUm?, strideUm?, minTissue? }  -> tissue JSON (+ tiles when sizeUm is given).
Json tissue(const Json& spec, JobContext& ctx) {
  auto s = open_from_spec(spec);
  ctx.check_cancelled();
  auto t = detect_tissue(*s, tissue_options(spec));
  ctx.emit({{"type", "progress"}, {"stage", "tissue"}, {"done", 1}, {"total", 1}});
  Json out = tissue_json(t, spec::get<bool>(spec, "masks", true));
  out["slide"] = {{"width", s->width()}, {"height", s->height()}, {"mpp", s->mpp().x}, {"mppSource", s->mpp().source}};
  if (spec.contains("sizeUm")) out["tiles"] = tiles_json(*s, tile_grid(*s, t, grid_options(spec)));
  return out;
}

// spec: tissue fields + { mpps: [1.0, 4.0], sizeUm, threads } -> reads every tissue tile at every mpp
// (one read per tile), returns counts, tiles/s and a checksum. Memory stays at a few tiles per thread.
Json extract(const Json& spec, JobContext& ctx) {
  auto s = open_from_spec(spec);
  const auto t0 = std::chrono::steady_clock::now();
  auto t = detect_tissue(*s, tissue_options(spec));
  const double tissue_s = seconds_since(t0);
  auto tiles = tile_grid(*s, t, grid_options(spec));
  const auto mpps = spec::get<std::vector<double>>(spec, "mpps", {1.0, 4.0});
  spec::check(!mpps.empty(), "mpps", "must list at least one mpp");
  const int threads = spec::get<int>(spec, "threads", 0);
  std::vector<uint64_t> sums(256, 0);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<Rect> rects;
  for (const auto& tile : tiles) rects.push_back(tile.rect);
  std::vector<uint64_t> per_tile(rects.size(), 0);
  read_batch(*s, rects, mpps, threads, ctx, [&](size_t i, std::vector<Region>&& views) {
    for (const auto& v : views) per_tile[i] += v.pixels.data[v.pixels.data.size() / 2];
  });
  for (auto v : per_tile) sums[0] += v;
  const double read_s = seconds_since(t1);
  uint64_t checksum = 0;
  for (auto v : sums) checksum += v;
  return {{"tiles", tiles.size()},
          {"pieces", t.pieces.size()},
          {"coverage", t.tissue.coverage()},
          {"mpps", mpps},
          {"threads", threads},
          {"tissueSeconds", tissue_s},
          {"readSeconds", read_s},
          {"tilesPerS", tiles.empty() ? 0.0 : tiles.size() / read_s},
          {"checksum", checksum}};
}

const JobRegistrar kTiles("slide.readTiles", "random level reads of one slide on a thread pool (benchmark)", read_tiles);
const JobRegistrar kTissue("slide.tissue", "tissue mask, pieces and an optional micron tile grid of a slide", tissue);
const JobRegistrar kExtract("slide.extract", "read every tissue tile of a slide at several mpps (one read per tile)", extract);

}  // namespace
}  // namespace rd::slide
