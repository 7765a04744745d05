package io.github.sglangpreflight.gpu.nvml;

import java.util.List;
import java.util.Objects;

/**
 * The NVML calls the inventory needs, in Java types: one method per bound NVML function. This is
 * the seam the Mockito tests mock; {@link BoundNvmlApi} implements it with the jextract-shaped
 * bindings. Return codes are ints ({@link NvmlReturn} names them); no {@code MemorySegment} crosses
 * this interface.
 *
 * <p>Every method answers {@link NvmlReturn#ERROR_FUNCTION_NOT_FOUND} when the loaded library does
 * not export the function; {@link #hasFunction(String)} tells beforehand.
 */
interface NvmlApi {

  /** {@code NVML_INIT_FLAG_NO_GPUS}: initialising succeeds on a host with no GPU. */
  int INIT_FLAG_NO_GPUS = 1;

  /** {@code NVML_DEVICE_MIG_ENABLE}. */
  int MIG_ENABLE = 1;

  /** {@code NVML_NVLINK_MAX_LINKS} of nvml.h (CUDA 13.0): links 0 to 17 may exist. */
  int NVLINK_MAX_LINKS = 18;

  /** {@code NVML_FEATURE_ENABLED}: an active NVLink link. */
  int FEATURE_ENABLED = 1;

  /** {@code NVML_P2P_CAPS_INDEX_NVLINK}: the peer-to-peer capability "over NVLink". */
  int P2P_CAPS_INDEX_NVLINK = 2;

  /** {@code NVML_P2P_STATUS_OK}: the capability holds between the two GPUs. */
  int P2P_STATUS_OK = 0;

  /** The library file the calls go to, as loaded (for messages). */
  String libraryPath();

  /** True when the loaded library exports {@code function}, e.g. an old driver lacks the _v2. */
  boolean hasFunction(String function);

  /** {@code nvmlInitWithFlags(flags)}. */
  int initWithFlags(int flags);

  /** {@code nvmlInit_v2()}. */
  int init();

  /** {@code nvmlShutdown()}. */
  int shutdown();

  /** {@code nvmlErrorString(returnCode)}, or the built-in text when the library has none. */
  String errorString(int returnCode);

  /** {@code nvmlSystemGetDriverVersion}, e.g. {@code 580.159.04}. */
  NvmlResult<String> systemGetDriverVersion();

  /** {@code nvmlSystemGetNVMLVersion}, e.g. {@code 13.580.159.04}. */
  NvmlResult<String> systemGetNvmlVersion();

  /** {@code nvmlSystemGetCudaDriverVersion_v2}, e.g. 13000. */
  NvmlResult<Integer> systemGetCudaDriverVersion();

  /** {@code nvmlDeviceGetCount_v2}. */
  NvmlResult<Integer> deviceGetCount();

  /** {@code nvmlDeviceGetHandleByIndex_v2}. */
  NvmlResult<DeviceHandle> deviceGetHandleByIndex(int index);

  /** {@code nvmlDeviceGetHandleByUUID} ({@code GPU-...} or {@code MIG-...}). */
  NvmlResult<DeviceHandle> deviceGetHandleByUuid(String uuid);

  /** {@code nvmlDeviceGetIndex}. */
  NvmlResult<Integer> deviceGetIndex(DeviceHandle device);

  /** {@code nvmlDeviceGetName}. */
  NvmlResult<String> deviceGetName(DeviceHandle device);

  /**
   * {@code nvmlDeviceGetP2PStatus(device1, device2, capsIndex, &status)}: the {@code
   * nvmlGpuP2PStatus_t} value ({@link #P2P_STATUS_OK} or a reason it does not hold). SGLang asks it
   * with {@link #P2P_CAPS_INDEX_NVLINK} for every pair of its TP group.
   */
  NvmlResult<Integer> deviceGetP2PStatus(DeviceHandle device1, DeviceHandle device2, int capsIndex);

  /** {@code nvmlDeviceGetUUID}. */
  NvmlResult<String> deviceGetUuid(DeviceHandle device);

  /** {@code nvmlDeviceGetPciInfo_v3}. */
  NvmlResult<PciInfo> deviceGetPciInfo(DeviceHandle device);

  /** {@code nvmlDeviceGetMaxPcieLinkGeneration}: the highest generation device and host share. */
  NvmlResult<Integer> deviceGetMaxPcieLinkGeneration(DeviceHandle device);

  /** {@code nvmlDeviceGetMaxPcieLinkWidth}: the widest link (lanes) device and host share. */
  NvmlResult<Integer> deviceGetMaxPcieLinkWidth(DeviceHandle device);

  /**
   * {@code nvmlDeviceGetNvLinkState(device, link, &isActive)}: the {@code nvmlEnableState_t} of one
   * link ({@link #FEATURE_ENABLED} = active). A link the GPU lacks answers INVALID_ARGUMENT or
   * NOT_SUPPORTED; a GPU without NVLink answers NOT_SUPPORTED for every link.
   */
  NvmlResult<Integer> deviceGetNvLinkState(DeviceHandle device, int link);

  /** {@code nvmlDeviceGetMemoryInfo} (v1: used includes the driver's reservation). */
  NvmlResult<MemoryV1> deviceGetMemoryInfo(DeviceHandle device);

  /** {@code nvmlDeviceGetMemoryInfo_v2}, with the struct version word set from the layout. */
  NvmlResult<MemoryV2> deviceGetMemoryInfoV2(DeviceHandle device);

  /** {@code nvmlDeviceGetCudaComputeCapability}. */
  NvmlResult<ComputeCapabilityValue> deviceGetCudaComputeCapability(DeviceHandle device);

  /** {@code nvmlDeviceGetMigMode}. */
  NvmlResult<MigModeValue> deviceGetMigMode(DeviceHandle device);

  /** {@code nvmlDeviceGetMaxMigDeviceCount}. */
  NvmlResult<Integer> deviceGetMaxMigDeviceCount(DeviceHandle device);

  /** {@code nvmlDeviceGetMigDeviceHandleByIndex}; NOT_FOUND where no MIG device sits at index. */
  NvmlResult<DeviceHandle> deviceGetMigDeviceHandleByIndex(DeviceHandle device, int index);

  /**
   * One call of a compute-process list function with room for {@code capacity} entries (0: the size
   * probe). The entries are read from a zero-filled array.
   */
  ProcessListResult deviceGetComputeRunningProcesses(
      ProcessListCall call, DeviceHandle device, int capacity);

  /** An opaque {@code nvmlDevice_t}: the address NVML handed out. */
  record DeviceHandle(long address) {}

  /** {@code nvmlPciInfo_t} as {@code nvmlDeviceGetPciInfo_v3} fills it. */
  record PciInfo(
      String busId,
      String busIdLegacy,
      int domain,
      int bus,
      int device,
      int pciDeviceId,
      int pciSubSystemId) {
    public PciInfo {
      Objects.requireNonNull(busId, "busId");
      Objects.requireNonNull(busIdLegacy, "busIdLegacy");
    }
  }

  /** {@code nvmlMemory_t}: bytes; used includes the driver's reservation. */
  record MemoryV1(long totalBytes, long freeBytes, long usedBytes) {}

  /** {@code nvmlMemory_v2_t}: bytes, reserved split out of used. */
  record MemoryV2(long totalBytes, long reservedBytes, long freeBytes, long usedBytes) {}

  /** {@code nvmlDeviceGetCudaComputeCapability}'s two ints. */
  record ComputeCapabilityValue(int major, int minor) {}

  /** {@code nvmlDeviceGetMigMode}'s current and pending modes (1 = enabled). */
  record MigModeValue(int current, int pending) {}

  /**
   * One entry of a process list, raw.
   *
   * @param pid the host PID (an unsigned int in C)
   * @param usedGpuMemory bytes, or -1 ({@code NVML_VALUE_NOT_AVAILABLE}) where the driver cannot
   *     say
   */
  record ProcessEntry(long pid, long usedGpuMemory) {}

  /**
   * What a process-list call answered.
   *
   * @param returnCode the {@code nvmlReturn_t} value; INSUFFICIENT_SIZE for a probe that found
   *     processes
   * @param count the count NVML wrote back (the needed size after INSUFFICIENT_SIZE)
   * @param entries the entries read on success
   */
  record ProcessListResult(int returnCode, int count, List<ProcessEntry> entries) {
    public ProcessListResult {
      entries = List.copyOf(entries);
    }
  }

  /** The compute-process list functions, newest first, with the entry size each writes. */
  enum ProcessListCall {
    /** {@code nvmlDeviceGetComputeRunningProcesses_v3}, 24-byte {@code nvmlProcessInfo_t}. */
    V3("nvmlDeviceGetComputeRunningProcesses_v3"),
    /**
     * {@code nvmlDeviceGetComputeRunningProcesses_v3} of drivers 535.43 to 535.86, whose entry grew
     * to 32 bytes ({@code usedGpuCcProtectedMemory}) without a version change.
     */
    V3_R535("nvmlDeviceGetComputeRunningProcesses_v3"),
    /** {@code nvmlDeviceGetComputeRunningProcesses_v2}, 24-byte {@code nvmlProcessInfo_v2_t}. */
    V2("nvmlDeviceGetComputeRunningProcesses_v2"),
    /** {@code nvmlDeviceGetComputeRunningProcesses}, 16-byte {@code nvmlProcessInfo_v1_t}. */
    V1("nvmlDeviceGetComputeRunningProcesses");

    private final String function;

    ProcessListCall(String function) {
      this.function = function;
    }

    /** The exported C symbol. */
    String function() {
      return function;
    }
  }
}
