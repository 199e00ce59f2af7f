// The QR code is not decoded here; instead the SVG's path is read back into a module grid and
// held to what every QR code must look like (size per version, finder and timing patterns,
// quiet zone), and to the capacities of error correction level M.
#include "mfa/qr_svg.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>
#include <vector>

namespace latchkey::mfa {
namespace {

struct Grid {
  int side = 0;                   // modules, quiet zone included
  std::vector<std::string> rows;  // '#' dark, '.' light
  bool dark(int x, int y) const {
    return rows[static_cast<size_t>(y)][static_cast<size_t>(x)] == '#';
  }
};

bool read_int(std::string_view& s, int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc()) return false;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  return true;
}

bool take(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string_view between(std::string_view s, std::string_view open, std::string_view close) {
  const size_t a = s.find(open);
  if (a == std::string_view::npos) return {};
  const size_t b = s.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return s.substr(a + open.size(), b - a - open.size());
}

// Reads the viewBox and the "M x y h n v1 h-n z" runs the renderer writes; fails on anything else.
Grid read_grid(std::string_view svg) {
  Grid g;
  std::string_view box = between(svg, "viewBox=\"0 0 ", "\"");
  int h = 0;
  if (!read_int(box, g.side) || !take(box, " ") || !read_int(box, h) || h != g.side) {
    ADD_FAILURE() << "viewBox";
    return {};
  }
  g.rows.assign(static_cast<size_t>(g.side), std::string(static_cast<size_t>(g.side), '.'));
  std::string_view d = between(svg, "<path fill=\"black\" d=\"", "\"");
  while (!d.empty()) {
    int x = 0, y = 0, n = 0, back = 0;
    if (!take(d, "M") || !read_int(d, x) || !take(d, " ") || !read_int(d, y) || !take(d, "h") ||
        !read_int(d, n) || !take(d, "v1h-") || !read_int(d, back) || !take(d, "z") || n != back ||
        n <= 0 || x < 0 || y < 0 || x + n > g.side || y >= g.side) {
      ADD_FAILURE() << "path at: " << d.substr(0, 40);
      return {};
    }
    for (int i = x; i < x + n; ++i) {
      EXPECT_FALSE(g.dark(i, y)) << "runs overlap at " << i << "," << y;
      g.rows[static_cast<size_t>(y)][static_cast<size_t>(i)] = '#';
    }
  }
  return g;
}

int version_of(const Grid& g) { return (g.side - 8 - 17) / 4; }

// The 7x7 finder pattern with its light separator, top-left corner at module (x, y).
void expect_finder(const Grid& g, int x, int y) {
  for (int dy = -1; dy <= 7; ++dy) {
    for (int dx = -1; dx <= 7; ++dx) {
      const int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));  // 0..4 from the centre
      const bool want = ring <= 1 || ring == 3;
      EXPECT_EQ(g.dark(x + dx, y + dy), want)
          << "finder at " << x << "," << y << " +" << dx << "," << dy;
    }
  }
}

Grid render(std::string_view text) {
  const auto svg = qr_svg(text);
  if (!svg) {
    ADD_FAILURE() << "no SVG for " << text.size() << " bytes";
    return {};
  }
  return read_grid(*svg);
}

const std::string kUri =
    "otpauth://totp/localhost:3000:ada@example.com?algorithm=SHA1&digits=6"
    "&issuer=localhost:3000&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TEST(QrSvg, IsOneStandaloneSvgElementSafeInADataUrl) {
  const auto svg = qr_svg(kUri);
  ASSERT_TRUE(svg.has_value());
  EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
  EXPECT_TRUE(svg->ends_with("</svg>"));
  EXPECT_NE(svg->find("shape-rendering=\"crispEdges\""), std::string::npos);
  EXPECT_NE(svg->find("fill=\"white\""), std::string::npos) << "a background for dark themes";
  // supabase-js prepends "data:image/svg+xml;utf-8," to the raw markup: '#' would end the URL
  // and '%' start an escape.
  EXPECT_EQ(svg->find('#'), std::string::npos);
  EXPECT_EQ(svg->find('%'), std::string::npos);
  EXPECT_EQ(svg->find('\n'), std::string::npos);
  EXPECT_EQ(svg->find("<svg", 1), std::string::npos);
  // Balanced: <svg>, a self-closed <rect/> and <path/>, </svg>.
  EXPECT_EQ(std::count(svg->begin(), svg->end(), '<'), 4);
  EXPECT_EQ(std::count(svg->begin(), svg->end(), '>'), 4);
  EXPECT_EQ(std::count(svg->begin(), svg->end(), '"') % 2, 0);
}

TEST(QrSvg, DrawsAQrCodeOfTheVersionsSizeInsideAQuietZone) {
  const Grid g = render(kUri);
  ASSERT_GT(g.side, 0);
  const int width = g.side - 8;
  ASSERT_EQ((width - 17) % 4, 0) << "QR codes are 17 + 4 * version modules wide";
  const int v = version_of(g);
  ASSERT_GE(v, 1);
  ASSERT_LE(v, 40);
  for (int i = 0; i < g.side; ++i) {
    for (int q = 0; q < 4; ++q) {
      EXPECT_FALSE(g.dark(i, q) || g.dark(i, g.side - 1 - q) || g.dark(q, i) ||
                   g.dark(g.side - 1 - q, i))
          << "quiet zone at " << i << "," << q;
    }
  }
  expect_finder(g, 4, 4);
  expect_finder(g, 4 + width - 7, 4);
  expect_finder(g, 4, 4 + width - 7);
  // Timing patterns: row and column 6 alternate between the finders, dark first.
  for (int i = 8; i < width - 8; ++i) {
    EXPECT_EQ(g.dark(4 + i, 4 + 6), i % 2 == 0) << "row timing " << i;
    EXPECT_EQ(g.dark(4 + 6, 4 + i), i % 2 == 0) << "column timing " << i;
  }
  // The dark module beside the bottom-left finder (ISO/IEC 18004 7.9.1).
  EXPECT_TRUE(g.dark(4 + 8, 4 + 4 * v + 9));
}

TEST(QrSvg, PicksTheSmallestVersionThatHoldsTheTextAtLevelM) {
  // Byte-mode capacities at level M: version 1 holds 14 bytes, 2 holds 26, 10 holds 213, 40
  // holds 2331 (level L would fit 17 in version 1, level H only 7).
  struct Case {
    size_t bytes;
    int version;
  };
  for (const Case c : {Case{1, 1}, Case{14, 1}, Case{15, 2}, Case{26, 2}, Case{27, 3},
                       Case{213, 10}, Case{214, 11}, Case{2331, 40}}) {
    const Grid g = render(std::string(c.bytes, 'x'));
    EXPECT_EQ(version_of(g), c.version) << c.bytes << " bytes";
  }
}

TEST(QrSvg, EncodesEveryByteIncludingNul) {
  // Cut at the NUL, this would fit version 1.
  const std::string with_nul = std::string("ab\0", 3) + std::string(12, 'c');
  EXPECT_EQ(version_of(render(with_nul)), 2);
  EXPECT_NE(qr_svg(std::string("a\0b", 3)), qr_svg(std::string("a\0c", 3)));
}

TEST(QrSvg, IsDeterministicAndDependsOnTheText) {
  EXPECT_EQ(qr_svg(kUri), qr_svg(kUri));
  EXPECT_NE(qr_svg(kUri), qr_svg(kUri + "x"));
}

TEST(QrSvg, RefusesEmptyTextAndMoreThanAQrCodeHolds) {
  EXPECT_EQ(qr_svg(""), std::nullopt);
  EXPECT_EQ(qr_svg(std::string(2332, 'x')), std::nullopt);
  EXPECT_EQ(qr_svg(std::string(100000, 'x')), std::nullopt);
}

}  // namespace
}  // namespace latchkey::mfa
