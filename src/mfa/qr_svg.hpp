#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace latchkey::mfa {

// `text` as a QR code (byte mode, error correction M, the smallest version that holds it) in
// a standalone SVG: one module per user unit, a 4-module quiet zone, a white background and
// one black path, 4 px per module by default. One line, without '#' or '%', so it also works
// behind supabase-js's "data:image/svg+xml;utf-8," prefix. nullopt for empty text or more
// than a QR code holds (2331 bytes at level M).
std::optional<std::string> qr_svg(std::string_view text);

}  // namespace latchkey::mfa
