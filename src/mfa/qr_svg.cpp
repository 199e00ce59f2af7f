#include "mfa/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

namespace latchkey::mfa {
namespace {

constexpr int kQuietZone = 4;  // modules; ISO/IEC 18004 requires 4
constexpr int kPixelsPerModule = 4;

struct QrFree {
  void operator()(QRcode* qr) const { QRcode_free(qr); }
};

}  // namespace

std::optional<std::string> qr_svg(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Byte mode over exactly these bytes (the string functions stop at a NUL).
  std::unique_ptr<QRcode, QrFree> qr(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M));
  if (!qr) return std::nullopt;  // ERANGE: too long; ENOMEM
  const int width = qr->width;
  const int side = width + 2 * kQuietZone;
  const std::string n = std::to_string(side);
  const std::string px = std::to_string(side * kPixelsPerModule);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
                    "\" width=\"" + px + "\" height=\"" + px +
                    "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
                    "\" fill=\"white\"/><path fill=\"black\" d=\"";
  // One rectangle per horizontal run of dark modules (bit 0 of each byte is "dark").
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = qr->data + static_cast<size_t>(y) * static_cast<size_t>(width);
    for (int x = 0; x < width;) {
      if (!(row[x] & 1)) {
        ++x;
        continue;
      }
      int end = x;
      while (end < width && (row[end] & 1)) ++end;
      const std::string run = std::to_string(end - x);
      svg += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
             run + "v1h-" + run + "z";
      x = end;
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace latchkey::mfa
