#ifndef SECUREDROP_CARGON2_SHIM_H
#define SECUREDROP_CARGON2_SHIM_H
/* libargon2 (Debian's libargon2-dev): Argon2id password hashing. */
#include <argon2.h>
#endif
