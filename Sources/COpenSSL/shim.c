// Nothing to wrap: the libcrypto functions Swift needs are plain C functions.
#include "COpenSSL.h"
