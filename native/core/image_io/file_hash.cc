#include "image_io/file_hash.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "util/error.h"

namespace rd::image_io {

FileHash hash_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(code::kIo, "cannot open '" + path + "' to hash it");
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw Error(code::kInternal, "OpenSSL SHA-256 unavailable");
  FileHash out;
  std::vector<unsigned char> buf(1 << 16);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) {
    EVP_DigestUpdate(ctx.get(), buf.data(), n);
    out.bytes += n;
  }
  if (std::ferror(f.get())) throw Error(code::kIo, "cannot read '" + path + "'");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static const char* hex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) out.sha256 += {hex[md[i] >> 4], hex[md[i] & 15]};
  return out;
}

}  // namespace rd::image_io
