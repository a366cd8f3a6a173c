#ifndef BIGRPC_CPROTOBUFC_SHIM_H
#define BIGRPC_CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

/// The empty string protobuf-c uses as the default of proto3 string fields.
/// Such a pointer must never be freed; it is exposed so Swift can recognise it.
static inline const char *bigrpc_protobuf_c_empty_string(void) {
    return protobuf_c_empty_string;
}

#endif
