/*
 * A stand-in for NVIDIA's libnvidia-ml.so.1 that the FFM tests load instead of the driver's.
 *
 * It exports every function nvml-bindings binds, with the real C ABI (nvml.h from CUDA 13.0:
 * struct sizes and offsets as in docs/nvml-ffm.md section 1.2), and answers
 * from a table the test fills through the extra exported stub_* functions (called from Java
 * through java.lang.foreign). It also counts calls so that tests can check the init/shutdown
 * pairing and which versioned entry point was used.
 *
 * Behaviour copied from the real driver (580.159.04) where the tests depend on it:
 * - init is reference-counted; every other call after the last shutdown answers
 *   NVML_ERROR_UNINITIALIZED (1), and so does a surplus shutdown;
 * - nvmlDeviceGetMemoryInfo_v2 checks the struct version word (sizeof | 2 << 24) and answers
 *   NVML_ERROR_FUNCTION_NOT_FOUND (13) for a wrong one, leaving the struct untouched;
 * - the process lists follow the size-probe protocol (count 0 -> SUCCESS or INSUFFICIENT_SIZE with
 *   the needed count) and never write padding bytes;
 * - string getters answer NVML_ERROR_INSUFFICIENT_SIZE (7) when the buffer is too short;
 * - nvmlDeviceGetNvLinkState answers NOT_SUPPORTED (3) for every link of a GPU without NVLink and
 *   INVALID_ARGUMENT (2) for a link number the GPU lacks; nvmlDeviceGetP2PStatus with the NVLink
 *   index answers SUCCESS and NVML_P2P_STATUS_OK when both GPUs have an active link (an NVSwitch
 *   board) unless stub_set_p2p says otherwise, else SUCCESS and NVML_P2P_STATUS_NOT_SUPPORTED (5);
 *   the PCIe getters answer NOT_SUPPORTED until stub_set_pcie gives numbers.
 *
 * Built twice by build-stub.sh: "current" (like driver 580) and, with -DSTUB_LEGACY_DRIVER,
 * "legacy": no nvmlDeviceGetMemoryInfo_v2 and no _v2/_v3 process lists (like an old driver).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct stub_device *nvmlDevice_t;

enum {
  NVML_NVLINK_MAX_LINKS = 18,
  NVML_FEATURE_DISABLED = 0,
  NVML_FEATURE_ENABLED = 1,
  NVML_P2P_CAPS_INDEX_NVLINK = 2,
  NVML_P2P_CAPS_INDEX_UNKNOWN = 5,
  NVML_P2P_STATUS_OK = 0,
  NVML_P2P_STATUS_NOT_SUPPORTED = 5
};

typedef int nvmlEnableState_t;
typedef int nvmlGpuP2PStatus_t;
typedef int nvmlGpuP2PCapsIndex_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_FUNCTION_NOT_FOUND = 13,
  NVML_ERROR_UNKNOWN = 999
};

typedef struct {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;

typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef struct {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_v2_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
} nvmlProcessInfo_v1_t;

typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlProcessInfo_v2_t;

/* The 32-byte entry that nvmlDeviceGetComputeRunningProcesses_v3 wrote in drivers 535.43-535.86. */
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
  unsigned long long usedGpuCcProtectedMemory;
} stub_process_info_r535_t;

_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t is 68 bytes");
_Static_assert(sizeof(nvmlMemory_t) == 24, "nvmlMemory_t is 24 bytes");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t is 40 bytes");
_Static_assert(sizeof(nvmlProcessInfo_v1_t) == 16, "nvmlProcessInfo_v1_t is 16 bytes");
_Static_assert(sizeof(nvmlProcessInfo_v2_t) == 24, "nvmlProcessInfo_v2_t is 24 bytes");
_Static_assert(sizeof(stub_process_info_r535_t) == 32, "the R535 entry is 32 bytes");

#define STUB_EXPORT __attribute__((visibility("default")))
#define STUB_MAX_DEVICES 16
#define STUB_MAX_MIG 8
#define STUB_MAX_PROCESSES 256
#define STUB_MAX_RC 64
#define STUB_MAX_COUNTED 64
#define MEMORY_V2_VERSION ((unsigned int)(sizeof(nvmlMemory_v2_t) | (2u << 24)))

struct stub_process {
  unsigned int pid;
  unsigned long long used;
};

struct stub_device {
  int index;  /* NVML index of the GPU, or of the parent GPU for a MIG device */
  int mig;    /* -1 for a GPU, else the MIG slot */
  char name[96];
  char uuid[96];
  unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
  unsigned long long total, reserved, free, used; /* v2 numbers; v1 used = used + reserved */
  int cc_major, cc_minor;
  unsigned int mig_current, mig_pending;
  int mig_supported;
  unsigned int process_count;
  struct stub_process processes[STUB_MAX_PROCESSES];
  unsigned int process_race_extra; /* processes that appear after the next INSUFFICIENT_SIZE */
  unsigned int nvlink_links;       /* NVLink links the GPU has (0: no NVLink) */
  unsigned int nvlink_active;      /* bit l set: link l is active */
  unsigned int pcie_gen, pcie_width; /* 0: NOT_SUPPORTED */
};

struct stub_rc {
  char function[64];
  int device; /* -1: every device (and the system calls) */
  int rc;
};

struct stub_counter {
  char function[64];
  atomic_int calls;
};

static struct stub_device devices[STUB_MAX_DEVICES];
static struct stub_device mig_devices[STUB_MAX_DEVICES][STUB_MAX_MIG];
static int mig_present[STUB_MAX_DEVICES][STUB_MAX_MIG];
static unsigned int device_count;
static int p2p_nvlink[STUB_MAX_DEVICES][STUB_MAX_DEVICES]; /* -1: the NVSwitch rule */
static char driver_version[80];
static char nvml_version[80];
static int cuda_driver_version;
static unsigned int v3_stride;
static struct stub_rc rcs[STUB_MAX_RC];
static int rc_count;
static struct stub_counter counters[STUB_MAX_COUNTED];
static atomic_int counter_count;
static atomic_int init_calls;
static atomic_int shutdown_calls;
static atomic_int refcount;
static atomic_uint last_memory_version;
static atomic_uint last_init_flags;

/* ------------------------------------------------------------------ bookkeeping */

static void count_call(const char *function) {
  int n = atomic_load(&counter_count);
  for (int i = 0; i < n; i++) {
    if (strcmp(counters[i].function, function) == 0) {
      atomic_fetch_add(&counters[i].calls, 1);
      return;
    }
  }
  /* First call of this function: the tests configure and call from one thread at a time per
     function name before any concurrent use, so a plain append is enough here. */
  if (n < STUB_MAX_COUNTED) {
    snprintf(counters[n].function, sizeof counters[n].function, "%s", function);
    atomic_store(&counters[n].calls, 1);
    atomic_store(&counter_count, n + 1);
  }
}

static int override_rc(const char *function, int device) {
  for (int i = 0; i < rc_count; i++) {
    if (strcmp(rcs[i].function, function) == 0 && (rcs[i].device == -1 || rcs[i].device == device)) {
      return rcs[i].rc;
    }
  }
  return NVML_SUCCESS;
}

/* Common prologue: count, require init, apply an override for (function, device). */
static int enter(const char *function, int device) {
  count_call(function);
  if (atomic_load(&refcount) <= 0) {
    return NVML_ERROR_UNINITIALIZED;
  }
  return override_rc(function, device);
}

static int device_of(nvmlDevice_t handle, struct stub_device **out) {
  if (handle == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  for (unsigned int i = 0; i < device_count; i++) {
    if (handle == &devices[i]) {
      *out = handle;
      return NVML_SUCCESS;
    }
    for (int m = 0; m < STUB_MAX_MIG; m++) {
      if (handle == &mig_devices[i][m] && mig_present[i][m]) {
        *out = handle;
        return NVML_SUCCESS;
      }
    }
  }
  return NVML_ERROR_INVALID_ARGUMENT;
}

static int copy_string(const char *value, char *buffer, unsigned int length) {
  if (buffer == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (strlen(value) + 1 > length) {
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  memcpy(buffer, value, strlen(value) + 1);
  return NVML_SUCCESS;
}

#define ENTER_DEVICE(fn, handle, dev)                  \
  struct stub_device *dev = NULL;                      \
  do {                                                 \
    count_call(fn);                                    \
    if (atomic_load(&refcount) <= 0) {                 \
      return NVML_ERROR_UNINITIALIZED;                 \
    }                                                  \
    int bad_ = device_of(handle, &dev);                \
    if (bad_ != NVML_SUCCESS) {                        \
      return bad_;                                     \
    }                                                  \
    int rc_ = override_rc(fn, dev->index);             \
    if (rc_ != NVML_SUCCESS) {                         \
      return rc_;                                      \
    }                                                  \
  } while (0)

/* ------------------------------------------------------------------ control (called by tests) */

STUB_EXPORT void stub_reset(void) {
  memset(devices, 0, sizeof devices);
  memset(mig_devices, 0, sizeof mig_devices);
  memset(mig_present, 0, sizeof mig_present);
  memset(p2p_nvlink, 0xFF, sizeof p2p_nvlink);
  device_count = 0;
  snprintf(driver_version, sizeof driver_version, "%s", "580.159.04");
  snprintf(nvml_version, sizeof nvml_version, "%s", "13.580.159.04");
  cuda_driver_version = 13000;
  v3_stride = sizeof(nvmlProcessInfo_v2_t);
  rc_count = 0;
  int n = atomic_load(&counter_count);
  for (int i = 0; i < n; i++) {
    atomic_store(&counters[i].calls, 0);
  }
  atomic_store(&init_calls, 0);
  atomic_store(&shutdown_calls, 0);
  atomic_store(&refcount, 0);
  atomic_store(&last_memory_version, 0);
  atomic_store(&last_init_flags, 0);
}

__attribute__((constructor)) static void stub_load(void) { stub_reset(); }

STUB_EXPORT void stub_set_device_count(unsigned int count) {
  device_count = count > STUB_MAX_DEVICES ? STUB_MAX_DEVICES : count;
  for (unsigned int i = 0; i < device_count; i++) {
    devices[i].index = (int)i;
    devices[i].mig = -1;
  }
}

STUB_EXPORT void stub_set_device(int index, const char *name, const char *uuid,
                                 unsigned long long total, unsigned long long reserved,
                                 unsigned long long free, unsigned long long used) {
  struct stub_device *d = &devices[index];
  snprintf(d->name, sizeof d->name, "%s", name);
  snprintf(d->uuid, sizeof d->uuid, "%s", uuid);
  d->total = total;
  d->reserved = reserved;
  d->free = free;
  d->used = used;
}

STUB_EXPORT void stub_set_pci(int index, unsigned int domain, unsigned int bus, unsigned int device,
                              unsigned int pci_device_id, unsigned int pci_subsystem_id) {
  struct stub_device *d = &devices[index];
  d->domain = domain;
  d->bus = bus;
  d->device = device;
  d->pci_device_id = pci_device_id;
  d->pci_subsystem_id = pci_subsystem_id;
}

STUB_EXPORT void stub_set_compute_capability(int index, int major, int minor) {
  devices[index].cc_major = major;
  devices[index].cc_minor = minor;
}

/* supported 0: nvmlDeviceGetMigMode answers NOT_SUPPORTED (pre-Ampere). */
STUB_EXPORT void stub_set_mig_mode(int index, int supported, unsigned int current, unsigned int pending) {
  devices[index].mig_supported = supported;
  devices[index].mig_current = current;
  devices[index].mig_pending = pending;
}

STUB_EXPORT void stub_set_mig_device(int index, int slot, const char *name, const char *uuid,
                                     unsigned long long total, unsigned long long reserved,
                                     unsigned long long free, unsigned long long used) {
  struct stub_device *m = &mig_devices[index][slot];
  memset(m, 0, sizeof *m);
  m->index = index;
  m->mig = slot;
  snprintf(m->name, sizeof m->name, "%s", name);
  snprintf(m->uuid, sizeof m->uuid, "%s", uuid);
  m->total = total;
  m->reserved = reserved;
  m->free = free;
  m->used = used;
  mig_present[index][slot] = 1;
}

STUB_EXPORT void stub_add_process(int index, unsigned int pid, unsigned long long used) {
  struct stub_device *d = &devices[index];
  if (d->process_count < STUB_MAX_PROCESSES) {
    d->processes[d->process_count].pid = pid;
    d->processes[d->process_count].used = used;
    d->process_count++;
  }
}

/* The next INSUFFICIENT_SIZE answer for this GPU is followed by `extra` new processes, as if they
   started between the caller's size probe and its second call. */
STUB_EXPORT void stub_set_process_race(int index, unsigned int extra) {
  devices[index].process_race_extra = extra;
}

/* GPU `index` has `links` NVLink links (at most 18), bit l of `active_mask` set for an active one. */
STUB_EXPORT void stub_set_nvlink(int index, unsigned int links, unsigned int active_mask) {
  devices[index].nvlink_links = links > NVML_NVLINK_MAX_LINKS ? NVML_NVLINK_MAX_LINKS : links;
  devices[index].nvlink_active = active_mask;
}

/* The maximum PCIe generation and width of GPU `index` (0 and 0: NOT_SUPPORTED). */
STUB_EXPORT void stub_set_pcie(int index, unsigned int generation, unsigned int width) {
  devices[index].pcie_gen = generation;
  devices[index].pcie_width = width;
}

/* nvmlDeviceGetP2PStatus(a, b, NVLINK) and (b, a) answer `status` (-1: back to the NVSwitch rule). */
STUB_EXPORT void stub_set_p2p(int a, int b, int status) {
  p2p_nvlink[a][b] = status;
  p2p_nvlink[b][a] = status;
}

/* The entry size nvmlDeviceGetComputeRunningProcesses_v3 writes: 24 (today) or 32 (535.43-535.86). */
STUB_EXPORT void stub_set_v3_stride(unsigned int stride) { v3_stride = stride; }

/* From now on `function` answers rc for `device` (-1: every device and the system calls). */
STUB_EXPORT void stub_set_rc(const char *function, int device, int rc) {
  if (rc_count < STUB_MAX_RC) {
    snprintf(rcs[rc_count].function, sizeof rcs[rc_count].function, "%s", function);
    rcs[rc_count].device = device;
    rcs[rc_count].rc = rc;
    rc_count++;
  }
}

STUB_EXPORT void stub_set_driver_version(const char *version) {
  snprintf(driver_version, sizeof driver_version, "%s", version);
}

STUB_EXPORT void stub_set_nvml_version(const char *version) {
  snprintf(nvml_version, sizeof nvml_version, "%s", version);
}

STUB_EXPORT void stub_set_cuda_driver_version(int version) { cuda_driver_version = version; }

STUB_EXPORT int stub_init_calls(void) { return atomic_load(&init_calls); }
STUB_EXPORT int stub_shutdown_calls(void) { return atomic_load(&shutdown_calls); }
STUB_EXPORT int stub_refcount(void) { return atomic_load(&refcount); }
STUB_EXPORT unsigned int stub_last_memory_version(void) { return atomic_load(&last_memory_version); }
STUB_EXPORT unsigned int stub_last_init_flags(void) { return atomic_load(&last_init_flags); }

STUB_EXPORT int stub_calls(const char *function) {
  int n = atomic_load(&counter_count);
  for (int i = 0; i < n; i++) {
    if (strcmp(counters[i].function, function) == 0) {
      return atomic_load(&counters[i].calls);
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ NVML */

static nvmlReturn_t do_init(const char *function, unsigned int flags) {
  count_call(function);
  atomic_fetch_add(&init_calls, 1);
  int rc = override_rc(function, -1);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  atomic_store(&last_init_flags, flags);
  atomic_fetch_add(&refcount, 1);
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlInit_v2(void) { return do_init("nvmlInit_v2", 0); }

STUB_EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
  return do_init("nvmlInitWithFlags", flags);
}

STUB_EXPORT nvmlReturn_t nvmlShutdown(void) {
  count_call("nvmlShutdown");
  atomic_fetch_add(&shutdown_calls, 1);
  int rc = override_rc("nvmlShutdown", -1);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  int current = atomic_load(&refcount);
  while (current > 0) {
    if (atomic_compare_exchange_weak(&refcount, &current, current - 1)) {
      return NVML_SUCCESS;
    }
  }
  return NVML_ERROR_UNINITIALIZED;
}

STUB_EXPORT const char *nvmlErrorString(nvmlReturn_t result) {
  count_call("nvmlErrorString");
  switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 12: return "Library Not Found";
    case 13: return "Function Not Found";
    case 15: return "GPU is lost";
    case 18: return "Driver/library version mismatch";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

STUB_EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  int rc = enter("nvmlSystemGetDriverVersion", -1);
  return rc != NVML_SUCCESS ? rc : copy_string(driver_version, version, length);
}

STUB_EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
  int rc = enter("nvmlSystemGetNVMLVersion", -1);
  return rc != NVML_SUCCESS ? rc : copy_string(nvml_version, version, length);
}

STUB_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion) {
  int rc = enter("nvmlSystemGetCudaDriverVersion_v2", -1);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  if (cudaDriverVersion == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *cudaDriverVersion = cuda_driver_version;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  int rc = enter("nvmlDeviceGetCount_v2", -1);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  if (deviceCount == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *deviceCount = device_count;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  int rc = enter("nvmlDeviceGetHandleByIndex_v2", (int)index);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  if (device == NULL || index >= device_count) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *device = &devices[index];
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
  int rc = enter("nvmlDeviceGetHandleByUUID", -1);
  if (rc != NVML_SUCCESS) {
    return rc;
  }
  if (uuid == NULL || device == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  for (unsigned int i = 0; i < device_count; i++) {
    if (strcmp(devices[i].uuid, uuid) == 0) {
      *device = &devices[i];
      return NVML_SUCCESS;
    }
    for (int m = 0; m < STUB_MAX_MIG; m++) {
      if (mig_present[i][m] && strcmp(mig_devices[i][m].uuid, uuid) == 0) {
        *device = &mig_devices[i][m];
        return NVML_SUCCESS;
      }
    }
  }
  return NVML_ERROR_NOT_FOUND;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  ENTER_DEVICE("nvmlDeviceGetName", device, d);
  return copy_string(d->name, name, length);
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int *index) {
  ENTER_DEVICE("nvmlDeviceGetIndex", device, d);
  if (index == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *index = (unsigned int)d->index;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  ENTER_DEVICE("nvmlDeviceGetUUID", device, d);
  return copy_string(d->uuid, uuid, length);
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2,
                                                nvmlGpuP2PCapsIndex_t p2pIndex,
                                                nvmlGpuP2PStatus_t *p2pStatus) {
  ENTER_DEVICE("nvmlDeviceGetP2PStatus", device1, a);
  struct stub_device *b = NULL;
  int bad = device_of(device2, &b);
  if (bad != NVML_SUCCESS) {
    return bad;
  }
  if (p2pStatus == NULL || p2pIndex < 0 || p2pIndex >= NVML_P2P_CAPS_INDEX_UNKNOWN) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (p2pIndex != NVML_P2P_CAPS_INDEX_NVLINK) {
    *p2pStatus = NVML_P2P_STATUS_OK;
    return NVML_SUCCESS;
  }
  int set = (a->mig < 0 && b->mig < 0) ? p2p_nvlink[a->index][b->index] : -1;
  if (set >= 0) {
    *p2pStatus = set;
  } else {
    int both = a->mig < 0 && b->mig < 0 && a != b && a->nvlink_active != 0 && b->nvlink_active != 0;
    *p2pStatus = both ? NVML_P2P_STATUS_OK : NVML_P2P_STATUS_NOT_SUPPORTED;
  }
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  ENTER_DEVICE("nvmlDeviceGetPciInfo_v3", device, d);
  if (pci == NULL || d->mig >= 0) {
    return pci == NULL ? NVML_ERROR_INVALID_ARGUMENT : NVML_ERROR_NOT_SUPPORTED;
  }
  pci->domain = d->domain;
  pci->bus = d->bus;
  pci->device = d->device;
  pci->pciDeviceId = d->pci_device_id;
  pci->pciSubSystemId = d->pci_subsystem_id;
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", d->domain & 0xFFFFu,
           d->bus & 0xFFu, d->device & 0xFFu);
  snprintf(pci->busId, sizeof pci->busId, "%08X:%02X:%02X.0", d->domain, d->bus & 0xFFu,
           d->device & 0xFFu);
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int *maxLinkGen) {
  ENTER_DEVICE("nvmlDeviceGetMaxPcieLinkGeneration", device, d);
  if (maxLinkGen == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (d->mig >= 0 || d->pcie_gen == 0) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *maxLinkGen = d->pcie_gen;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int *maxLinkWidth) {
  ENTER_DEVICE("nvmlDeviceGetMaxPcieLinkWidth", device, d);
  if (maxLinkWidth == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (d->mig >= 0 || d->pcie_width == 0) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *maxLinkWidth = d->pcie_width;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link,
                                                  nvmlEnableState_t *isActive) {
  ENTER_DEVICE("nvmlDeviceGetNvLinkState", device, d);
  if (isActive == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (d->mig >= 0 || d->nvlink_links == 0) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  if (link >= d->nvlink_links) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *isActive = (d->nvlink_active >> link) & 1u ? NVML_FEATURE_ENABLED : NVML_FEATURE_DISABLED;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  ENTER_DEVICE("nvmlDeviceGetMemoryInfo", device, d);
  if (memory == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  memory->total = d->total;
  memory->free = d->free;
  memory->used = d->used + d->reserved;
  return NVML_SUCCESS;
}

#ifndef STUB_LEGACY_DRIVER
STUB_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  ENTER_DEVICE("nvmlDeviceGetMemoryInfo_v2", device, d);
  if (memory == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  atomic_store(&last_memory_version, memory->version);
  if (memory->version != MEMORY_V2_VERSION) {
    return NVML_ERROR_FUNCTION_NOT_FOUND; /* what driver 580.159.04 answers for a bad version */
  }
  memory->total = d->total;
  memory->reserved = d->reserved;
  memory->free = d->free;
  memory->used = d->used;
  return NVML_SUCCESS;
}
#endif

STUB_EXPORT nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor) {
  ENTER_DEVICE("nvmlDeviceGetCudaComputeCapability", device, d);
  if (major == NULL || minor == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  *major = d->cc_major;
  *minor = d->cc_minor;
  return NVML_SUCCESS;
}

/* Writes the process list with entries of `stride` bytes, following NVML's size-probe protocol. */
static nvmlReturn_t processes(struct stub_device *d, unsigned int *infoCount, void *infos,
                              unsigned int stride) {
  if (infoCount == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  unsigned int n = d->process_count;
  if (*infoCount < n) {
    *infoCount = n;
    if (d->process_race_extra > 0) {
      for (unsigned int i = 0; i < d->process_race_extra && d->process_count < STUB_MAX_PROCESSES; i++) {
        d->processes[d->process_count].pid = 90000 + d->process_count;
        d->processes[d->process_count].used = 1ull << 20;
        d->process_count++;
      }
      d->process_race_extra = 0;
    }
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  if (n > 0 && infos == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  for (unsigned int i = 0; i < n; i++) {
    unsigned char *entry = (unsigned char *)infos + (size_t)i * stride;
    /* field by field, like the driver: padding bytes keep what the caller put there */
    memcpy(entry + 0, &d->processes[i].pid, sizeof(unsigned int));
    memcpy(entry + 8, &d->processes[i].used, sizeof(unsigned long long));
    if (stride >= 24) {
      unsigned int none = 0xFFFFFFFFu;
      memcpy(entry + 16, &none, sizeof none);
      memcpy(entry + 20, &none, sizeof none);
    }
    if (stride >= 32) {
      unsigned long long zero = 0;
      memcpy(entry + 24, &zero, sizeof zero);
    }
  }
  *infoCount = n;
  return NVML_SUCCESS;
}

#ifndef STUB_LEGACY_DRIVER
STUB_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount,
                                                                 nvmlProcessInfo_v2_t *infos) {
  ENTER_DEVICE("nvmlDeviceGetComputeRunningProcesses_v3", device, d);
  return processes(d, infoCount, infos, v3_stride);
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount,
                                                                 nvmlProcessInfo_v2_t *infos) {
  ENTER_DEVICE("nvmlDeviceGetComputeRunningProcesses_v2", device, d);
  return processes(d, infoCount, infos, sizeof(nvmlProcessInfo_v2_t));
}
#endif

STUB_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount,
                                                              nvmlProcessInfo_v1_t *infos) {
  ENTER_DEVICE("nvmlDeviceGetComputeRunningProcesses", device, d);
  return processes(d, infoCount, infos, sizeof(nvmlProcessInfo_v1_t));
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode,
                                              unsigned int *pendingMode) {
  ENTER_DEVICE("nvmlDeviceGetMigMode", device, d);
  if (currentMode == NULL || pendingMode == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (!d->mig_supported || d->mig >= 0) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *currentMode = d->mig_current;
  *pendingMode = d->mig_pending;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
  ENTER_DEVICE("nvmlDeviceGetMaxMigDeviceCount", device, d);
  if (count == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (!d->mig_supported || d->mig >= 0) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *count = d->mig_current ? STUB_MAX_MIG : 0;
  return NVML_SUCCESS;
}

STUB_EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                             nvmlDevice_t *migDevice) {
  ENTER_DEVICE("nvmlDeviceGetMigDeviceHandleByIndex", device, d);
  if (migDevice == NULL || index >= STUB_MAX_MIG || d->mig >= 0) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (!d->mig_current || !mig_present[d->index][index]) {
    return NVML_ERROR_NOT_FOUND;
  }
  *migDevice = &mig_devices[d->index][index];
  return NVML_SUCCESS;
}
