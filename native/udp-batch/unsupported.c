/* recvmmsg/sendmmsg are Linux system calls: elsewhere the module loads but offers nothing, and
 * zonexfer answers UDP through node:dgram (src/server/udp-batch.ts checks `supported`). */
#include <node_api.h>

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_get_boolean(env, 0, &f);
  napi_set_named_property(env, exports, "supported", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
