package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.DeviceHandle;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.MemoryV1;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.MemoryV2;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.PciInfo;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessEntry;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListCall;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read of every GPU through {@link NvmlApi}: init, versions, count, each GPU, shutdown. Holds
 * the state of that one read (notes, the memory and process-list paths this driver allows), so a
 * new instance serves each {@code read()}; instances are not shared between threads.
 */
final class NvmlInventoryReader {
  private static final Logger LOG = LoggerFactory.getLogger(NvmlGpuInventorySource.class);

  /** Linux's PID_MAX_LIMIT: a larger "PID" means the entry was read with the wrong size. */
  static final long LINUX_PID_MAX = 4_194_304L;

  /** Process-list calls after the size probe before giving up on a list that keeps growing. */
  static final int PROCESS_LIST_ATTEMPTS = 3;

  private static final int MAX_PROCESS_CAPACITY = 65_536;
  private static final long NVML_VALUE_NOT_AVAILABLE = -1L;
  private static final String INIT_WITH_FLAGS = "nvmlInitWithFlags";
  private static final String INIT_V2 = "nvmlInit_v2";
  private static final String MEMORY_V1 = "nvmlDeviceGetMemoryInfo";
  private static final String MEMORY_V2 = "nvmlDeviceGetMemoryInfo_v2";
  private static final Pattern LIBRARY_VERSION =
      Pattern.compile("libnvidia-ml\\.so\\.(\\d+\\.\\d+(?:\\.\\d+)?)$");
  private static final Pattern MODULE_VERSION =
      Pattern.compile("Kernel Module(?: for \\S+)?\\s+(\\d+\\.\\d+(?:\\.\\d+)?)");

  private final NvmlApi api;
  private final Path procRoot;
  private final Set<String> notes = new LinkedHashSet<>();
  private Optional<String> driverVersion = Optional.empty();
  private boolean memoryV2Usable = true;
  private List<ProcessListCall> processCalls = List.of();

  NvmlInventoryReader(NvmlApi api, Path procRoot) {
    this.api = api;
    this.procRoot = procRoot;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Initialises NVML: {@code nvmlInitWithFlags(NVML_INIT_FLAG_NO_GPUS)}, so that a host whose
   * driver sees no GPU reads as an empty inventory instead of failing; {@code nvmlInit_v2} where
   * the driver predates nvmlInitWithFlags. Neither attaches GPUs before their handles are asked
   * for.
   *
   * @return the function used
   * @throws NvmlException naming the code and the remedy
   */
  static String initialise(NvmlApi api, Path procRoot) {
    String function = api.hasFunction(INIT_WITH_FLAGS) ? INIT_WITH_FLAGS : INIT_V2;
    int rc =
        function.equals(INIT_WITH_FLAGS)
            ? api.initWithFlags(NvmlApi.INIT_FLAG_NO_GPUS)
            : api.init();
    if (rc != NvmlReturn.SUCCESS.code()) {
      throw new NvmlException(
          function,
          "",
          OptionalInt.empty(),
          rc,
          api.errorString(rc),
          initAdvice(api, procRoot, rc));
    }
    return function;
  }

  /** Ends one successful initialisation; a surplus shutdown's UNINITIALIZED is tolerated. */
  static void shutdown(NvmlApi api) {
    int rc = api.shutdown();
    if (rc == NvmlReturn.SUCCESS.code()) {
      return;
    }
    if (NvmlReturn.ERROR_UNINITIALIZED.is(rc)) {
      LOG.debug("nvmlShutdown answered NVML_ERROR_UNINITIALIZED (1): NVML was already shut down");
    } else {
      LOG.warn("nvmlShutdown failed: {} ({}): {}", NvmlReturn.cNameOf(rc), rc, api.errorString(rc));
    }
  }

  /** Reads every GPU, pairing one init with exactly one shutdown. */
  GpuInventory read() {
    String function = initialise(api, procRoot);
    try {
      if (function.equals(INIT_V2)) {
        note(
            "NVML initialised through nvmlInit_v2: this driver has no nvmlInitWithFlags, so a host"
                + " where the driver sees no GPU fails initialisation instead of listing none");
      }
      return readInitialised();
    } finally {
      shutdown(api);
    }
  }

  private GpuInventory readInitialised() {
    driverVersion =
        systemString(api.systemGetDriverVersion(), "nvmlSystemGetDriverVersion", "driver version");
    Optional<String> nvmlVersion =
        systemString(api.systemGetNvmlVersion(), "nvmlSystemGetNVMLVersion", "NVML version");
    OptionalInt cudaDriverVersion = cudaDriverVersion();
    processCalls = chooseProcessCalls();
    NvmlResult<Integer> count = api.deviceGetCount();
    if (!count.isSuccess()) {
      throw failure("nvmlDeviceGetCount_v2", "", OptionalInt.empty(), count.returnCode());
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "NVML {} from {}: driver {}, CUDA driver {}, {} GPU(s)",
          nvmlVersion.orElse("(version unknown)"),
          api.libraryPath(),
          driverVersion.orElse("(unknown)"),
          cudaDriverVersion.isPresent() ? cudaDriverVersion.getAsInt() : "(unknown)",
          count.value());
    }
    List<ReadGpu> read = new ArrayList<>();
    List<UnreadableGpu> unreadable = new ArrayList<>();
    for (int index = 0; index < count.value(); index++) {
      try {
        read.add(readGpu(index));
      } catch (GpuUnreadable e) {
        LOG.warn("GPU {} - unreadable: {}", index, e.getMessage());
        unreadable.add(new UnreadableGpu(index, e.getMessage()));
      }
    }
    List<Gpu> gpus = withInterconnects(read);
    return new GpuInventory(
        "nvml",
        driverVersion,
        nvmlVersion,
        cudaDriverVersion,
        gpus,
        unreadable,
        List.copyOf(notes));
  }

  // ------------------------------------------------------------------ system

  private Optional<String> systemString(NvmlResult<String> result, String function, String what) {
    if (result.isSuccess()) {
      return Optional.of(result.value().strip());
    }
    NvmlException e = failure(function, "", OptionalInt.empty(), result.returnCode());
    if (isFatal(result.returnCode())) {
      throw e;
    }
    note(what + " unknown: " + e.getMessage());
    return Optional.empty();
  }

  private OptionalInt cudaDriverVersion() {
    NvmlResult<Integer> result = api.systemGetCudaDriverVersion();
    if (result.isSuccess()) {
      return OptionalInt.of(result.value());
    }
    int rc = result.returnCode();
    String advice =
        NvmlReturn.ERROR_LIBRARY_NOT_FOUND.is(rc)
            ? "libcuda.so.1 cannot be loaded here, so CUDA programs such as SGLang cannot run"
                + " either; install the driver's CUDA library or, in a container, enable the"
                + " compute capability (NVIDIA_DRIVER_CAPABILITIES=compute,utility)"
            : "";
    NvmlException e =
        new NvmlException(
            "nvmlSystemGetCudaDriverVersion_v2",
            "",
            OptionalInt.empty(),
            rc,
            api.errorString(rc),
            advice);
    if (isFatal(rc)) {
      throw e;
    }
    note("CUDA driver version unknown: " + e.getMessage());
    return OptionalInt.empty();
  }

  // ------------------------------------------------------------------ one GPU

  /** A GPU read, with what its interconnect needs once every GPU is read. */
  private record ReadGpu(
      Gpu gpu,
      DeviceHandle handle,
      NvmlInterconnect.Links links,
      OptionalInt pcieGeneration,
      OptionalInt pcieWidth) {}

  private ReadGpu readGpu(int index) {
    String target = "GPU " + index;
    DeviceHandle handle =
        require(api.deviceGetHandleByIndex(index), "nvmlDeviceGetHandleByIndex_v2", index, target);
    String name = require(api.deviceGetName(handle), "nvmlDeviceGetName", index, target);
    String uuid = require(api.deviceGetUuid(handle), "nvmlDeviceGetUUID", index, target);
    PciInfo pci = require(api.deviceGetPciInfo(handle), "nvmlDeviceGetPciInfo_v3", index, target);
    GpuMemory memory = readMemory(handle, index, target);
    Optional<ComputeCapability> computeCapability = computeCapability(handle, index, target);
    Optional<MigMode> migMode =
        optional(api.deviceGetMigMode(handle), "nvmlDeviceGetMigMode", index, target, "MIG mode")
            .map(
                m ->
                    new MigMode(
                        m.current() == NvmlApi.MIG_ENABLE, m.pending() == NvmlApi.MIG_ENABLE));
    List<MigDevice> migDevices =
        migMode.map(MigMode::currentEnabled).orElse(false)
            ? readMigDevices(handle, index, target)
            : List.of();
    List<GpuProcess> processes = readProcesses(handle, index, target, memory.totalBytes());
    NvmlInterconnect.Links links = readNvLinks(handle, index, target);
    OptionalInt pcieGeneration =
        optionalInt(
            api.deviceGetMaxPcieLinkGeneration(handle),
            "nvmlDeviceGetMaxPcieLinkGeneration",
            index,
            target,
            "PCIe link generation");
    OptionalInt pcieWidth =
        optionalInt(
            api.deviceGetMaxPcieLinkWidth(handle),
            "nvmlDeviceGetMaxPcieLinkWidth",
            index,
            target,
            "PCIe link width");
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "GPU {} ({}, {}, {}) - memory {}: total {} B, reserved {} B, free {} B, used {} B;"
              + " compute capability {}, MIG {}, {} MIG device(s), {} compute process(es)",
          index,
          name,
          uuid,
          pci.busId(),
          memory.version(),
          memory.totalBytes(),
          memory.reservedBytes().isPresent() ? memory.reservedBytes().getAsLong() : "unknown",
          memory.freeBytes(),
          memory.usedBytes(),
          computeCapability.map(ComputeCapability::toString).orElse("unknown"),
          migMode.map(MigMode::toString).orElse("not supported"),
          migDevices.size(),
          processes.size());
    }
    return new ReadGpu(
        new Gpu(
            index,
            uuid,
            pci.busId(),
            name,
            computeCapability,
            migMode,
            memory,
            processes,
            migDevices),
        handle,
        links,
        pcieGeneration,
        pcieWidth);
  }

  // ------------------------------------------------------------------ interconnect

  /**
   * The links of one GPU: {@code nvmlDeviceGetNvLinkState} for links 0 to {@code
   * NVML_NVLINK_MAX_LINKS - 1}. A link answering INVALID_ARGUMENT or NOT_SUPPORTED is one the GPU
   * lacks; a GPU where no link answers (a PCIe card, a vGPU) has its links unknown, not zero.
   */
  private NvmlInterconnect.Links readNvLinks(DeviceHandle handle, int index, String target) {
    String function = "nvmlDeviceGetNvLinkState";
    int active = 0;
    int present = 0;
    int absentCode = NvmlReturn.ERROR_NOT_SUPPORTED.code();
    for (int link = 0; link < NvmlApi.NVLINK_MAX_LINKS; link++) {
      NvmlResult<Integer> state = api.deviceGetNvLinkState(handle, link);
      if (state.isSuccess()) {
        present++;
        if (state.value() == NvmlApi.FEATURE_ENABLED) {
          active++;
        }
        continue;
      }
      int rc = state.returnCode();
      if (NvmlReturn.ERROR_INVALID_ARGUMENT.is(rc) || NvmlReturn.ERROR_NOT_SUPPORTED.is(rc)) {
        if (present == 0 && link == 0) {
          absentCode = rc;
        }
        continue; // a link this GPU does not have
      }
      if (isFatal(rc) || NvmlReturn.ERROR_GPU_IS_LOST.is(rc)) {
        throw unreadableOrFatal(function, index, target, rc);
      }
      NvmlException e = failure(function, target, OptionalInt.of(index), rc);
      note(target + " NVLink links unknown: " + e.getMessage());
      return NvmlInterconnect.Links.unread(answered(function, rc));
    }
    if (present == 0) {
      return NvmlInterconnect.Links.unread(answered(function, absentCode) + " for every link");
    }
    return NvmlInterconnect.Links.read(active, present);
  }

  /**
   * Every readable GPU with its interconnect: {@code nvmlDeviceGetP2PStatus(a, b, NVLINK)} once per
   * pair, as SGLang's {@code is_full_nvlink} asks it, then {@link NvmlInterconnect#classify}.
   */
  private List<Gpu> withInterconnects(List<ReadGpu> read) {
    int n = read.size();
    NvmlInterconnect.PeerAnswer[][] answers = new NvmlInterconnect.PeerAnswer[n][n];
    Set<Integer> notedCodes = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        ReadGpu a = read.get(i);
        ReadGpu b = read.get(j);
        int ia = a.gpu().index();
        int ib = b.gpu().index();
        NvmlResult<Integer> status =
            api.deviceGetP2PStatus(a.handle(), b.handle(), NvmlApi.P2P_CAPS_INDEX_NVLINK);
        NvmlInterconnect.Peer peer;
        Optional<String> why = Optional.empty();
        if (status.isSuccess()) {
          peer =
              status.value() == NvmlApi.P2P_STATUS_OK
                  ? NvmlInterconnect.Peer.NVLINK
                  : NvmlInterconnect.Peer.NO_NVLINK;
        } else {
          int rc = status.returnCode();
          String pair = "GPU " + ia + " and GPU " + ib;
          if (isFatal(rc)) {
            throw failure("nvmlDeviceGetP2PStatus", pair, OptionalInt.of(ia), rc);
          }
          peer = NvmlInterconnect.Peer.UNKNOWN;
          why = Optional.of(answered("nvmlDeviceGetP2PStatus", rc) + " for " + pair);
          if (!NvmlReturn.ERROR_NOT_SUPPORTED.is(rc) && notedCodes.add(rc)) {
            note(
                "interconnect unknown: "
                    + failure("nvmlDeviceGetP2PStatus", pair, OptionalInt.of(ia), rc).getMessage());
          }
        }
        answers[i][j] = new NvmlInterconnect.PeerAnswer(ib, peer, why);
        answers[j][i] = new NvmlInterconnect.PeerAnswer(ia, peer, why);
      }
    }
    List<Gpu> gpus = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ReadGpu r = read.get(i);
      List<NvmlInterconnect.PeerAnswer> peers = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (j != i) {
          peers.add(answers[i][j]);
        }
      }
      Interconnect link =
          NvmlInterconnect.classify(r.links(), peers, r.pcieGeneration(), r.pcieWidth());
      LOG.debug(
          "GPU {} - interconnect {}: {}", r.gpu().index(), link.kind().label(), link.source());
      gpus.add(r.gpu().withInterconnect(link));
    }
    return gpus;
  }

  private static String answered(String function, int rc) {
    return function + " answered " + NvmlReturn.cNameOf(rc) + " (" + rc + ")";
  }

  private Optional<ComputeCapability> computeCapability(
      DeviceHandle handle, int index, String target) {
    Optional<NvmlApi.ComputeCapabilityValue> value =
        optional(
            api.deviceGetCudaComputeCapability(handle),
            "nvmlDeviceGetCudaComputeCapability",
            index,
            target,
            "compute capability");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ComputeCapability(value.get().major(), value.get().minor()));
    } catch (IllegalArgumentException e) {
      note(
          target
              + " compute capability unknown: nvmlDeviceGetCudaComputeCapability answered "
              + value.get().major()
              + "."
              + value.get().minor());
      return Optional.empty();
    }
  }

  // ------------------------------------------------------------------ memory

  private GpuMemory readMemory(DeviceHandle handle, int index, String target) {
    if (memoryV2Usable && !api.hasFunction(MEMORY_V2)) {
      memoryV2Usable = false;
      note(
          "memory read through nvmlDeviceGetMemoryInfo (v1): "
              + driverVersion.map(v -> "driver " + v).orElse("this driver")
              + " has no nvmlDeviceGetMemoryInfo_v2, so usedBytes includes the driver's"
              + " reservation and reservedBytes is unknown (freeBytes is exact)");
    }
    if (memoryV2Usable) {
      NvmlResult<MemoryV2> v2 = api.deviceGetMemoryInfoV2(handle);
      if (v2.isSuccess()) {
        MemoryV2 m = v2.value();
        try {
          return GpuMemory.v2(m.totalBytes(), m.reservedBytes(), m.freeBytes(), m.usedBytes());
        } catch (IllegalArgumentException e) {
          throw new GpuUnreadable(
              String.format(
                  Locale.ROOT,
                  "%s answered impossible numbers for %s (total %s, reserved %s, free %s, used %s"
                      + " bytes): %s",
                  MEMORY_V2,
                  target,
                  Long.toUnsignedString(m.totalBytes()),
                  Long.toUnsignedString(m.reservedBytes()),
                  Long.toUnsignedString(m.freeBytes()),
                  Long.toUnsignedString(m.usedBytes()),
                  e.getMessage()));
        }
      }
      int rc = v2.returnCode();
      if (NvmlReturn.ERROR_FUNCTION_NOT_FOUND.is(rc)
          || NvmlReturn.ERROR_ARGUMENT_VERSION_MISMATCH.is(rc)) {
        memoryV2Usable = false;
        note(
            String.format(
                Locale.ROOT,
                "memory read through nvmlDeviceGetMemoryInfo (v1): nvmlDeviceGetMemoryInfo_v2"
                    + " answered %s (%d) for %s with struct version 0x%08X, so usedBytes includes"
                    + " the driver's reservation and reservedBytes is unknown (freeBytes is exact)",
                NvmlReturn.cNameOf(rc),
                rc,
                target,
                BoundNvmlApi.memoryV2Version()));
      } else {
        throw unreadableOrFatal(MEMORY_V2, index, target, rc);
      }
    }
    MemoryV1 m = require(api.deviceGetMemoryInfo(handle), MEMORY_V1, index, target);
    try {
      return GpuMemory.v1(m.totalBytes(), m.freeBytes(), m.usedBytes());
    } catch (IllegalArgumentException e) {
      throw new GpuUnreadable(
          String.format(
              Locale.ROOT,
              "%s answered impossible numbers for %s (total %s, free %s, used %s bytes): %s",
              MEMORY_V1,
              target,
              Long.toUnsignedString(m.totalBytes()),
              Long.toUnsignedString(m.freeBytes()),
              Long.toUnsignedString(m.usedBytes()),
              e.getMessage()));
    }
  }

  // ------------------------------------------------------------------ MIG

  private List<MigDevice> readMigDevices(DeviceHandle parent, int index, String target) {
    Optional<Integer> max =
        optional(
            api.deviceGetMaxMigDeviceCount(parent),
            "nvmlDeviceGetMaxMigDeviceCount",
            index,
            target,
            "MIG devices");
    List<MigDevice> devices = new ArrayList<>();
    for (int slot = 0; slot < max.orElse(0); slot++) {
      String migTarget = target + " MIG device " + slot;
      NvmlResult<DeviceHandle> handle = api.deviceGetMigDeviceHandleByIndex(parent, slot);
      int rc = handle.returnCode();
      if (NvmlReturn.ERROR_NOT_FOUND.is(rc) || NvmlReturn.ERROR_INVALID_ARGUMENT.is(rc)) {
        continue; // no MIG device in this slot
      }
      try {
        DeviceHandle h = require(handle, "nvmlDeviceGetMigDeviceHandleByIndex", index, migTarget);
        String name = require(api.deviceGetName(h), "nvmlDeviceGetName", index, migTarget);
        String uuid = require(api.deviceGetUuid(h), "nvmlDeviceGetUUID", index, migTarget);
        GpuMemory memory = readMemory(h, index, migTarget);
        devices.add(new MigDevice(slot, uuid, name, memory));
      } catch (GpuUnreadable e) {
        note(migTarget + " left out: " + e.getMessage());
      }
    }
    return devices;
  }

  // ------------------------------------------------------------------ processes

  private List<ProcessListCall> chooseProcessCalls() {
    List<ProcessListCall> calls = new ArrayList<>();
    boolean has3 = api.hasFunction(ProcessListCall.V3.function());
    boolean has2 = api.hasFunction(ProcessListCall.V2.function());
    boolean has1 = api.hasFunction(ProcessListCall.V1.function());
    Optional<String> r535 = driverVersion.filter(NvmlInventoryReader::writesR535ProcessEntries);
    if (r535.isPresent()) {
      String why =
          "driver "
              + r535.get()
              + " is one of 535.43 to 535.103, whose nvmlDeviceGetComputeRunningProcesses_v3 writes"
              + " 32-byte entries where its header declares 24";
      if (has2) {
        calls.add(ProcessListCall.V2);
        note("process lists read through nvmlDeviceGetComputeRunningProcesses_v2: " + why);
      } else if (has3) {
        calls.add(ProcessListCall.V3_R535);
        note(
            "process lists read through nvmlDeviceGetComputeRunningProcesses_v3 with 32-byte"
                + " entries: "
                + why
                + ", and it has no _v2");
      }
    } else {
      if (has3) {
        calls.add(ProcessListCall.V3);
      }
      if (has2) {
        calls.add(ProcessListCall.V2);
      }
    }
    if (has1) {
      calls.add(ProcessListCall.V1);
    }
    if (r535.isEmpty() && !has3 && !calls.isEmpty()) {
      note(
          "process lists read through "
              + calls.get(0).function()
              + ": "
              + driverVersion.map(v -> "driver " + v).orElse("this driver")
              + " has no nvmlDeviceGetComputeRunningProcesses_v3");
    }
    return calls;
  }

  /** Drivers 535.43 to 535.103 (535.98's header stopped pointing at _v3; 535.104 fixed it). */
  static boolean writesR535ProcessEntries(String driverVersion) {
    String[] parts = driverVersion.strip().split("\\.");
    if (parts.length < 2) {
      return false;
    }
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = Integer.parseInt(parts[1]);
      return major == 535 && minor >= 43 && minor < 104;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private List<GpuProcess> readProcesses(
      DeviceHandle handle, int index, String target, long totalBytes) {
    List<ProcessListCall> calls = new ArrayList<>(processCalls);
    for (int c = 0; c < calls.size(); c++) {
      ProcessListCall call = calls.get(c);
      ProcessListResult result = api.deviceGetComputeRunningProcesses(call, handle, 0);
      int attempts = 0;
      while (NvmlReturn.ERROR_INSUFFICIENT_SIZE.is(result.returnCode())
          && attempts < PROCESS_LIST_ATTEMPTS) {
        long capacity =
            Math.min(Integer.toUnsignedLong(result.count()) * 2 + 5, MAX_PROCESS_CAPACITY);
        result = api.deviceGetComputeRunningProcesses(call, handle, (int) capacity);
        attempts++;
      }
      int rc = result.returnCode();
      if (rc == NvmlReturn.SUCCESS.code()) {
        return processes(result.entries(), call, target, totalBytes);
      }
      if (NvmlReturn.ERROR_FUNCTION_NOT_FOUND.is(rc) && c + 1 < calls.size()) {
        processCalls = calls.subList(c + 1, calls.size());
        note(
            "process lists read through "
                + calls.get(c + 1).function()
                + ": "
                + call.function()
                + " answered NVML_ERROR_FUNCTION_NOT_FOUND (13) for "
                + target);
        continue;
      }
      if (NvmlReturn.ERROR_INSUFFICIENT_SIZE.is(rc)) {
        note(
            String.format(
                Locale.ROOT,
                "%s compute processes unknown: the list kept growing while %s read it (%d entries"
                    + " needed after %d attempts)",
                target,
                call.function(),
                Integer.toUnsignedLong(result.count()),
                PROCESS_LIST_ATTEMPTS + 1));
        return List.of();
      }
      NvmlException e = failure(call.function(), target, OptionalInt.of(index), rc);
      if (isFatal(rc) || NvmlReturn.ERROR_GPU_IS_LOST.is(rc)) {
        throw unreadableOrFatal(call.function(), index, target, rc);
      }
      note(target + " compute processes unknown: " + e.getMessage());
      return List.of();
    }
    note(
        target
            + " compute processes unknown: this driver exports no compute process list function");
    return List.of();
  }

  private List<GpuProcess> processes(
      List<ProcessEntry> entries, ProcessListCall call, String target, long totalBytes) {
    List<GpuProcess> processes = new ArrayList<>(entries.size());
    int badPid = 0;
    int badMemory = 0;
    for (ProcessEntry entry : entries) {
      if (entry.pid() <= 0 || entry.pid() > LINUX_PID_MAX) {
        badPid++;
        continue;
      }
      OptionalLong used = OptionalLong.empty();
      if (entry.usedGpuMemory() != NVML_VALUE_NOT_AVAILABLE) {
        if (entry.usedGpuMemory() >= 0 && entry.usedGpuMemory() <= totalBytes) {
          used = OptionalLong.of(entry.usedGpuMemory());
        } else {
          badMemory++;
        }
      }
      processes.add(new GpuProcess(entry.pid(), used, processName(entry.pid())));
    }
    if (badPid > 0 || badMemory > 0) {
      note(
          String.format(
              Locale.ROOT,
              "%s process list looked corrupt: %d of %d entries from %s had an impossible PID and"
                  + " were left out, %d claimed more memory than the GPU has and show none; the"
                  + " driver may write entries of another size than its header declares",
              target,
              badPid,
              entries.size(),
              call.function(),
              badMemory));
    }
    return processes;
  }

  /**
   * {@code /proc/<pid>/comm}, else the first token of its command line; host PIDs may not resolve.
   */
  Optional<String> processName(long pid) {
    Path dir = procRoot.resolve(Long.toString(pid));
    if (!Files.isDirectory(dir)) {
      return Optional.empty(); // another PID namespace, or gone: cheaper than two failed opens
    }
    try {
      String comm = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
      if (!comm.isEmpty()) {
        return Optional.of(comm);
      }
    } catch (IOException | SecurityException e) {
      // not visible from here (another PID namespace, or gone): try the command line
    }
    try {
      byte[] cmdline = Files.readAllBytes(dir.resolve("cmdline"));
      int end = 0;
      while (end < cmdline.length && cmdline[end] != 0) {
        end++;
      }
      String first = new String(cmdline, 0, end, StandardCharsets.UTF_8).strip();
      return first.isEmpty() ? Optional.empty() : Optional.of(first);
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  // ------------------------------------------------------------------ errors

  /** The return codes after which nothing more can be read: NVML itself is unusable. */
  private static boolean isFatal(int rc) {
    return NvmlReturn.ERROR_UNINITIALIZED.is(rc)
        || NvmlReturn.ERROR_DRIVER_NOT_LOADED.is(rc)
        || NvmlReturn.ERROR_LIB_RM_VERSION_MISMATCH.is(rc);
  }

  private <T> T require(NvmlResult<T> result, String function, int index, String target) {
    if (result.isSuccess()) {
      return result.value();
    }
    throw unreadableOrFatal(function, index, target, result.returnCode());
  }

  private OptionalInt optionalInt(
      NvmlResult<Integer> result, String function, int index, String target, String what) {
    Optional<Integer> value = optional(result, function, index, target, what);
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    if (value.get() < 0 || value.get() > 1024) {
      note(
          target
              + " "
              + what
              + " unknown: "
              + function
              + " answered "
              + Integer.toUnsignedString(value.get())
              + ", not a link property");
      return OptionalInt.empty();
    }
    return OptionalInt.of(value.get());
  }

  /** A failed optional query: empty when NOT_SUPPORTED, a note for other codes. */
  private <T> Optional<T> optional(
      NvmlResult<T> result, String function, int index, String target, String what) {
    if (result.isSuccess()) {
      return Optional.of(result.value());
    }
    int rc = result.returnCode();
    if (NvmlReturn.ERROR_NOT_SUPPORTED.is(rc)) {
      return Optional.empty();
    }
    if (isFatal(rc) || NvmlReturn.ERROR_GPU_IS_LOST.is(rc)) {
      throw unreadableOrFatal(function, index, target, rc);
    }
    note(
        target
            + " "
            + what
            + " unknown: "
            + failure(function, target, OptionalInt.of(index), rc).getMessage());
    return Optional.empty();
  }

  private RuntimeException unreadableOrFatal(String function, int index, String target, int rc) {
    NvmlException e = failure(function, target, OptionalInt.of(index), rc);
    return isFatal(rc) ? e : new GpuUnreadable(e.getMessage());
  }

  private NvmlException failure(String function, String target, OptionalInt index, int rc) {
    return new NvmlException(
        function, target, index, rc, api.errorString(rc), gpuAdvice(rc, target));
  }

  private static String gpuAdvice(int rc, String target) {
    if (target.isEmpty()) {
      return "";
    }
    if (NvmlReturn.ERROR_NO_PERMISSION.is(rc)) {
      return "this user may not use this GPU's device file (/dev/nvidia*); run as a user who may"
          + " or, in a container, pass the GPU in";
    }
    if (NvmlReturn.ERROR_GPU_IS_LOST.is(rc)) {
      return "the GPU has fallen off the bus or stopped answering; check nvidia-smi and the kernel"
          + " log (dmesg): it needs a reset or a reboot";
    }
    return "";
  }

  /** What to do about an init failure, one sentence per code that has a known remedy. */
  static String initAdvice(NvmlApi api, Path procRoot, int rc) {
    return switch (NvmlReturn.of(rc).orElse(NvmlReturn.ERROR_UNKNOWN)) {
      case ERROR_DRIVER_NOT_LOADED ->
          "the NVIDIA kernel driver is not loaded: check nvidia-smi, load it (sudo modprobe nvidia,"
              + " or reboot after installing the driver) or, in a container, start it with the"
              + " NVIDIA runtime (--gpus all)";
      case ERROR_LIB_RM_VERSION_MISMATCH -> mismatchAdvice(api, procRoot);
      case ERROR_NO_PERMISSION ->
          "this user may not open the NVIDIA device files (/dev/nvidiactl, /dev/nvidia*): run as a"
              + " user who may or, in a container, pass the GPUs in (--gpus)";
      case ERROR_OPERATING_SYSTEM ->
          "the operating system or a cgroup denied access to the NVIDIA device files: check the"
              + " container's device rules";
      case ERROR_GPU_IS_LOST, ERROR_RESET_REQUIRED ->
          "a GPU has fallen off the bus or needs a reset: check nvidia-smi and the kernel log"
              + " (dmesg); reset the GPU or reboot";
      case ERROR_IRQ_ISSUE ->
          "the kernel reports an interrupt problem with a GPU: check the kernel log (dmesg)";
      default -> "run nvidia-smi to see the driver's own diagnosis";
    };
  }

  private static String mismatchAdvice(NvmlApi api, Path procRoot) {
    Matcher library = LIBRARY_VERSION.matcher(api.libraryPath());
    String libraryPart =
        library.find()
            ? "libnvidia-ml is " + library.group(1)
            : "libnvidia-ml (" + api.libraryPath() + ")";
    Optional<String> module = kernelModuleVersion(procRoot);
    String modulePart =
        module.map(v -> " but the kernel module is " + v).orElse(" but the kernel module differs");
    return "driver/library version mismatch: "
        + libraryPart
        + modulePart
        + "; reboot (a driver upgrade without a reboot is the usual cause) or fix the container's"
        + " driver mount";
  }

  /** The loaded kernel module's version from {@code /proc/driver/nvidia/version}. */
  static Optional<String> kernelModuleVersion(Path procRoot) {
    try {
      Matcher m =
          MODULE_VERSION.matcher(
              Files.readString(procRoot.resolve("driver/nvidia/version"), StandardCharsets.UTF_8));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  private void note(String sentence) {
    if (notes.add(sentence)) {
      LOG.warn("{}", sentence);
    }
  }

  /** One GPU cannot be read; the others still can. Carries the whole sentence. */
  private static final class GpuUnreadable extends RuntimeException {
    GpuUnreadable(String message) {
      super(message, null, false, false);
    }
  }
}
