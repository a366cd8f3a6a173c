#ifndef BIGSHOP_CSQLITE_SHIM_H
#define BIGSHOP_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
