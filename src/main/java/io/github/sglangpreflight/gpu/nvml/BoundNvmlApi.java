package io.github.sglangpreflight.gpu.nvml;

import static io.github.sglangpreflight.nvml.bindings.nvml_h.C_INT;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.nvml.bindings.nvmlMemory_t;
import io.github.sglangpreflight.nvml.bindings.nvmlMemory_v2_t;
import io.github.sglangpreflight.nvml.bindings.nvmlPciInfo_t;
import io.github.sglangpreflight.nvml.bindings.nvmlProcessInfo_t;
import io.github.sglangpreflight.nvml.bindings.nvmlProcessInfo_v1_t;
import io.github.sglangpreflight.nvml.bindings.nvml_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NvmlApi} over the jextract-shaped bindings: the only class that imports {@code
 * io.github.sglangpreflight.nvml.bindings}.
 *
 * <p>Every call allocates in its own confined arena, closed before the method returns, so no {@code
 * MemorySegment} outlives a call. Which functions the library exports is probed once, when this
 * object is made, with {@link SymbolLookup#loaderLookup()} (the lookup the bindings use): a
 * function an old driver lacks answers {@code NVML_ERROR_FUNCTION_NOT_FOUND} here instead of
 * failing in the bindings' holder class.
 */
final class BoundNvmlApi implements NvmlApi {
  private static final Logger LOG = LoggerFactory.getLogger(BoundNvmlApi.class);

  /** Every function this class calls, probed once. */
  static final List<String> FUNCTIONS =
      List.of(
          "nvmlInit_v2",
          "nvmlInitWithFlags",
          "nvmlShutdown",
          "nvmlErrorString",
          "nvmlSystemGetDriverVersion",
          "nvmlSystemGetNVMLVersion",
          "nvmlSystemGetCudaDriverVersion_v2",
          "nvmlDeviceGetCount_v2",
          "nvmlDeviceGetHandleByIndex_v2",
          "nvmlDeviceGetHandleByUUID",
          "nvmlDeviceGetIndex",
          "nvmlDeviceGetName",
          "nvmlDeviceGetUUID",
          "nvmlDeviceGetP2PStatus",
          "nvmlDeviceGetPciInfo_v3",
          "nvmlDeviceGetMaxPcieLinkGeneration",
          "nvmlDeviceGetMaxPcieLinkWidth",
          "nvmlDeviceGetNvLinkState",
          "nvmlDeviceGetMemoryInfo",
          "nvmlDeviceGetMemoryInfo_v2",
          "nvmlDeviceGetCudaComputeCapability",
          "nvmlDeviceGetMigMode",
          "nvmlDeviceGetMaxMigDeviceCount",
          "nvmlDeviceGetMigDeviceHandleByIndex",
          "nvmlDeviceGetComputeRunningProcesses_v3",
          "nvmlDeviceGetComputeRunningProcesses_v2",
          "nvmlDeviceGetComputeRunningProcesses");

  /**
   * {@code nvmlMemory_v2}: {@code NVML_STRUCT_VERSION(Memory, 2)}, i.e. {@code
   * sizeof(nvmlMemory_v2_t) | 2 << 24}, computed from the layout (0x02000028). Not 2: driver 580
   * answers FUNCTION_NOT_FOUND to that. A method, not a constant, so that loading this class never
   * initialises the bindings (which a JVM denying native access refuses).
   */
  static int memoryV2Version() {
    return (int) (nvmlMemory_v2_t.sizeof() | (2L << 24));
  }

  private static final int FUNCTION_NOT_FOUND = NvmlReturn.ERROR_FUNCTION_NOT_FOUND.code();
  private static final int SUCCESS = NvmlReturn.SUCCESS.code();
  private static final Object LOCK = new Object();
  private static volatile BoundNvmlApi instance;

  private final String libraryPath;
  private final Set<String> present;

  private BoundNvmlApi(NvmlLibrary.Loaded library, Set<String> present) {
    this.libraryPath = library.realPath().toString();
    this.present = Set.copyOf(present);
  }

  /**
   * The JVM's one instance: loads NVML on first use.
   *
   * @throws GpuQueryException when NVML cannot be loaded (every place tried, and why)
   */
  static BoundNvmlApi instance() {
    BoundNvmlApi current = instance;
    if (current != null) {
      return current;
    }
    synchronized (LOCK) {
      if (instance == null) {
        NvmlLibrary.Loaded library = NvmlLibrary.load();
        if (nvml_h.class.getClassLoader() != BoundNvmlApi.class.getClassLoader()) {
          throw new GpuQueryException(
              "NVML not usable: the bindings (nvml_h) and the loader live in different class"
                  + " loaders, so the bindings cannot see "
                  + library.path()
                  + "; put the whole sglang-preflight jar in one class loader");
        }
        try {
          // Initialises the bindings and links one downcall now, so that a JVM denying native
          // access fails here with a sentence instead of in a holder class mid-read.
          nvml_h.nvmlInit_v2$handle();
        } catch (IllegalCallerException e) {
          throw NvmlLibrary.nativeAccessDenied(e);
        } catch (ExceptionInInitializerError e) {
          if (e.getCause() instanceof IllegalCallerException denied) {
            throw NvmlLibrary.nativeAccessDenied(denied);
          }
          throw e;
        }
        Set<String> present = new TreeSet<>();
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        for (String function : FUNCTIONS) {
          if (lookup.find(function).isPresent()) {
            present.add(function);
          }
        }
        Set<String> missing = new TreeSet<>(FUNCTIONS);
        missing.removeAll(present);
        LOG.debug("NVML library {} lacks {}", library.path(), missing);
        instance = new BoundNvmlApi(library, present);
      }
      return instance;
    }
  }

  @Override
  public String libraryPath() {
    return libraryPath;
  }

  @Override
  public boolean hasFunction(String function) {
    return present.contains(function);
  }

  @Override
  public int initWithFlags(int flags) {
    if (!hasFunction("nvmlInitWithFlags")) {
      return traced("nvmlInitWithFlags", FUNCTION_NOT_FOUND);
    }
    return traced("nvmlInitWithFlags", nvml_h.nvmlInitWithFlags(flags));
  }

  @Override
  public int init() {
    if (!hasFunction("nvmlInit_v2")) {
      return traced("nvmlInit_v2", FUNCTION_NOT_FOUND);
    }
    return traced("nvmlInit_v2", nvml_h.nvmlInit_v2());
  }

  @Override
  public int shutdown() {
    if (!hasFunction("nvmlShutdown")) {
      return traced("nvmlShutdown", FUNCTION_NOT_FOUND);
    }
    return traced("nvmlShutdown", nvml_h.nvmlShutdown());
  }

  @Override
  public String errorString(int returnCode) {
    if (hasFunction("nvmlErrorString")) {
      MemorySegment text = nvml_h.nvmlErrorString(returnCode);
      if (text.address() != 0) {
        String s = text.getString(0);
        if (!s.isBlank()) {
          return s;
        }
      }
    }
    return NvmlReturn.describe(returnCode);
  }

  @Override
  public NvmlResult<String> systemGetDriverVersion() {
    int size = nvml_h.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE();
    return string(
        "nvmlSystemGetDriverVersion", size, b -> nvml_h.nvmlSystemGetDriverVersion(b, size));
  }

  @Override
  public NvmlResult<String> systemGetNvmlVersion() {
    int size = nvml_h.NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE();
    return string("nvmlSystemGetNVMLVersion", size, b -> nvml_h.nvmlSystemGetNVMLVersion(b, size));
  }

  @Override
  public NvmlResult<Integer> systemGetCudaDriverVersion() {
    return integer("nvmlSystemGetCudaDriverVersion_v2", nvml_h::nvmlSystemGetCudaDriverVersion_v2);
  }

  @Override
  public NvmlResult<Integer> deviceGetCount() {
    return integer("nvmlDeviceGetCount_v2", nvml_h::nvmlDeviceGetCount_v2);
  }

  @Override
  public NvmlResult<DeviceHandle> deviceGetHandleByIndex(int index) {
    return handle(
        "nvmlDeviceGetHandleByIndex_v2", out -> nvml_h.nvmlDeviceGetHandleByIndex_v2(index, out));
  }

  @Override
  public NvmlResult<DeviceHandle> deviceGetHandleByUuid(String uuid) {
    String function = "nvmlDeviceGetHandleByUUID";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment text = arena.allocateFrom(uuid);
      MemorySegment out = arena.allocate(nvml_h.nvmlDevice_t);
      int rc = traced(function, nvml_h.nvmlDeviceGetHandleByUUID(text, out));
      return rc == SUCCESS
          ? NvmlResult.ok(new DeviceHandle(out.get(nvml_h.nvmlDevice_t, 0).address()))
          : NvmlResult.failed(rc);
    }
  }

  @Override
  public NvmlResult<Integer> deviceGetIndex(DeviceHandle device) {
    return integer("nvmlDeviceGetIndex", out -> nvml_h.nvmlDeviceGetIndex(segment(device), out));
  }

  @Override
  public NvmlResult<String> deviceGetName(DeviceHandle device) {
    int size = nvml_h.NVML_DEVICE_NAME_V2_BUFFER_SIZE();
    return string(
        "nvmlDeviceGetName", size, b -> nvml_h.nvmlDeviceGetName(segment(device), b, size));
  }

  @Override
  public NvmlResult<String> deviceGetUuid(DeviceHandle device) {
    int size = nvml_h.NVML_DEVICE_UUID_V2_BUFFER_SIZE();
    return string(
        "nvmlDeviceGetUUID", size, b -> nvml_h.nvmlDeviceGetUUID(segment(device), b, size));
  }

  @Override
  public NvmlResult<Integer> deviceGetP2PStatus(
      DeviceHandle device1, DeviceHandle device2, int capsIndex) {
    return integer(
        "nvmlDeviceGetP2PStatus",
        out -> nvml_h.nvmlDeviceGetP2PStatus(segment(device1), segment(device2), capsIndex, out));
  }

  @Override
  public NvmlResult<Integer> deviceGetMaxPcieLinkGeneration(DeviceHandle device) {
    return integer(
        "nvmlDeviceGetMaxPcieLinkGeneration",
        out -> nvml_h.nvmlDeviceGetMaxPcieLinkGeneration(segment(device), out));
  }

  @Override
  public NvmlResult<Integer> deviceGetMaxPcieLinkWidth(DeviceHandle device) {
    return integer(
        "nvmlDeviceGetMaxPcieLinkWidth",
        out -> nvml_h.nvmlDeviceGetMaxPcieLinkWidth(segment(device), out));
  }

  @Override
  public NvmlResult<Integer> deviceGetNvLinkState(DeviceHandle device, int link) {
    return integer(
        "nvmlDeviceGetNvLinkState",
        out -> nvml_h.nvmlDeviceGetNvLinkState(segment(device), link, out));
  }

  @Override
  public NvmlResult<PciInfo> deviceGetPciInfo(DeviceHandle device) {
    String function = "nvmlDeviceGetPciInfo_v3";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pci = nvmlPciInfo_t.allocate(arena);
      int rc = traced(function, nvml_h.nvmlDeviceGetPciInfo_v3(segment(device), pci));
      if (rc != SUCCESS) {
        return NvmlResult.failed(rc);
      }
      return NvmlResult.ok(
          new PciInfo(
              nvmlPciInfo_t.busId(pci).getString(0),
              nvmlPciInfo_t.busIdLegacy(pci).getString(0),
              nvmlPciInfo_t.domain(pci),
              nvmlPciInfo_t.bus(pci),
              nvmlPciInfo_t.device(pci),
              nvmlPciInfo_t.pciDeviceId(pci),
              nvmlPciInfo_t.pciSubSystemId(pci)));
    }
  }

  @Override
  public NvmlResult<MemoryV1> deviceGetMemoryInfo(DeviceHandle device) {
    String function = "nvmlDeviceGetMemoryInfo";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment memory = nvmlMemory_t.allocate(arena);
      int rc = traced(function, nvml_h.nvmlDeviceGetMemoryInfo(segment(device), memory));
      if (rc != SUCCESS) {
        return NvmlResult.failed(rc);
      }
      return NvmlResult.ok(
          new MemoryV1(
              nvmlMemory_t.total(memory), nvmlMemory_t.free(memory), nvmlMemory_t.used(memory)));
    }
  }

  @Override
  public NvmlResult<MemoryV2> deviceGetMemoryInfoV2(DeviceHandle device) {
    String function = "nvmlDeviceGetMemoryInfo_v2";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment memory = nvmlMemory_v2_t.allocate(arena).fill((byte) 0);
      nvmlMemory_v2_t.version(memory, memoryV2Version());
      int rc = traced(function, nvml_h.nvmlDeviceGetMemoryInfo_v2(segment(device), memory));
      if (rc != SUCCESS) {
        return NvmlResult.failed(rc);
      }
      return NvmlResult.ok(
          new MemoryV2(
              nvmlMemory_v2_t.total(memory),
              nvmlMemory_v2_t.reserved(memory),
              nvmlMemory_v2_t.free(memory),
              nvmlMemory_v2_t.used(memory)));
    }
  }

  @Override
  public NvmlResult<ComputeCapabilityValue> deviceGetCudaComputeCapability(DeviceHandle device) {
    String function = "nvmlDeviceGetCudaComputeCapability";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment major = arena.allocate(C_INT);
      MemorySegment minor = arena.allocate(C_INT);
      int rc =
          traced(
              function, nvml_h.nvmlDeviceGetCudaComputeCapability(segment(device), major, minor));
      return rc == SUCCESS
          ? NvmlResult.ok(new ComputeCapabilityValue(major.get(C_INT, 0), minor.get(C_INT, 0)))
          : NvmlResult.failed(rc);
    }
  }

  @Override
  public NvmlResult<MigModeValue> deviceGetMigMode(DeviceHandle device) {
    String function = "nvmlDeviceGetMigMode";
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment current = arena.allocate(C_INT);
      MemorySegment pending = arena.allocate(C_INT);
      int rc = traced(function, nvml_h.nvmlDeviceGetMigMode(segment(device), current, pending));
      return rc == SUCCESS
          ? NvmlResult.ok(new MigModeValue(current.get(C_INT, 0), pending.get(C_INT, 0)))
          : NvmlResult.failed(rc);
    }
  }

  @Override
  public NvmlResult<Integer> deviceGetMaxMigDeviceCount(DeviceHandle device) {
    return integer(
        "nvmlDeviceGetMaxMigDeviceCount",
        out -> nvml_h.nvmlDeviceGetMaxMigDeviceCount(segment(device), out));
  }

  @Override
  public NvmlResult<DeviceHandle> deviceGetMigDeviceHandleByIndex(DeviceHandle device, int index) {
    return handle(
        "nvmlDeviceGetMigDeviceHandleByIndex",
        out -> nvml_h.nvmlDeviceGetMigDeviceHandleByIndex(segment(device), index, out));
  }

  @Override
  public ProcessListResult deviceGetComputeRunningProcesses(
      ProcessListCall call, DeviceHandle device, int capacity) {
    String function = call.function();
    if (!hasFunction(function)) {
      traced(function, FUNCTION_NOT_FOUND);
      return new ProcessListResult(FUNCTION_NOT_FOUND, 0, List.of());
    }
    // nvmlProcessInfo_t is the 24-byte v2 struct; the R535 _v3 appended one 8-byte field.
    long stride =
        switch (call) {
          case V3, V2 -> nvmlProcessInfo_t.sizeof();
          case V3_R535 -> nvmlProcessInfo_t.sizeof() + Long.BYTES;
          case V1 -> nvmlProcessInfo_v1_t.sizeof();
        };
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(C_INT);
      count.set(C_INT, 0, capacity);
      MemorySegment infos =
          capacity == 0
              ? MemorySegment.NULL
              : arena.allocate(stride * capacity, Long.BYTES).fill((byte) 0);
      MemorySegment handle = segment(device);
      int rc =
          traced(
              function,
              switch (call) {
                case V3, V3_R535 ->
                    nvml_h.nvmlDeviceGetComputeRunningProcesses_v3(handle, count, infos);
                case V2 -> nvml_h.nvmlDeviceGetComputeRunningProcesses_v2(handle, count, infos);
                case V1 -> nvml_h.nvmlDeviceGetComputeRunningProcesses(handle, count, infos);
              });
      int written = count.get(C_INT, 0);
      if (rc != SUCCESS) {
        return new ProcessListResult(rc, written, List.of());
      }
      int n = (int) Math.min(Integer.toUnsignedLong(written), capacity);
      List<ProcessEntry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        MemorySegment entry = infos.asSlice(i * stride, nvmlProcessInfo_v1_t.sizeof());
        // pid@0 and usedGpuMemory@8 in every version (v1, v2 and the R535 entry)
        entries.add(
            new ProcessEntry(
                Integer.toUnsignedLong(nvmlProcessInfo_v1_t.pid(entry)),
                nvmlProcessInfo_v1_t.usedGpuMemory(entry)));
      }
      return new ProcessListResult(rc, written, entries);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static MemorySegment segment(DeviceHandle device) {
    return MemorySegment.ofAddress(device.address());
  }

  private <T> NvmlResult<T> failed(String function, int rc) {
    return NvmlResult.failed(traced(function, rc));
  }

  private NvmlResult<String> string(String function, int size, ToIntFunction<MemorySegment> call) {
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(size).fill((byte) 0);
      int rc = traced(function, call.applyAsInt(buffer));
      return rc == SUCCESS ? NvmlResult.ok(buffer.getString(0)) : NvmlResult.failed(rc);
    }
  }

  private NvmlResult<Integer> integer(String function, ToIntFunction<MemorySegment> call) {
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(C_INT);
      int rc = traced(function, call.applyAsInt(out));
      return rc == SUCCESS ? NvmlResult.ok(out.get(C_INT, 0)) : NvmlResult.failed(rc);
    }
  }

  private NvmlResult<DeviceHandle> handle(String function, ToIntFunction<MemorySegment> call) {
    if (!hasFunction(function)) {
      return failed(function, FUNCTION_NOT_FOUND);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(nvml_h.nvmlDevice_t);
      int rc = traced(function, call.applyAsInt(out));
      return rc == SUCCESS
          ? NvmlResult.ok(new DeviceHandle(out.get(nvml_h.nvmlDevice_t, 0).address()))
          : NvmlResult.failed(rc);
    }
  }

  private static int traced(String function, int rc) {
    if (LOG.isTraceEnabled()) {
      LOG.trace("{} -> {} ({})", function, NvmlReturn.cNameOf(rc), rc);
    }
    return rc;
  }
}
