#pragma once
// Keys for the signing key and key ring tests: the RFC 7515 examples, and fresh keys exported
// as private JWKs by OpenSSL directly (independent of SigningKey's own export).
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "crypto/base64url.hpp"
#include "crypto/signing_key.hpp"

namespace latchkey::crypto::test {

// RFC 7515 A.3.1 (ES256), with a kid and alg added: from_private_jwk needs both.
inline nlohmann::json rfc7515_ec_jwk() {
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
          {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
          {"d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"},
          {"kid", "rfc7515-a3"},
          {"alg", "ES256"}};
}

// RFC 7515 A.2.1 (RS256), with a kid and alg added.
inline nlohmann::json rfc7515_rsa_jwk() {
  return {
      {"kty", "RSA"},
      {"n",
       "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0"
       "Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS"
       "5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJ"
       "H7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
      {"e", "AQAB"},
      {"d",
       "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2"
       "NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0"
       "M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_"
       "x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"},
      {"p",
       "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_P"
       "y5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"},
      {"q",
       "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7Tje"
       "LQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"},
      {"dp",
       "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKn"
       "u1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"},
      {"dq",
       "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0"
       "ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"},
      {"qi",
       "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5c"
       "Y7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"},
      {"kid", "rfc7515-a2"},
      {"alg", "RS256"}};
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

inline std::string bn_param(const EVP_PKEY* pkey, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error(name);
  std::string out(pad_to ? pad_to : BN_num_bytes(bn), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  pad_to ? BN_bn2binpad(bn, o, pad_to) : BN_bn2bin(bn, o);
  BN_clear_free(bn);
  return base64url_encode(out);
}

// A fresh RSA key of `bits` as a private JWK.
inline nlohmann::json generated_rsa_jwk(size_t bits, const std::string& kid) {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
  if (!k) throw std::runtime_error("RSA keygen");
  return {{"kty", "RSA"},
          {"n", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_N)},
          {"e", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_E)},
          {"d", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_D)},
          {"p", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_FACTOR1)},
          {"q", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_FACTOR2)},
          {"dp", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1)},
          {"dq", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2)},
          {"qi", bn_param(k.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1)},
          {"kid", kid},
          {"alg", "RS256"}};
}

// A fresh EC key on `curve` ("P-256", "P-384") as a private JWK claiming ES256.
inline nlohmann::json generated_ec_jwk(const char* curve, int coordinate_bytes,
                                       const std::string& kid) {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  if (!k) throw std::runtime_error("EC keygen");
  return {{"kty", "EC"},
          {"crv", curve},
          {"x", bn_param(k.get(), OSSL_PKEY_PARAM_EC_PUB_X, coordinate_bytes)},
          {"y", bn_param(k.get(), OSSL_PKEY_PARAM_EC_PUB_Y, coordinate_bytes)},
          {"d", bn_param(k.get(), OSSL_PKEY_PARAM_PRIV_KEY, coordinate_bytes)},
          {"kid", kid},
          {"alg", "ES256"}};
}

// The public half of an asymmetric key as SubjectPublicKeyInfo DER and PEM: what an attacker
// who knows the JWKS could feed to a verifier as an HMAC secret.
struct PublicForms {
  std::string der, pem;
};
inline PublicForms public_forms(const SigningKey& key) {
  const std::string material = key.private_material();
  const auto* p = reinterpret_cast<const unsigned char*>(material.data());
  PKCS8_PRIV_KEY_INFO* p8 =
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(material.size()));
  Pkey pkey(p8 ? EVP_PKCS82PKEY(p8) : nullptr);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (!pkey) throw std::runtime_error("PKCS#8");
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_PUBKEY");
  PublicForms out;
  out.der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  // PEM by hand (64-column base64): no BIO needed.
  const std::string b64 = [&] {
    std::string s = base64url_encode(out.der);
    for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (s.size() % 4) s += '=';
    return s;
  }();
  out.pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out.pem += b64.substr(i, 64) + "\n";
  out.pem += "-----END PUBLIC KEY-----\n";
  return out;
}

}  // namespace latchkey::crypto::test
