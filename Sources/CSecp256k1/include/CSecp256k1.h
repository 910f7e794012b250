#ifndef C_SECP256K1_H
#define C_SECP256K1_H
// libsecp256k1 (Debian: libsecp256k1-dev 0.2.0) with the extrakeys and schnorrsig modules.
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#endif
