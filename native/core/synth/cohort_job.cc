// "synth.cohort": a deterministic SYNTHETIC cohort of small pyramidal TIFF slides plus cohort.csv / cohort.json,
// the demo's embedded default. Slides render in parallel; events are emitted from the job's own thread, in order.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "job/job.h"
#include "job/spec.h"
#include "synth/cohort_config.h"
#include "synth/pyramid_tiff.h"
#include "synth/render.h"
#include "synth/scene.h"
#include "util/threads.h"

namespace rd::synth {
namespace {

namespace fs = std::filesystem;

struct SlideJob {
  int index, label, patient;
  std::string file;
  Json record;
};

// Writes text atomically (temp file, then rename), so a reader never sees half a CSV.
void write_text(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(code::kIo, "cannot write '" + tmp.string() + "'");
    out << text;
    out.flush();
    if (!out) throw Error(code::kIo, "cannot write '" + tmp.string() + "' (disk full?)");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error(code::kIo, "cannot rename '" + tmp.string() + "': " + ec.message());
}

// Renders and writes one slide; returns its cohort.json record.
Json make_slide(const CohortSpec& c, const SlideJob& job, const fs::path& out, const std::function<void()>& step) {
  SceneParams params;
  params.width_um = float(c.width_um);
  params.height_um = float(c.height_um);
  params.classes = c.classes;
  params.coarse_agreement = c.coarse_agreement;
  const Scene scene = make_scene(params, c.seed, job.index, job.label);
  const RgbImage base = render_scene(scene, c.mpp, c.tile, [&](int, int) { step(); });
  TiffOptions o;
  o.tile = c.tile;
  o.mpp = c.mpp;
  o.compression = c.compression;
  o.quality = c.quality;
  o.description = "resdistill SYNTHETIC slide " + job.file + " (seed " + std::to_string(c.seed) + "); not patient data";
  const auto levels = write_pyramid_tiff((out / job.file).string(), base, o, step);
  step();
  Json pieces = Json::array();
  for (const auto& p : scene.pieces)
    pieces.push_back({{"centerUm", {p.cx, p.cy}},
                      {"radiusUm", p.radius},
                      {"architecture", int(p.architecture)},
                      {"architectureMatchesLabel", int(p.architecture) == job.label},
                      {"nuclearFraction", p.nuclear_fraction},
                      {"nuclei", p.nuclei}});
  Json lv = Json::array();
  for (const auto& l : levels) lv.push_back({{"width", l.width}, {"height", l.height}, {"downsample", l.downsample}});
  return {{"path", job.file},
          {"label", class_name(job.label)},
          {"group", "patient-" + std::string(job.patient < 10 ? "0" : "") + std::to_string(job.patient)},
          {"mpp", c.mpp},
          {"levels", lv},
          {"stain",
           {{"hematoxylin", scene.stain.h},
            {"eosin", scene.stain.e},
            {"hStrength", scene.stain.h_strength},
            {"eStrength", scene.stain.e_strength},
            {"backgroundOd", scene.stain.background}}},
          {"pieces", pieces}};
}

Json run_cohort(const Json& spec, JobContext& ctx) {
  const CohortSpec c = read_cohort_spec(spec);
  const fs::path out(c.out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out)) throw Error(code::kIo, "cannot create output directory '" + c.out_dir + "': " + ec.message());

  std::vector<SlideJob> jobs;
  for (int k = 0; k < c.slides_per_class; ++k)
    for (int label = 0; label < c.classes; ++label) {
      const int index = int(jobs.size());
      char name[32];
      std::snprintf(name, sizeof name, "slide-%03d.tif", index);
      jobs.push_back({index, label, (k / c.slides_per_patient) * c.classes + label, name, {}});
    }
  const int total = steps_per_slide(c) * int(jobs.size());

  std::mutex mu;
  std::condition_variable cv;
  int done = 0, finished = 0;
  std::atomic<int> next{0};
  std::atomic<bool> abort{false};
  std::exception_ptr failure;
  auto step = [&] {
    if (abort.load() || ctx.cancelled()) throw Error(code::kCancelled, "synth.cohort cancelled");
    std::lock_guard<std::mutex> lock(mu);
    ++done;
    cv.notify_one();
  };
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < int(jobs.size());) {
      try {
        jobs[i].record = make_slide(c, jobs[i], out, step);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
        abort = true;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    ++finished;
    cv.notify_one();
  };
  const int n_threads = std::clamp(c.threads > 0 ? c.threads : threads(), 1, int(jobs.size()));
  std::vector<std::thread> pool;
  for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(mu);
    int reported = 0;
    while (finished < n_threads) {
      cv.wait(lock, [&] { return done != reported || finished == n_threads; });
      if (done != reported && !failure) {
        reported = done;
        lock.unlock();
        ctx.emit({{"type", "progress"}, {"done", reported}, {"total", total}});
        lock.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  std::string csv = "path,label,group\n";
  Json slides = Json::array();
  for (const auto& j : jobs) {
    csv += j.file + "," + j.record["label"].get<std::string>() + "," + j.record["group"].get<std::string>() + "\n";
    slides.push_back(j.record);
  }
  Json manifest = describe_cohort(c);
  manifest["slides"] = slides;
  write_text(out / "cohort.csv", csv);
  write_text(out / "cohort.json", manifest.dump(2) + "\n");
  return {{"synthetic", true},
          {"out", fs::absolute(out).lexically_normal().string()},
          {"csv", (fs::absolute(out) / "cohort.csv").lexically_normal().string()},
          {"manifest", (fs::absolute(out) / "cohort.json").lexically_normal().string()},
          {"seed", c.seed},
          {"classes", manifest["classes"]},
          {"slides", slides.size()},
          {"threads", n_threads}};
}

const JobRegistrar kRegistrar("synth.cohort", "deterministic SYNTHETIC cohort of pyramidal TIFF slides (the demo's default data)",
                              run_cohort);

}  // namespace
}  // namespace rd::synth
