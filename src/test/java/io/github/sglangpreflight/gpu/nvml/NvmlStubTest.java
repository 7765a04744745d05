package io.github.sglangpreflight.gpu.nvml;

import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_FREE_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_RESERVED_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_TOTAL_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_USED_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.nvml.bindings.nvmlMemory_v2_t;
import io.github.sglangpreflight.nvml.bindings.nvml_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end through the real downcalls: the bindings and {@link BoundNvmlApi} against the stub
 * {@code libnvidia-ml.so.1} (src/test/c/nvml_stub.c, the "current" flavour, like driver 580), which
 * this JVM loads through the {@code sglang.preflight.nvml.library} override.
 */
class NvmlStubTest {
  private static final Path PROC = Path.of("/proc");
  private static final String UUID_0 = "GPU-bc7a29fa-5c2a-4e6b-9d1e-3f0a8c7b6d50";
  private static final String UUID_1 = "GPU-c467eb54-1f3d-4b7a-8e2c-9a6d5f4e3b21";

  private static NvmlStub stub;

  @BeforeAll
  static void loadTheStub() {
    stub = NvmlStub.load("current");
  }

  @BeforeEach
  void twoIdleH200s() {
    stub.reset();
    stub.deviceCount(2);
    stub.h200(0, UUID_0, 6);
    stub.h200(1, UUID_1, 7);
  }

  private static GpuInventory read() {
    return NvmlGpuInventorySource.create().read();
  }

  private static Gpu idleH200(int index, String uuid, String busId, List<GpuProcess> processes) {
    return new Gpu(
        index,
        uuid,
        busId,
        "NVIDIA H200",
        Optional.of(new ComputeCapability(9, 0)),
        Optional.of(MigMode.DISABLED),
        GpuMemory.v2(H200_TOTAL_BYTES, H200_RESERVED_BYTES, H200_FREE_BYTES, H200_USED_BYTES),
        processes,
        List.of(),
        new Interconnect(
            Interconnect.Kind.NVLINK,
            OptionalInt.of(NvmlStub.SXM_LINKS),
            OptionalInt.of(5),
            OptionalInt.of(16),
            "NVML: nvmlDeviceGetP2PStatus reports NVLink to the other GPU;"
                + " nvmlDeviceGetNvLinkState: 18 of 18 links active"));
  }

  @Test
  void read_twoH200s_exactlyWhatTheDriverSaid() {
    long self = ProcessHandle.current().pid();
    stub.process(0, self, 650_969_088L);
    stub.process(0, 4_000_000L, 1L << 30);
    stub.process(0, 31337, -1L);

    GpuInventory inventory = read();

    assertEquals(
        new GpuInventory(
            "nvml",
            Optional.of("580.159.04"),
            Optional.of("13.580.159.04"),
            OptionalInt.of(13000),
            List.of(
                idleH200(
                    0,
                    UUID_0,
                    "00000000:06:00.0",
                    List.of(
                        new GpuProcess(
                            self, OptionalLong.of(650_969_088L), Optional.of(comm(self))),
                        new GpuProcess(4_000_000L, OptionalLong.of(1L << 30), Optional.empty()),
                        new GpuProcess(31337, OptionalLong.empty(), Optional.empty()))),
                idleH200(1, UUID_1, "00000000:07:00.0", List.of())),
            List.of(),
            List.of()),
        inventory);
    assertEquals(0x02000028, stub.lastMemoryVersion());
    assertEquals(1, stub.lastInitFlags());
    assertEquals(1, stub.initCalls());
    assertEquals(1, stub.shutdownCalls());
    assertEquals(0, stub.refcount());
  }

  @Test
  void read_h200Memory_identitiesOfV2Hold() {
    GpuMemory memory = read().gpus().get(0).memory();

    assertEquals(
        memory.totalBytes(),
        memory.reservedBytes().getAsLong() + memory.freeBytes() + memory.usedBytes());
    assertEquals(143_771L, memory.totalMib());
    assertEquals(OptionalLong.of(150_109_880_320L), memory.cudaTotalBytes());
  }

  @Test
  void read_bridgedPairsAndAPcieCard_throughTheRealDowncalls() {
    stub.reset();
    stub.deviceCount(4);
    for (int i = 0; i < 4; i++) {
      stub.h200(i, "GPU-bc7a29fa-5c2a-4e6b-9d1e-3f0a8c7b6d5" + i, 6 + i);
    }
    // GPU 0 and 1 bridged (GPU 0: 12 links, the last four idle); GPU 2 and 3 PCIe cards
    stub.nvLink(0, 12, 0xFF);
    stub.nvLink(2, 0, 0);
    stub.nvLink(3, 0, 0);
    stub.pcie(3, 4, 16);

    List<Gpu> gpus = read().gpus();

    assertEquals(
        new Interconnect(
            Interconnect.Kind.NVLINK_PAIRS,
            OptionalInt.of(8),
            OptionalInt.of(5),
            OptionalInt.of(16),
            "NVML: nvmlDeviceGetP2PStatus reports NVLink to 1 of 3 other GPUs (GPU 1);"
                + " nvmlDeviceGetNvLinkState: 8 of 12 links active"),
        gpus.get(0).interconnect());
    assertEquals(Interconnect.Kind.NVLINK_PAIRS, gpus.get(1).interconnect().kind());
    assertEquals(Interconnect.Kind.PCIE, gpus.get(2).interconnect().kind());
    assertEquals(
        new Interconnect(
            Interconnect.Kind.PCIE,
            OptionalInt.empty(),
            OptionalInt.of(4),
            OptionalInt.of(16),
            "NVML: nvmlDeviceGetP2PStatus reports no NVLink to any of the 3 other GPUs;"
                + " nvmlDeviceGetNvLinkState answered NVML_ERROR_NOT_SUPPORTED (3) for every link"),
        gpus.get(3).interconnect());
    assertEquals(4 * NvmlApi.NVLINK_MAX_LINKS, stub.calls("nvmlDeviceGetNvLinkState"));
    assertEquals(6, stub.calls("nvmlDeviceGetP2PStatus"));
  }

  @Test
  void read_noPermissionOnOneIndex_otherStillRead() {
    stub.rc("nvmlDeviceGetHandleByIndex_v2", 1, 4);

    GpuInventory inventory = read();

    Gpu alone =
        idleH200(0, UUID_0, "00000000:06:00.0", List.of())
            .withInterconnect(
                new Interconnect(
                    Interconnect.Kind.UNKNOWN,
                    OptionalInt.of(NvmlStub.SXM_LINKS),
                    OptionalInt.of(5),
                    OptionalInt.of(16),
                    "NVML could not tell: no other GPU is visible to ask nvmlDeviceGetP2PStatus"
                        + " about; nvmlDeviceGetNvLinkState: 18 of 18 links active"));
    assertEquals(List.of(alone), inventory.gpus());
    assertEquals(
        List.of(
            new UnreadableGpu(
                1,
                "nvmlDeviceGetHandleByIndex_v2 failed for GPU 1: NVML_ERROR_NO_PERMISSION (4):"
                    + " Insufficient Permissions; this user may not use this GPU's device file"
                    + " (/dev/nvidia*); run as a user who may or, in a container, pass the GPU"
                    + " in")),
        inventory.unreadable());
    assertEquals(stub.initCalls(), stub.shutdownCalls());
  }

  @Test
  void read_initFails_errorStringFromTheLibraryAndNoShutdown() {
    stub.rc("nvmlInitWithFlags", -1, 18);

    NvmlException e = assertThrows(NvmlException.class, NvmlStubTest::read);

    assertTrue(
        e.getMessage()
            .startsWith(
                "nvmlInitWithFlags failed: NVML_ERROR_LIB_RM_VERSION_MISMATCH (18): Driver/library"
                    + " version mismatch; driver/library version mismatch: libnvidia-ml ("),
        e.getMessage());
    assertEquals("Driver/library version mismatch", e.nvmlText());
    assertEquals(0, stub.shutdownCalls());
  }

  @Test
  void errorString_comesFromNvmlErrorString() {
    BoundNvmlApi api = BoundNvmlApi.instance();

    assertEquals("Insufficient Permissions", api.errorString(4));
    assertEquals("Function Not Found", api.errorString(13));
    assertEquals("Unknown Error", api.errorString(999));
  }

  @Test
  void memoryV2_wrongVersionWord_answersFunctionNotFoundLikeDriver580() {
    try (Arena arena = Arena.ofConfined()) {
      assertEquals(0, nvml_h.nvmlInit_v2());
      MemorySegment handle = arena.allocate(nvml_h.nvmlDevice_t);
      assertEquals(0, nvml_h.nvmlDeviceGetHandleByIndex_v2(0, handle));
      MemorySegment memory = nvmlMemory_v2_t.allocate(arena);
      nvmlMemory_v2_t.version(memory, 2);

      int rc = nvml_h.nvmlDeviceGetMemoryInfo_v2(handle.get(nvml_h.nvmlDevice_t, 0), memory);

      assertEquals(nvml_h.NVML_ERROR_FUNCTION_NOT_FOUND(), rc);
      assertEquals(0, nvmlMemory_v2_t.total(memory));
      assertEquals(0, nvml_h.nvmlShutdown());
    }
  }

  @Test
  void read_memoryV2AnswersFunctionNotFound_v1NumbersAndNote() {
    stub.rc("nvmlDeviceGetMemoryInfo_v2", -1, 13);

    GpuInventory inventory = read();

    assertEquals(
        GpuMemory.v1(H200_TOTAL_BYTES, H200_FREE_BYTES, H200_RESERVED_BYTES + H200_USED_BYTES),
        inventory.gpus().get(1).memory());
    assertEquals(
        List.of(
            "memory read through nvmlDeviceGetMemoryInfo (v1): nvmlDeviceGetMemoryInfo_v2 answered"
                + " NVML_ERROR_FUNCTION_NOT_FOUND (13) for GPU 0 with struct version 0x02000028, so"
                + " usedBytes includes the driver's reservation and reservedBytes is unknown"
                + " (freeBytes is exact)"),
        inventory.notes());
    assertEquals(1, stub.calls("nvmlDeviceGetMemoryInfo_v2"));
    assertEquals(2, stub.calls("nvmlDeviceGetMemoryInfo"));
  }

  @Test
  void read_processesStartDuringTheRead_listReadAfterARetry() {
    stub.process(1, 1001, 1L << 20);
    stub.processRace(1, 10);

    List<GpuProcess> processes = read().gpus().get(1).processes();

    assertEquals(11, processes.size());
    assertEquals(1001, processes.get(0).pid());
    // GPU 0: one probe; GPU 1: the probe, then 7 entries (too few after the race), then 27
    assertEquals(4, stub.calls("nvmlDeviceGetComputeRunningProcesses_v3"));
  }

  @Test
  void read_driver535With32ByteV3Entries_readsThroughV2() {
    stub.driverVersion("535.54.03");
    stub.v3Stride(32);
    for (int pid = 501; pid <= 503; pid++) {
      stub.process(0, pid, pid * 1_000_000L);
    }

    GpuInventory inventory = read();

    assertEquals(
        List.of(
            new GpuProcess(501, OptionalLong.of(501_000_000L), Optional.empty()),
            new GpuProcess(502, OptionalLong.of(502_000_000L), Optional.empty()),
            new GpuProcess(503, OptionalLong.of(503_000_000L), Optional.empty())),
        inventory.gpus().get(0).processes());
    assertEquals(0, stub.calls("nvmlDeviceGetComputeRunningProcesses_v3"));
    assertTrue(stub.calls("nvmlDeviceGetComputeRunningProcesses_v2") >= 2);
  }

  @Test
  void processList_v3With32ByteEntries_readWithTheR535Stride() {
    stub.v3Stride(32);
    for (int pid = 601; pid <= 604; pid++) {
      stub.process(0, pid, pid);
    }
    BoundNvmlApi api = BoundNvmlApi.instance();
    assertEquals(0, api.init());
    try {
      NvmlApi.DeviceHandle h = api.deviceGetHandleByIndex(0).value();
      NvmlApi.ProcessListResult result =
          api.deviceGetComputeRunningProcesses(NvmlApi.ProcessListCall.V3_R535, h, 13);

      assertEquals(
          List.of(
              new NvmlApi.ProcessEntry(601, 601),
              new NvmlApi.ProcessEntry(602, 602),
              new NvmlApi.ProcessEntry(603, 603),
              new NvmlApi.ProcessEntry(604, 604)),
          result.entries());
    } finally {
      assertEquals(0, api.shutdown());
    }
  }

  @Test
  void read_migOn_readsTheMigDevicesThroughTheirHandles() {
    stub.migMode(0, true, 1, 1);
    stub.migDevice(
        0,
        0,
        "NVIDIA H200 MIG 3g.71gb",
        "MIG-aaaa",
        74_625_056_768L,
        0,
        74_000_000_000L,
        625_056_768L);
    stub.migDevice(
        0, 5, "NVIDIA H200 MIG 1g.18gb", "MIG-bbbb", 18_656_264_192L, 0, 18_656_264_192L, 0);

    Gpu gpu0 = read().gpus().get(0);

    assertEquals(Optional.of(new MigMode(true, true)), gpu0.migMode());
    assertEquals(
        List.of(
            new MigDevice(
                0,
                "MIG-aaaa",
                "NVIDIA H200 MIG 3g.71gb",
                GpuMemory.v2(74_625_056_768L, 0, 74_000_000_000L, 625_056_768L)),
            new MigDevice(
                5,
                "MIG-bbbb",
                "NVIDIA H200 MIG 1g.18gb",
                GpuMemory.v2(18_656_264_192L, 0, 18_656_264_192L, 0))),
        gpu0.migDevices());
  }

  @Test
  void read_migNotSupported_emptyMigMode() {
    stub.migMode(1, false, 0, 0);

    assertEquals(Optional.empty(), read().gpus().get(1).migMode());
  }

  @Test
  void read_cudaLibraryMissing_emptyCudaVersionWithNote() {
    stub.rc("nvmlSystemGetCudaDriverVersion_v2", -1, 12);

    GpuInventory inventory = read();

    assertEquals(OptionalInt.empty(), inventory.cudaDriverVersion());
    assertTrue(
        inventory
            .notes()
            .get(0)
            .startsWith(
                "CUDA driver version unknown: nvmlSystemGetCudaDriverVersion_v2 failed:"
                    + " NVML_ERROR_LIBRARY_NOT_FOUND (12): Library Not Found;"),
        inventory.notes().toString());
  }

  @Test
  void read_noGpu_emptyInventory() {
    stub.deviceCount(0);

    GpuInventory inventory = read();

    assertEquals(List.of(), inventory.gpus());
    assertEquals(List.of(), inventory.unreadable());
    assertEquals(1, stub.shutdownCalls());
  }

  @Test
  void read_concurrently_everyInitPairedWithOneShutdown() throws Exception {
    GpuInventory expected = read();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<GpuInventory>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(pool.submit(NvmlStubTest::read));
      }
      for (Future<GpuInventory> f : futures) {
        assertEquals(expected, f.get());
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(201, stub.initCalls());
    assertEquals(201, stub.shutdownCalls());
    assertEquals(0, stub.refcount());
  }

  @Test
  void openSession_keepsNvmlInitialisedUntilClosed() {
    NvmlGpuInventorySource source = NvmlGpuInventorySource.create();
    try (NvmlSession session = source.openSession()) {
      source.read();
      source.read();
      assertEquals(1, stub.refcount());
      session.close();
      assertEquals(0, stub.refcount());
    }
    assertEquals(0, stub.refcount());
    assertEquals(3, stub.shutdownCalls());
  }

  @Test
  void handleByUuid_roundTripsToTheIndex() {
    BoundNvmlApi api = BoundNvmlApi.instance();
    assertEquals(0, api.initWithFlags(NvmlApi.INIT_FLAG_NO_GPUS));
    try {
      NvmlResult<NvmlApi.DeviceHandle> handle = api.deviceGetHandleByUuid(UUID_1);
      assertEquals(NvmlResult.ok(1), api.deviceGetIndex(handle.value()));
      assertEquals(6, api.deviceGetHandleByUuid("GPU-nope").returnCode());
    } finally {
      assertEquals(0, api.shutdown());
    }
    assertEquals(1, api.shutdown()); // surplus: UNINITIALIZED, like driver 580
  }

  @Test
  void bindings_everyIncludedFunctionResolvesInTheLoadedLibrary() throws Exception {
    List<String> functions = new ArrayList<>();
    for (String line : Files.readAllLines(basedir().resolve("nvml-bindings/includes.txt"))) {
      String[] t = line.strip().split("\\s+");
      if (t.length >= 2 && t[0].equals("--include-function")) {
        functions.add(t[1]);
      }
    }
    for (String f : functions) {
      MethodHandle h = (MethodHandle) nvml_h.class.getMethod(f + "$handle").invoke(null);
      FunctionDescriptor d =
          (FunctionDescriptor) nvml_h.class.getMethod(f + "$descriptor").invoke(null);
      assertEquals(d.toMethodType(), h.type(), f);
    }
    assertEquals(27, functions.size());
    assertEquals(functions.size(), BoundNvmlApi.FUNCTIONS.size());
    assertTrue(functions.containsAll(BoundNvmlApi.FUNCTIONS));
  }

  @Test
  void describe_afterARead_namesTheStubFile() throws IOException {
    NvmlGpuInventorySource source = NvmlGpuInventorySource.create();
    source.read();

    assertEquals("NVML (" + NvmlStub.library("current").toRealPath() + ")", source.describe());
  }

  private static String comm(long pid) {
    try {
      return Files.readString(PROC.resolve(pid + "/comm")).strip();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Path basedir() {
    return Path.of(System.getProperty("project.basedir", "."));
  }
}
