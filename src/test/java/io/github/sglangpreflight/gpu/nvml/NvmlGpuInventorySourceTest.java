package io.github.sglangpreflight.gpu.nvml;

import static io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListCall.V1;
import static io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListCall.V2;
import static io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListCall.V3;
import static io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListCall.V3_R535;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_FREE_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_RESERVED_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_TOTAL_BYTES;
import static io.github.sglangpreflight.gpu.nvml.NvmlStub.H200_USED_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ComputeCapabilityValue;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.DeviceHandle;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.MemoryV1;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.MemoryV2;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.MigModeValue;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.PciInfo;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessEntry;
import io.github.sglangpreflight.gpu.nvml.NvmlApi.ProcessListResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.InOrder;
import org.mockito.quality.Strictness;

/** The inventory logic over a mocked {@link NvmlApi}: lifecycle, fallbacks, errors, processes. */
class NvmlGpuInventorySourceTest {

  /** nvmlErrorString's texts on driver 580.159.04 for the codes these tests use. */
  private static final Map<Integer, String> NVML_TEXT =
      Map.ofEntries(
          Map.entry(1, "Uninitialized"),
          Map.entry(3, "Not Supported"),
          Map.entry(4, "Insufficient Permissions"),
          Map.entry(6, "Not Found"),
          Map.entry(9, "Driver Not Loaded"),
          Map.entry(12, "Library Not Found"),
          Map.entry(13, "Function Not Found"),
          Map.entry(15, "GPU is lost"),
          Map.entry(17, "Operating System Error"),
          Map.entry(18, "Driver/library version mismatch"),
          Map.entry(25, "Argument version mismatch"),
          Map.entry(999, "Unknown Error"));

  private static final String LIBRARY = "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04";

  @TempDir Path proc;

  private NvmlApi api;

  @BeforeEach
  void healthyHostWithTwoH200s() {
    api = mock(NvmlApi.class, withSettings().strictness(Strictness.LENIENT));
    when(api.libraryPath()).thenReturn(LIBRARY);
    when(api.hasFunction(anyString())).thenReturn(true);
    when(api.initWithFlags(NvmlApi.INIT_FLAG_NO_GPUS)).thenReturn(0);
    when(api.init()).thenReturn(0);
    when(api.shutdown()).thenReturn(0);
    when(api.errorString(anyInt()))
        .thenAnswer(i -> NVML_TEXT.getOrDefault(i.<Integer>getArgument(0), "Unknown Error"));
    when(api.systemGetDriverVersion()).thenReturn(NvmlResult.ok("580.159.04"));
    when(api.systemGetNvmlVersion()).thenReturn(NvmlResult.ok("13.580.159.04"));
    when(api.systemGetCudaDriverVersion()).thenReturn(NvmlResult.ok(13000));
    gpus(2);
  }

  private void gpus(int count) {
    when(api.deviceGetCount()).thenReturn(NvmlResult.ok(count));
    for (int i = 0; i < count; i++) {
      DeviceHandle h = handle(i);
      when(api.deviceGetHandleByIndex(i)).thenReturn(NvmlResult.ok(h));
      when(api.deviceGetName(h)).thenReturn(NvmlResult.ok("NVIDIA H200"));
      when(api.deviceGetUuid(h)).thenReturn(NvmlResult.ok(uuid(i)));
      when(api.deviceGetPciInfo(h))
          .thenReturn(
              NvmlResult.ok(
                  new PciInfo(busId(i), "0000:00:0" + (6 + i) + ".0", 0, 6 + i, 0, 0x233510DE, 0)));
      when(api.deviceGetMemoryInfoV2(h))
          .thenReturn(
              NvmlResult.ok(
                  new MemoryV2(
                      H200_TOTAL_BYTES, H200_RESERVED_BYTES, H200_FREE_BYTES, H200_USED_BYTES)));
      when(api.deviceGetMemoryInfo(h))
          .thenReturn(
              NvmlResult.ok(
                  new MemoryV1(
                      H200_TOTAL_BYTES, H200_FREE_BYTES, H200_RESERVED_BYTES + H200_USED_BYTES)));
      when(api.deviceGetCudaComputeCapability(h))
          .thenReturn(NvmlResult.ok(new ComputeCapabilityValue(9, 0)));
      when(api.deviceGetMigMode(h)).thenReturn(NvmlResult.ok(new MigModeValue(0, 0)));
      when(api.deviceGetComputeRunningProcesses(any(), eq(h), anyInt()))
          .thenReturn(new ProcessListResult(0, 0, List.of()));
      // an NVSwitch board: 18 active links, NVLink to every other GPU, PCIe 5.0 x16
      when(api.deviceGetNvLinkState(eq(h), anyInt()))
          .thenAnswer(
              inv ->
                  inv.<Integer>getArgument(1) < NvmlApi.NVLINK_MAX_LINKS
                      ? NvmlResult.ok(NvmlApi.FEATURE_ENABLED)
                      : NvmlResult.failed(NvmlReturn.ERROR_INVALID_ARGUMENT));
      when(api.deviceGetMaxPcieLinkGeneration(h)).thenReturn(NvmlResult.ok(5));
      when(api.deviceGetMaxPcieLinkWidth(h)).thenReturn(NvmlResult.ok(16));
    }
    when(api.deviceGetP2PStatus(any(), any(), eq(NvmlApi.P2P_CAPS_INDEX_NVLINK)))
        .thenReturn(NvmlResult.ok(NvmlApi.P2P_STATUS_OK));
  }

  /** What the default mock answers for a GPU beside one other readable GPU. */
  static final Interconnect NVSWITCH_PAIR =
      new Interconnect(
          Interconnect.Kind.NVLINK,
          OptionalInt.of(18),
          OptionalInt.of(5),
          OptionalInt.of(16),
          "NVML: nvmlDeviceGetP2PStatus reports NVLink to the other GPU;"
              + " nvmlDeviceGetNvLinkState: 18 of 18 links active");

  /** What the default mock answers for the only readable GPU. */
  static final Interconnect NVSWITCH_ALONE =
      new Interconnect(
          Interconnect.Kind.UNKNOWN,
          OptionalInt.of(18),
          OptionalInt.of(5),
          OptionalInt.of(16),
          "NVML could not tell: no other GPU is visible to ask nvmlDeviceGetP2PStatus about;"
              + " nvmlDeviceGetNvLinkState: 18 of 18 links active");

  private static DeviceHandle handle(int index) {
    return new DeviceHandle(0x7f00_0000_1000L + index * 0x100L);
  }

  private static String uuid(int index) {
    return "GPU-bc7a29fa-0000-4000-8000-00000000000" + index;
  }

  private static String busId(int index) {
    return "00000000:00:0" + (6 + index) + ".0";
  }

  private NvmlGpuInventorySource source() {
    return new NvmlGpuInventorySource(api, proc);
  }

  private static GpuMemory h200Memory() {
    return GpuMemory.v2(H200_TOTAL_BYTES, H200_RESERVED_BYTES, H200_FREE_BYTES, H200_USED_BYTES);
  }

  private static Gpu idleH200(int index) {
    return new Gpu(
        index,
        uuid(index),
        busId(index),
        "NVIDIA H200",
        Optional.of(new ComputeCapability(9, 0)),
        Optional.of(MigMode.DISABLED),
        h200Memory(),
        List.of(),
        List.of(),
        NVSWITCH_PAIR);
  }

  // ------------------------------------------------------------------ lifecycle

  @Test
  void read_healthyHost_returnsEveryGpuAndShutsDownOnce() {
    GpuInventory inventory = source().read();

    assertEquals(
        new GpuInventory(
            "nvml",
            Optional.of("580.159.04"),
            Optional.of("13.580.159.04"),
            OptionalInt.of(13000),
            List.of(idleH200(0), idleH200(1)),
            List.of(),
            List.of()),
        inventory);
    InOrder order = inOrder(api);
    order.verify(api).initWithFlags(NvmlApi.INIT_FLAG_NO_GPUS);
    order.verify(api).deviceGetCount();
    order.verify(api).shutdown();
    verify(api, never()).init();
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_initFails_neverShutsDown() {
    when(api.initWithFlags(anyInt())).thenReturn(9);

    assertThrows(NvmlException.class, () -> source().read());

    verify(api, never()).shutdown();
    verify(api, never()).deviceGetCount();
  }

  @Test
  void read_countFails_throwsAndStillShutsDownOnce() {
    when(api.deviceGetCount()).thenReturn(NvmlResult.failed(NvmlReturn.ERROR_UNINITIALIZED));

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(
        "nvmlDeviceGetCount_v2 failed: NVML_ERROR_UNINITIALIZED (1): Uninitialized",
        e.getMessage());
    assertEquals("nvmlDeviceGetCount_v2", e.function());
    assertEquals(OptionalInt.empty(), e.gpuIndex());
    assertEquals(1, e.returnCode());
    assertEquals("NVML_ERROR_UNINITIALIZED", e.returnCodeName());
    assertEquals("Uninitialized", e.nvmlText());
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_callThrowsUnexpectedly_stillShutsDownOnce() {
    when(api.deviceGetName(handle(1))).thenThrow(new IllegalStateException("boom"));

    assertThrows(IllegalStateException.class, () -> source().read());

    verify(api, times(1)).shutdown();
  }

  @Test
  void read_surplusShutdownAnswersUninitialized_isTolerated() {
    when(api.shutdown()).thenReturn(1);

    assertEquals(2, source().read().gpus().size());
  }

  @Test
  void read_driverWithoutInitWithFlags_usesInitV2AndSaysSo() {
    when(api.hasFunction("nvmlInitWithFlags")).thenReturn(false);

    GpuInventory inventory = source().read();

    verify(api).init();
    verify(api, never()).initWithFlags(anyInt());
    verify(api, times(1)).shutdown();
    assertEquals(
        List.of(
            "NVML initialised through nvmlInit_v2: this driver has no nvmlInitWithFlags, so a host"
                + " where the driver sees no GPU fails initialisation instead of listing none"),
        inventory.notes());
  }

  @Test
  void openSession_closedTwice_shutsDownOnce() {
    NvmlSession session = source().openSession();
    session.close();
    session.close();

    verify(api, times(1)).initWithFlags(NvmlApi.INIT_FLAG_NO_GPUS);
    verify(api, times(1)).shutdown();
  }

  @Test
  void describe_namesTheLibraryFile() {
    assertEquals("NVML (" + LIBRARY + ")", source().describe());
  }

  @Test
  void describe_beforeTheFirstRead_saysNotLoadedYet() {
    assertEquals(
        "NVML (libnvidia-ml.so.1, not loaded yet)", NvmlGpuInventorySource.create().describe());
  }

  // ------------------------------------------------------------------ init failures

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          9  | nvmlInitWithFlags failed: NVML_ERROR_DRIVER_NOT_LOADED (9): Driver Not Loaded; the NVIDIA kernel driver is not loaded: check nvidia-smi, load it (sudo modprobe nvidia, or reboot after installing the driver) or, in a container, start it with the NVIDIA runtime (--gpus all)
          4  | nvmlInitWithFlags failed: NVML_ERROR_NO_PERMISSION (4): Insufficient Permissions; this user may not open the NVIDIA device files (/dev/nvidiactl, /dev/nvidia*): run as a user who may or, in a container, pass the GPUs in (--gpus)
          17 | nvmlInitWithFlags failed: NVML_ERROR_OPERATING_SYSTEM (17): Operating System Error; the operating system or a cgroup denied access to the NVIDIA device files: check the container's device rules
          15 | nvmlInitWithFlags failed: NVML_ERROR_GPU_IS_LOST (15): GPU is lost; a GPU has fallen off the bus or needs a reset: check nvidia-smi and the kernel log (dmesg); reset the GPU or reboot
          999| nvmlInitWithFlags failed: NVML_ERROR_UNKNOWN (999): Unknown Error; run nvidia-smi to see the driver's own diagnosis
          """)
  void read_initFails_namesTheCodeAndTheFix(int rc, String message) {
    when(api.initWithFlags(anyInt())).thenReturn(rc);

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(message, e.getMessage());
    assertEquals("nvmlInitWithFlags", e.function());
    assertEquals(rc, e.returnCode());
  }

  @Test
  void read_libraryAndKernelModuleDiffer_namesBothVersions() throws IOException {
    when(api.initWithFlags(anyInt())).thenReturn(18);
    Files.createDirectories(proc.resolve("driver/nvidia"));
    Files.writeString(
        proc.resolve("driver/nvidia/version"),
        "NVRM version: NVIDIA UNIX x86_64 Kernel Module  575.57.08  Sat May 24 07:21:18 UTC 2025\n"
            + "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(
        "nvmlInitWithFlags failed: NVML_ERROR_LIB_RM_VERSION_MISMATCH (18): Driver/library version"
            + " mismatch; driver/library version mismatch: libnvidia-ml is 580.159.04 but the"
            + " kernel module is 575.57.08; reboot (a driver upgrade without a reboot is the usual"
            + " cause) or fix the container's driver mount",
        e.getMessage());
  }

  @Test
  void read_mismatchWithoutProcVersion_saysTheModuleDiffers() {
    when(api.initWithFlags(anyInt())).thenReturn(18);
    when(api.libraryPath()).thenReturn("/usr/local/nvidia/lib64/libnvidia-ml.so.1");

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(
        "nvmlInitWithFlags failed: NVML_ERROR_LIB_RM_VERSION_MISMATCH (18): Driver/library version"
            + " mismatch; driver/library version mismatch: libnvidia-ml"
            + " (/usr/local/nvidia/lib64/libnvidia-ml.so.1) but the kernel module differs; reboot"
            + " (a driver upgrade without a reboot is the usual cause) or fix the container's"
            + " driver mount",
        e.getMessage());
  }

  @Test
  void kernelModuleVersion_openKernelModuleLine_isParsed() throws IOException {
    Files.createDirectories(proc.resolve("driver/nvidia"));
    Files.writeString(
        proc.resolve("driver/nvidia/version"),
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build\n");

    assertEquals(Optional.of("580.159.04"), NvmlInventoryReader.kernelModuleVersion(proc));
  }

  // ------------------------------------------------------------------ memory v2 -> v1

  @Test
  void read_driverWithoutMemoryV2_readsV1AndSaysSo() {
    when(api.hasFunction("nvmlDeviceGetMemoryInfo_v2")).thenReturn(false);
    when(api.systemGetDriverVersion()).thenReturn(NvmlResult.ok("470.256.02"));

    GpuInventory inventory = source().read();

    GpuMemory v1 =
        GpuMemory.v1(H200_TOTAL_BYTES, H200_FREE_BYTES, H200_RESERVED_BYTES + H200_USED_BYTES);
    assertEquals(v1, inventory.gpus().get(0).memory());
    assertEquals(v1, inventory.gpus().get(1).memory());
    assertEquals(
        List.of(
            "memory read through nvmlDeviceGetMemoryInfo (v1): driver 470.256.02 has no"
                + " nvmlDeviceGetMemoryInfo_v2, so usedBytes includes the driver's reservation and"
                + " reservedBytes is unknown (freeBytes is exact)"),
        inventory.notes());
    verify(api, never()).deviceGetMemoryInfoV2(any());
  }

  @ParameterizedTest
  @CsvSource({"13, NVML_ERROR_FUNCTION_NOT_FOUND", "25, NVML_ERROR_ARGUMENT_VERSION_MISMATCH"})
  void read_memoryV2Refused_readsV1AndSaysSoOnce(int rc, String name) {
    when(api.deviceGetMemoryInfoV2(any())).thenReturn(NvmlResult.failed(rc));

    GpuInventory inventory = source().read();

    assertEquals(GpuMemory.Version.V1, inventory.gpus().get(1).memory().version());
    assertEquals(
        List.of(
            "memory read through nvmlDeviceGetMemoryInfo (v1): nvmlDeviceGetMemoryInfo_v2 answered "
                + name
                + " ("
                + rc
                + ") for GPU 0 with struct version 0x02000028, so usedBytes includes the driver's"
                + " reservation and reservedBytes is unknown (freeBytes is exact)"),
        inventory.notes());
    verify(api, times(1)).deviceGetMemoryInfoV2(any());
  }

  @Test
  void read_memoryImpossible_gpuUnreadableWithTheNumbers() {
    when(api.deviceGetMemoryInfoV2(handle(0)))
        .thenReturn(NvmlResult.ok(new MemoryV2(100, 10, 200, 0)));

    GpuInventory inventory = source().read();

    assertEquals(
        List.of(
            new UnreadableGpu(
                0,
                "nvmlDeviceGetMemoryInfo_v2 answered impossible numbers for GPU 0 (total 100,"
                    + " reserved 10, free 200, used 0 bytes): freeBytes must not exceed totalBytes"
                    + " 100, was 200")),
        inventory.unreadable());
    // the only readable GPU: no peer to ask nvmlDeviceGetP2PStatus about
    assertEquals(List.of(idleH200(1).withInterconnect(NVSWITCH_ALONE)), inventory.gpus());
  }

  // ------------------------------------------------------------------ per-GPU errors

  @Test
  void read_noPermissionOnOneHandle_otherGpusStillRead() {
    gpus(3);
    when(api.deviceGetHandleByIndex(1))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NO_PERMISSION));

    GpuInventory inventory = source().read();

    assertEquals(List.of(idleH200(0), idleH200(2)), inventory.gpus());
    assertEquals(
        List.of(
            new UnreadableGpu(
                1,
                "nvmlDeviceGetHandleByIndex_v2 failed for GPU 1: NVML_ERROR_NO_PERMISSION (4):"
                    + " Insufficient Permissions; this user may not use this GPU's device file"
                    + " (/dev/nvidia*); run as a user who may or, in a container, pass the GPU"
                    + " in")),
        inventory.unreadable());
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_gpuLostOnMemory_thatGpuUnreadable() {
    when(api.deviceGetMemoryInfoV2(handle(0)))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_GPU_IS_LOST));

    GpuInventory inventory = source().read();

    assertEquals(
        List.of(
            new UnreadableGpu(
                0,
                "nvmlDeviceGetMemoryInfo_v2 failed for GPU 0: NVML_ERROR_GPU_IS_LOST (15): GPU is"
                    + " lost; the GPU has fallen off the bus or stopped answering; check nvidia-smi"
                    + " and the kernel log (dmesg): it needs a reset or a reboot")),
        inventory.unreadable());
    // the only readable GPU: no peer to ask nvmlDeviceGetP2PStatus about
    assertEquals(List.of(idleH200(1).withInterconnect(NVSWITCH_ALONE)), inventory.gpus());
  }

  @Test
  void read_driverUnloadedMidRead_throwsInsteadOfMarkingGpusUnreadable() {
    when(api.deviceGetUuid(handle(1)))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_DRIVER_NOT_LOADED));

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(
        "nvmlDeviceGetUUID failed for GPU 1: NVML_ERROR_DRIVER_NOT_LOADED (9): Driver Not Loaded",
        e.getMessage());
    assertEquals(OptionalInt.of(1), e.gpuIndex());
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_noGpus_emptyInventoryNotAnError() {
    gpus(0);

    GpuInventory inventory = source().read();

    assertEquals(List.of(), inventory.gpus());
    assertEquals(List.of(), inventory.unreadable());
    assertEquals(List.of(), inventory.notes());
    assertEquals(Optional.of("580.159.04"), inventory.driverVersion());
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_cudaLibraryNotFound_emptyVersionAndNote() {
    when(api.systemGetCudaDriverVersion())
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_LIBRARY_NOT_FOUND));

    GpuInventory inventory = source().read();

    assertEquals(OptionalInt.empty(), inventory.cudaDriverVersion());
    assertEquals(
        List.of(
            "CUDA driver version unknown: nvmlSystemGetCudaDriverVersion_v2 failed:"
                + " NVML_ERROR_LIBRARY_NOT_FOUND (12): Library Not Found; libcuda.so.1 cannot be"
                + " loaded here, so CUDA programs such as SGLang cannot run either; install the"
                + " driver's CUDA library or, in a container, enable the compute capability"
                + " (NVIDIA_DRIVER_CAPABILITIES=compute,utility)"),
        inventory.notes());
    assertEquals(2, inventory.gpus().size());
  }

  @Test
  void read_computeCapabilityZero_emptyWithNote() {
    when(api.deviceGetCudaComputeCapability(handle(0)))
        .thenReturn(NvmlResult.ok(new ComputeCapabilityValue(0, 0)));

    GpuInventory inventory = source().read();

    assertEquals(Optional.empty(), inventory.gpus().get(0).computeCapability());
    assertEquals(
        List.of(
            "GPU 0 compute capability unknown: nvmlDeviceGetCudaComputeCapability answered 0.0"),
        inventory.notes());
  }

  // ------------------------------------------------------------------ MIG

  @Test
  void read_migNotSupported_migModeEmptyWithoutNote() {
    when(api.deviceGetMigMode(any())).thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_SUPPORTED));

    GpuInventory inventory = source().read();

    assertEquals(Optional.empty(), inventory.gpus().get(0).migMode());
    assertFalse(inventory.gpus().get(0).migEnabled());
    assertEquals(List.of(), inventory.notes());
    verify(api, never()).deviceGetMaxMigDeviceCount(any());
  }

  @Test
  void read_migDisabled_noMigDevicesQueried() {
    GpuInventory inventory = source().read();

    assertEquals(Optional.of(MigMode.DISABLED), inventory.gpus().get(0).migMode());
    verify(api, never()).deviceGetMaxMigDeviceCount(any());
    verify(api, never()).deviceGetMigDeviceHandleByIndex(any(), anyInt());
  }

  @Test
  void read_migEnabled_listsTheMigDevicesInTheirSlots() {
    DeviceHandle gpu = handle(0);
    DeviceHandle mig0 = new DeviceHandle(0x9000);
    DeviceHandle mig2 = new DeviceHandle(0x9200);
    when(api.deviceGetMigMode(gpu)).thenReturn(NvmlResult.ok(new MigModeValue(1, 1)));
    when(api.deviceGetMaxMigDeviceCount(gpu)).thenReturn(NvmlResult.ok(4));
    when(api.deviceGetMigDeviceHandleByIndex(eq(gpu), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_FOUND));
    when(api.deviceGetMigDeviceHandleByIndex(gpu, 0)).thenReturn(NvmlResult.ok(mig0));
    when(api.deviceGetMigDeviceHandleByIndex(gpu, 2)).thenReturn(NvmlResult.ok(mig2));
    for (DeviceHandle m : List.of(mig0, mig2)) {
      when(api.deviceGetName(m)).thenReturn(NvmlResult.ok("NVIDIA H200 MIG 3g.71gb"));
      when(api.deviceGetMemoryInfoV2(m))
          .thenReturn(NvmlResult.ok(new MemoryV2(74_625_056_768L, 0, 74_625_056_768L, 0)));
    }
    when(api.deviceGetUuid(mig0))
        .thenReturn(NvmlResult.ok("MIG-00000000-aaaa-4000-8000-000000000000"));
    when(api.deviceGetUuid(mig2))
        .thenReturn(NvmlResult.ok("MIG-22222222-aaaa-4000-8000-000000000000"));

    Gpu gpu0 = source().read().gpus().get(0);

    GpuMemory slice = GpuMemory.v2(74_625_056_768L, 0, 74_625_056_768L, 0);
    assertEquals(new MigMode(true, true), gpu0.migMode().orElseThrow());
    assertEquals(
        List.of(
            new MigDevice(
                0, "MIG-00000000-aaaa-4000-8000-000000000000", "NVIDIA H200 MIG 3g.71gb", slice),
            new MigDevice(
                2, "MIG-22222222-aaaa-4000-8000-000000000000", "NVIDIA H200 MIG 3g.71gb", slice)),
        gpu0.migDevices());
  }

  // ------------------------------------------------------------------ processes

  @Test
  void read_processListGrowsBetweenCalls_retriesWithRoomToSpare() {
    DeviceHandle h = handle(0);
    List<ProcessEntry> entries =
        List.of(new ProcessEntry(4242, 650_969_088L), new ProcessEntry(4343, 1L << 30));
    when(api.deviceGetComputeRunningProcesses(V3, h, 0))
        .thenReturn(new ProcessListResult(7, 1, List.of()));
    when(api.deviceGetComputeRunningProcesses(V3, h, 7))
        .thenReturn(new ProcessListResult(7, 5, List.of()));
    when(api.deviceGetComputeRunningProcesses(V3, h, 15))
        .thenReturn(new ProcessListResult(0, 2, entries));

    Gpu gpu0 = source().read().gpus().get(0);

    assertEquals(
        List.of(
            new GpuProcess(4242, OptionalLong.of(650_969_088L), Optional.empty()),
            new GpuProcess(4343, OptionalLong.of(1L << 30), Optional.empty())),
        gpu0.processes());
    InOrder order = inOrder(api);
    order.verify(api).deviceGetComputeRunningProcesses(V3, h, 0);
    order.verify(api).deviceGetComputeRunningProcesses(V3, h, 7);
    order.verify(api).deviceGetComputeRunningProcesses(V3, h, 15);
  }

  @Test
  void read_processListKeepsGrowing_emptyWithNote() {
    when(api.deviceGetComputeRunningProcesses(eq(V3), eq(handle(0)), anyInt()))
        .thenAnswer(i -> new ProcessListResult(7, i.<Integer>getArgument(2) + 10, List.of()));

    GpuInventory inventory = source().read();

    assertEquals(List.of(), inventory.gpus().get(0).processes());
    assertEquals(
        List.of(
            "GPU 0 compute processes unknown: the list kept growing while"
                + " nvmlDeviceGetComputeRunningProcesses_v3 read it (185 entries needed after 4"
                + " attempts)"),
        inventory.notes());
    verify(api, times(4)).deviceGetComputeRunningProcesses(eq(V3), eq(handle(0)), anyInt());
  }

  @ParameterizedTest
  @CsvSource({"535.43.02", "535.54.03", "535.86.05", "535.98"})
  void read_driverWithTheR535AbiBreak_readsProcessesThroughV2(String driver) {
    when(api.systemGetDriverVersion()).thenReturn(NvmlResult.ok(driver));
    when(api.deviceGetComputeRunningProcesses(V2, handle(0), 0))
        .thenReturn(new ProcessListResult(7, 1, List.of()));
    when(api.deviceGetComputeRunningProcesses(V2, handle(0), 7))
        .thenReturn(new ProcessListResult(0, 1, List.of(new ProcessEntry(777, 1L << 20))));

    GpuInventory inventory = source().read();

    assertEquals(
        List.of(new GpuProcess(777, OptionalLong.of(1L << 20), Optional.empty())),
        inventory.gpus().get(0).processes());
    verify(api, never()).deviceGetComputeRunningProcesses(eq(V3), any(), anyInt());
    assertEquals(
        List.of(
            "process lists read through nvmlDeviceGetComputeRunningProcesses_v2: driver "
                + driver
                + " is one of 535.43 to 535.103, whose nvmlDeviceGetComputeRunningProcesses_v3"
                + " writes 32-byte entries where its header declares 24"),
        inventory.notes());
  }

  @Test
  void read_r535DriverWithoutV2_readsV3With32ByteEntries() {
    when(api.systemGetDriverVersion()).thenReturn(NvmlResult.ok("535.54.03"));
    when(api.hasFunction(V2.function())).thenReturn(false);

    GpuInventory inventory = source().read();

    verify(api).deviceGetComputeRunningProcesses(V3_R535, handle(0), 0);
    verify(api, never()).deviceGetComputeRunningProcesses(eq(V3), any(), anyInt());
    assertEquals(
        List.of(
            "process lists read through nvmlDeviceGetComputeRunningProcesses_v3 with 32-byte"
                + " entries: driver 535.54.03 is one of 535.43 to 535.103, whose"
                + " nvmlDeviceGetComputeRunningProcesses_v3 writes 32-byte entries where its header"
                + " declares 24, and it has no _v2"),
        inventory.notes());
  }

  @ParameterizedTest
  @CsvSource({
    "535.43.02, true",
    "535.86.10, true",
    "535.98, true",
    "535.103.01, true",
    "535.104.05, false",
    "535.42.01, false",
    "550.54.15, false",
    "580.159.04, false",
    "580, false",
    "weird, false"
  })
  void writesR535ProcessEntries_coversTheBrokenRange(String driver, boolean broken) {
    assertEquals(broken, NvmlInventoryReader.writesR535ProcessEntries(driver));
  }

  @Test
  void read_driverWithoutV3_readsV2AndSaysSo() {
    when(api.hasFunction(V3.function())).thenReturn(false);
    when(api.systemGetDriverVersion()).thenReturn(NvmlResult.ok("470.256.02"));

    GpuInventory inventory = source().read();

    verify(api).deviceGetComputeRunningProcesses(V2, handle(0), 0);
    assertEquals(
        List.of(
            "process lists read through nvmlDeviceGetComputeRunningProcesses_v2: driver 470.256.02"
                + " has no nvmlDeviceGetComputeRunningProcesses_v3"),
        inventory.notes());
  }

  @Test
  void read_v3AnswersFunctionNotFound_fallsBackToV2ForEveryGpu() {
    when(api.deviceGetComputeRunningProcesses(eq(V3), any(), anyInt()))
        .thenReturn(new ProcessListResult(13, 0, List.of()));

    GpuInventory inventory = source().read();

    verify(api, times(1)).deviceGetComputeRunningProcesses(eq(V3), any(), anyInt());
    verify(api).deviceGetComputeRunningProcesses(V2, handle(0), 0);
    verify(api).deviceGetComputeRunningProcesses(V2, handle(1), 0);
    assertEquals(
        List.of(
            "process lists read through nvmlDeviceGetComputeRunningProcesses_v2:"
                + " nvmlDeviceGetComputeRunningProcesses_v3 answered NVML_ERROR_FUNCTION_NOT_FOUND"
                + " (13) for GPU 0"),
        inventory.notes());
  }

  @Test
  void read_onlyTheLegacyProcessList_readsV1() {
    when(api.hasFunction(V3.function())).thenReturn(false);
    when(api.hasFunction(V2.function())).thenReturn(false);

    source().read();

    verify(api).deviceGetComputeRunningProcesses(V1, handle(0), 0);
  }

  @Test
  void read_processListNotPermitted_emptyWithNote() {
    when(api.deviceGetComputeRunningProcesses(V3, handle(1), 0))
        .thenReturn(new ProcessListResult(4, 0, List.of()));

    GpuInventory inventory = source().read();

    assertEquals(List.of(), inventory.gpus().get(1).processes());
    assertEquals(
        List.of(
            "GPU 1 compute processes unknown: nvmlDeviceGetComputeRunningProcesses_v3 failed for"
                + " GPU 1: NVML_ERROR_NO_PERMISSION (4): Insufficient Permissions; this user may"
                + " not use this GPU's device file (/dev/nvidia*); run as a user who may or, in a"
                + " container, pass the GPU in"),
        inventory.notes());
  }

  @Test
  void read_implausibleProcessEntries_leftOutOrMemoryUnknown() {
    when(api.deviceGetComputeRunningProcesses(V3, handle(0), 0))
        .thenReturn(new ProcessListResult(7, 4, List.of()));
    when(api.deviceGetComputeRunningProcesses(V3, handle(0), 13))
        .thenReturn(
            new ProcessListResult(
                0,
                4,
                List.of(
                    new ProcessEntry(0, 1L << 20),
                    new ProcessEntry(5_000_000, 1L << 20),
                    new ProcessEntry(31, H200_TOTAL_BYTES + 1),
                    new ProcessEntry(32, -1L))));

    GpuInventory inventory = source().read();

    assertEquals(
        List.of(
            new GpuProcess(31, OptionalLong.empty(), Optional.empty()),
            new GpuProcess(32, OptionalLong.empty(), Optional.empty())),
        inventory.gpus().get(0).processes());
    assertEquals(
        List.of(
            "GPU 0 process list looked corrupt: 2 of 4 entries from"
                + " nvmlDeviceGetComputeRunningProcesses_v3 had an impossible PID and were left"
                + " out, 1 claimed more memory than the GPU has and show none; the driver may write"
                + " entries of another size than its header declares"),
        inventory.notes());
  }

  @Test
  void read_processNames_fromCommElseTheCommandLine() throws IOException {
    Files.createDirectories(proc.resolve("4242"));
    Files.writeString(proc.resolve("4242/comm"), "sglang::schedul\n", StandardCharsets.UTF_8);
    Files.createDirectories(proc.resolve("4343"));
    Files.write(
        proc.resolve("4343/cmdline"),
        "/usr/bin/python3\0-m\0sglang.launch_server\0".getBytes(StandardCharsets.UTF_8));
    when(api.deviceGetComputeRunningProcesses(V3, handle(0), 0))
        .thenReturn(new ProcessListResult(7, 3, List.of()));
    when(api.deviceGetComputeRunningProcesses(V3, handle(0), 11))
        .thenReturn(
            new ProcessListResult(
                0,
                3,
                List.of(
                    new ProcessEntry(4242, 1L << 30),
                    new ProcessEntry(4343, 2L << 30),
                    new ProcessEntry(4444, 3L << 30))));

    List<GpuProcess> processes = source().read().gpus().get(0).processes();

    assertEquals(
        List.of(
            new GpuProcess(4242, OptionalLong.of(1L << 30), Optional.of("sglang::schedul")),
            new GpuProcess(4343, OptionalLong.of(2L << 30), Optional.of("/usr/bin/python3")),
            new GpuProcess(4444, OptionalLong.of(3L << 30), Optional.empty())),
        processes);
  }

  // ------------------------------------------------------------------ interconnect

  /** Every GPU answers NOT_SUPPORTED for every NVLink link, as a PCIe card does. */
  private void noNvLink(int count) {
    for (int i = 0; i < count; i++) {
      when(api.deviceGetNvLinkState(eq(handle(i)), anyInt()))
          .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_SUPPORTED));
    }
    when(api.deviceGetP2PStatus(any(), any(), eq(NvmlApi.P2P_CAPS_INDEX_NVLINK)))
        .thenReturn(NvmlResult.ok(5)); // NVML_P2P_STATUS_NOT_SUPPORTED
  }

  @Test
  void read_nvSwitchBoard_everyGpuFullNvLink_askedOncePerPair() {
    gpus(4);

    GpuInventory inventory = source().read();

    for (Gpu g : inventory.gpus()) {
      assertEquals(
          new Interconnect(
              Interconnect.Kind.NVLINK,
              OptionalInt.of(18),
              OptionalInt.of(5),
              OptionalInt.of(16),
              "NVML: nvmlDeviceGetP2PStatus reports NVLink to all 3 other GPUs;"
                  + " nvmlDeviceGetNvLinkState: 18 of 18 links active"),
          g.interconnect());
    }
    assertEquals(List.of(), inventory.notes());
    // i < j, as SGLang's is_full_nvlink asks: 6 pairs of 4 GPUs, never the reverse
    verify(api, times(6)).deviceGetP2PStatus(any(), any(), eq(NvmlApi.P2P_CAPS_INDEX_NVLINK));
    verify(api, times(1)).deviceGetP2PStatus(handle(0), handle(1), NvmlApi.P2P_CAPS_INDEX_NVLINK);
    verify(api, never()).deviceGetP2PStatus(handle(1), handle(0), NvmlApi.P2P_CAPS_INDEX_NVLINK);
    verify(api, times(NvmlApi.NVLINK_MAX_LINKS)).deviceGetNvLinkState(eq(handle(2)), anyInt());
  }

  @Test
  void read_pcieCards_pcieFromP2PStatusThoughNoLinkAnswers() {
    noNvLink(2);

    GpuInventory inventory = source().read();

    assertEquals(
        new Interconnect(
            Interconnect.Kind.PCIE,
            OptionalInt.empty(),
            OptionalInt.of(5),
            OptionalInt.of(16),
            "NVML: nvmlDeviceGetP2PStatus reports no NVLink to the other GPU;"
                + " nvmlDeviceGetNvLinkState answered NVML_ERROR_NOT_SUPPORTED (3) for every link"),
        inventory.gpus().get(1).interconnect());
    assertEquals(List.of(), inventory.notes());
  }

  @Test
  void read_bridgedPairs_nvlinkPairs() {
    gpus(4);
    when(api.deviceGetP2PStatus(any(), any(), eq(NvmlApi.P2P_CAPS_INDEX_NVLINK)))
        .thenReturn(NvmlResult.ok(5));
    when(api.deviceGetP2PStatus(handle(0), handle(1), NvmlApi.P2P_CAPS_INDEX_NVLINK))
        .thenReturn(NvmlResult.ok(NvmlApi.P2P_STATUS_OK));
    when(api.deviceGetP2PStatus(handle(2), handle(3), NvmlApi.P2P_CAPS_INDEX_NVLINK))
        .thenReturn(NvmlResult.ok(NvmlApi.P2P_STATUS_OK));

    GpuInventory inventory = source().read();

    Interconnect gpu3 = inventory.gpus().get(3).interconnect();
    assertEquals(Interconnect.Kind.NVLINK_PAIRS, gpu3.kind());
    assertEquals(
        "NVML: nvmlDeviceGetP2PStatus reports NVLink to 1 of 3 other GPUs (GPU 2);"
            + " nvmlDeviceGetNvLinkState: 18 of 18 links active",
        gpu3.source());
  }

  @Test
  void read_p2pNotSupported_interconnectUnknownWithTheReason_noNote() {
    when(api.deviceGetP2PStatus(any(), any(), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_SUPPORTED));

    GpuInventory inventory = source().read();

    Interconnect link = inventory.gpus().get(0).interconnect();
    assertEquals(Interconnect.Kind.UNKNOWN, link.kind());
    assertEquals(OptionalInt.of(18), link.activeNvLinks());
    assertEquals(
        "NVML could not tell: nvmlDeviceGetP2PStatus answered NVML_ERROR_NOT_SUPPORTED (3) for"
            + " GPU 0 and GPU 1; nvmlDeviceGetNvLinkState: 18 of 18 links active",
        link.source());
    assertEquals(List.of(), inventory.notes());
  }

  @Test
  void read_p2pUnknownError_oneNoteForAllPairs() {
    gpus(3);
    when(api.deviceGetP2PStatus(any(), any(), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_UNKNOWN));

    GpuInventory inventory = source().read();

    assertTrue(
        inventory.gpus().stream()
            .allMatch(g -> g.interconnect().kind() == Interconnect.Kind.UNKNOWN));
    assertEquals(
        List.of(
            "interconnect unknown: nvmlDeviceGetP2PStatus failed for GPU 0 and GPU 1:"
                + " NVML_ERROR_UNKNOWN (999): Unknown Error"),
        inventory.notes());
  }

  @Test
  void read_p2pWithoutActiveLinks_pcieEvenWhenThePairIsUnanswered() {
    when(api.deviceGetNvLinkState(eq(handle(0)), anyInt())).thenReturn(NvmlResult.ok(0));
    when(api.deviceGetP2PStatus(any(), any(), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_SUPPORTED));

    GpuInventory inventory = source().read();

    assertEquals(Interconnect.Kind.PCIE, inventory.gpus().get(0).interconnect().kind());
    assertEquals(
        "NVML: no NVLink link is active; nvmlDeviceGetNvLinkState: 0 of 18 links active",
        inventory.gpus().get(0).interconnect().source());
    assertEquals(Interconnect.Kind.UNKNOWN, inventory.gpus().get(1).interconnect().kind());
  }

  @Test
  void read_p2pUninitialized_isFatal() {
    when(api.deviceGetP2PStatus(any(), any(), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_UNINITIALIZED));

    NvmlException e = assertThrows(NvmlException.class, () -> source().read());

    assertEquals(
        "nvmlDeviceGetP2PStatus failed for GPU 0 and GPU 1: NVML_ERROR_UNINITIALIZED (1):"
            + " Uninitialized",
        e.getMessage());
    verify(api, times(1)).shutdown();
  }

  @Test
  void read_nvLinkStateGpuLost_thatGpuUnreadable() {
    when(api.deviceGetNvLinkState(eq(handle(0)), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_GPU_IS_LOST));

    GpuInventory inventory = source().read();

    assertEquals(0, inventory.unreadable().getFirst().index());
    assertEquals(List.of(idleH200(1).withInterconnect(NVSWITCH_ALONE)), inventory.gpus());
  }

  @Test
  void read_nvLinkStateNoPermission_linksUnknownWithANote_p2pStillDecides() {
    when(api.deviceGetNvLinkState(eq(handle(1)), anyInt()))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NO_PERMISSION));

    GpuInventory inventory = source().read();

    Interconnect link = inventory.gpus().get(1).interconnect();
    assertEquals(Interconnect.Kind.NVLINK, link.kind());
    assertEquals(OptionalInt.empty(), link.activeNvLinks());
    assertTrue(
        link.source().endsWith("; nvmlDeviceGetNvLinkState answered NVML_ERROR_NO_PERMISSION (4)"),
        link.source());
    assertEquals(
        List.of(
            "GPU 1 NVLink links unknown: nvmlDeviceGetNvLinkState failed for GPU 1:"
                + " NVML_ERROR_NO_PERMISSION (4): Insufficient Permissions; this user may not use"
                + " this GPU's device file (/dev/nvidia*); run as a user who may or, in a"
                + " container, pass the GPU in"),
        inventory.notes());
  }

  @Test
  void read_pcieNotSupported_emptyWithoutANote_anImpossibleWidthIsANote() {
    when(api.deviceGetMaxPcieLinkGeneration(handle(0)))
        .thenReturn(NvmlResult.failed(NvmlReturn.ERROR_NOT_SUPPORTED));
    when(api.deviceGetMaxPcieLinkWidth(handle(1))).thenReturn(NvmlResult.ok(-1));

    GpuInventory inventory = source().read();

    assertEquals(OptionalInt.empty(), inventory.gpus().get(0).interconnect().pcieGeneration());
    assertEquals(OptionalInt.empty(), inventory.gpus().get(1).interconnect().pcieWidth());
    assertEquals(
        List.of(
            "GPU 1 PCIe link width unknown: nvmlDeviceGetMaxPcieLinkWidth answered 4294967295,"
                + " not a link property"),
        inventory.notes());
  }

  // ------------------------------------------------------------------ the exception type

  @Test
  void nvmlException_isAGpuQueryException() {
    when(api.initWithFlags(anyInt())).thenReturn(9);

    GpuQueryException e = assertThrows(GpuQueryException.class, () -> source().read());

    assertTrue(e instanceof NvmlException);
  }
}
