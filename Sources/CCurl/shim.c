// The wrappers are static inline in CCurl.h; this file gives the target a translation unit.
#include "CCurl.h"
