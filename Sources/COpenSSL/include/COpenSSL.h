#ifndef C_OPENSSL_H
#define C_OPENSSL_H
// OpenSSL's libcrypto (Debian: libssl-dev): RAND_bytes, SHA-256 and OPENSSL_cleanse.
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#endif
