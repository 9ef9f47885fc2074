#include "image_io/decode.h"

#include <png.h>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "util/error.h"
#include "util/memory_budget.h"

namespace rd::image_io {
namespace {

void check_declared(const std::string& path, const char* format, double w, double h, double bytes_per_pixel) {
  check_memory(w * h * bytes_per_pixel, "decoding " + std::string(format) + " '" + path + "' (declared " + std::to_string(int64_t(w)) +
                                            " x " + std::to_string(int64_t(h)) + " px)");
}

Rgb decode_png(const std::string& path, double bytes_per_pixel) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str())) {
    throw Error(code::kIo, "cannot decode PNG '" + path + "': " + img.message);
  }
  img.format = PNG_FORMAT_RGB;  // libpng converts gray, palette and 16-bit; alpha is composited on black
  try {
    check_declared(path, "PNG", img.width, img.height, bytes_per_pixel);
  } catch (...) {
    png_image_free(&img);
    throw;
  }
  Rgb out;
  out.h = img.height, out.w = img.width, out.format = "png";
  out.pixels.resize(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr)) {
    std::string why = img.message;
    png_image_free(&img);
    throw Error(code::kIo, "cannot decode PNG '" + path + "': " + why);
  }
  return out;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

// libjpeg reports fatal errors through this hook; we jump back instead of letting it call exit().
void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

Rgb decode_jpeg(const std::string& path, double bytes_per_pixel) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw Error(code::kIo, "cannot open '" + path + "'");
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_jpeg_error;
  Rgb out;
  out.format = "jpeg";
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw Error(code::kIo, "cannot decode JPEG '" + path + "': " + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file.get());
  jpeg_read_header(&cinfo, TRUE);
  const double jw = cinfo.image_width, jh = cinfo.image_height;
  try {
    check_declared(path, "JPEG", jw, jh, bytes_per_pixel);
  } catch (...) {
    jpeg_destroy_decompress(&cinfo);
    throw;
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out.h = cinfo.output_height, out.w = cinfo.output_width;
  out.pixels.resize(size_t(out.h * out.w * 3));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + size_t(cinfo.output_scanline) * out.w * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return out;
}

}  // namespace

Rgb decode_rgb(const std::string& path, double bytes_per_pixel) {
  unsigned char magic[8] = {};
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(code::kIo, "cannot open image '" + path + "'");
    if (std::fread(magic, 1, sizeof magic, f.get()) < 3) throw Error(code::kIo, "'" + path + "' is too short to be an image");
  }
  if (png_sig_cmp(magic, 0, 8) == 0) return decode_png(path, bytes_per_pixel);
  if (magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF) return decode_jpeg(path, bytes_per_pixel);
  throw Error(code::kIo, "'" + path + "' is neither PNG nor JPEG");
}

}  // namespace rd::image_io
