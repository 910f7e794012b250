// Nothing to wrap: every libsecp256k1 call Swift needs is a plain C function.
#include "CSecp256k1.h"
