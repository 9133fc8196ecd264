// zlib is used only for its CRC-32 (ZIP entries need it), which uses the fastest
// implementation the platform's zlib has.
#include <zlib.h>
