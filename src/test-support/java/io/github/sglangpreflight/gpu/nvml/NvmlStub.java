package io.github.sglangpreflight.gpu.nvml;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drives the stub {@code libnvidia-ml.so.1} built from {@code src/test/c/nvml_stub.c} through its
 * exported {@code stub_*} functions: what it answers, and what it was asked. Public because the
 * benchmark (package {@code bench}) uses it too.
 *
 * <p>The stub must already be this JVM's NVML: {@link #load(String)} makes it so when nothing else
 * was loaded first (native libraries are global to a JVM).
 */
public final class NvmlStub {

  /** The H200 of docs/h200-measurements.md (driver 580.159.04, idle). */
  public static final long H200_TOTAL_BYTES = 150_754_820_096L;

  public static final long H200_RESERVED_BYTES = 644_939_776L;
  public static final long H200_FREE_BYTES = 150_109_880_320L;
  public static final long H200_USED_BYTES = 0L;

  private static final Linker LINKER = Linker.nativeLinker();

  private final MethodHandle reset;
  private final MethodHandle setDeviceCount;
  private final MethodHandle setDevice;
  private final MethodHandle setPci;
  private final MethodHandle setComputeCapability;
  private final MethodHandle setMigMode;
  private final MethodHandle setMigDevice;
  private final MethodHandle addProcess;
  private final MethodHandle setProcessRace;
  private final MethodHandle setV3Stride;
  private final MethodHandle setNvLink;
  private final MethodHandle setPcie;
  private final MethodHandle setP2p;
  private final MethodHandle setRc;
  private final MethodHandle setDriverVersion;
  private final MethodHandle setNvmlVersion;
  private final MethodHandle setCudaDriverVersion;
  private final MethodHandle initCalls;
  private final MethodHandle shutdownCalls;
  private final MethodHandle refcount;
  private final MethodHandle lastMemoryVersion;
  private final MethodHandle lastInitFlags;
  private final MethodHandle calls;

  private NvmlStub(SymbolLookup lookup) {
    reset = handle(lookup, "stub_reset", FunctionDescriptor.ofVoid());
    setDeviceCount = handle(lookup, "stub_set_device_count", FunctionDescriptor.ofVoid(JAVA_INT));
    setDevice =
        handle(
            lookup,
            "stub_set_device",
            FunctionDescriptor.ofVoid(
                JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    setPci =
        handle(
            lookup,
            "stub_set_pci",
            FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    setComputeCapability =
        handle(
            lookup,
            "stub_set_compute_capability",
            FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT));
    setMigMode =
        handle(
            lookup,
            "stub_set_mig_mode",
            FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    setMigDevice =
        handle(
            lookup,
            "stub_set_mig_device",
            FunctionDescriptor.ofVoid(
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    addProcess =
        handle(
            lookup, "stub_add_process", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_LONG));
    setProcessRace =
        handle(lookup, "stub_set_process_race", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT));
    setV3Stride = handle(lookup, "stub_set_v3_stride", FunctionDescriptor.ofVoid(JAVA_INT));
    setNvLink =
        handle(lookup, "stub_set_nvlink", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT));
    setPcie =
        handle(lookup, "stub_set_pcie", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT));
    setP2p =
        handle(lookup, "stub_set_p2p", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT));
    setRc = handle(lookup, "stub_set_rc", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    setDriverVersion =
        handle(lookup, "stub_set_driver_version", FunctionDescriptor.ofVoid(ADDRESS));
    setNvmlVersion = handle(lookup, "stub_set_nvml_version", FunctionDescriptor.ofVoid(ADDRESS));
    setCudaDriverVersion =
        handle(lookup, "stub_set_cuda_driver_version", FunctionDescriptor.ofVoid(JAVA_INT));
    initCalls = handle(lookup, "stub_init_calls", FunctionDescriptor.of(JAVA_INT));
    shutdownCalls = handle(lookup, "stub_shutdown_calls", FunctionDescriptor.of(JAVA_INT));
    refcount = handle(lookup, "stub_refcount", FunctionDescriptor.of(JAVA_INT));
    lastMemoryVersion = handle(lookup, "stub_last_memory_version", FunctionDescriptor.of(JAVA_INT));
    lastInitFlags = handle(lookup, "stub_last_init_flags", FunctionDescriptor.of(JAVA_INT));
    calls = handle(lookup, "stub_calls", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  }

  /** The stub library file of a flavour: {@code current} (like driver 580) or {@code legacy}. */
  public static Path library(String flavour) {
    String dir = System.getProperty("nvml.stub.dir", "target/nvml-stub");
    Path file = Path.of(dir, flavour, NvmlLibrary.SONAME).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file + " is missing: build it with src/test/c/build-stub.sh (mvn process-test-classes)");
    }
    return file;
  }

  /**
   * Makes the {@code flavour} stub this JVM's NVML (through the override property, like a user
   * would) and returns its controller.
   *
   * @throws IllegalStateException when this JVM already loaded another NVML
   */
  public static NvmlStub load(String flavour) {
    Path file = library(flavour);
    System.setProperty(NvmlLibrary.PROPERTY, file.toString());
    NvmlLibrary.Loaded loaded = NvmlLibrary.load();
    if (!loaded.path().equals(file)) {
      throw new IllegalStateException(
          "this JVM's NVML is " + loaded.path() + ", not the stub " + file);
    }
    return new NvmlStub(SymbolLookup.loaderLookup());
  }

  /** Back to the start: no GPU, driver 580.159.04, CUDA 13000, counters 0. */
  public void reset() {
    call(reset);
  }

  public void deviceCount(int count) {
    call(setDeviceCount, count);
  }

  /** Name, UUID and v2 memory of GPU {@code index} (v1 used = used + reserved). */
  public void device(
      int index, String name, String uuid, long total, long reserved, long free, long used) {
    try (Arena arena = Arena.ofConfined()) {
      call(
          setDevice,
          index,
          arena.allocateFrom(name),
          arena.allocateFrom(uuid),
          total,
          reserved,
          free,
          used);
    }
  }

  /** Links of an H100/H200 SXM board: 18, every one active (bits 0 to 17). */
  public static final int SXM_LINKS = 18;

  public static final int SXM_ACTIVE_MASK = (1 << SXM_LINKS) - 1;

  /**
   * An idle H200 with the measured numbers, compute capability 9.0, MIG supported and off, 18
   * active NVLink links (an NVSwitch board: NVLink to every other such GPU) and PCIe 5.0 x16.
   */
  public void h200(int index, String uuid, int pciBus) {
    device(
        index,
        "NVIDIA H200",
        uuid,
        H200_TOTAL_BYTES,
        H200_RESERVED_BYTES,
        H200_FREE_BYTES,
        H200_USED_BYTES);
    pci(index, 0, pciBus, 0, 0x233510DE, 0x18BE10DE);
    computeCapability(index, 9, 0);
    migMode(index, true, 0, 0);
    nvLink(index, SXM_LINKS, SXM_ACTIVE_MASK);
    pcie(index, 5, 16);
  }

  /** GPU {@code index} has {@code links} NVLink links, bit l of {@code activeMask} = active. */
  public void nvLink(int index, int links, int activeMask) {
    call(setNvLink, index, links, activeMask);
  }

  /** The maximum PCIe generation and width of GPU {@code index}; 0, 0: NOT_SUPPORTED. */
  public void pcie(int index, int generation, int width) {
    call(setPcie, index, generation, width);
  }

  /**
   * {@code nvmlDeviceGetP2PStatus(a, b, NVLINK)} answers {@code status} both ways (-1: back to the
   * NVSwitch rule, OK when both GPUs have an active link).
   */
  public void p2p(int a, int b, int status) {
    call(setP2p, a, b, status);
  }

  public void pci(int index, int domain, int bus, int device, int pciDeviceId, int subsystemId) {
    call(setPci, index, domain, bus, device, pciDeviceId, subsystemId);
  }

  public void computeCapability(int index, int major, int minor) {
    call(setComputeCapability, index, major, minor);
  }

  /** {@code supported} false: nvmlDeviceGetMigMode answers NOT_SUPPORTED. */
  public void migMode(int index, boolean supported, int current, int pending) {
    call(setMigMode, index, supported ? 1 : 0, current, pending);
  }

  public void migDevice(
      int index,
      int slot,
      String name,
      String uuid,
      long total,
      long reserved,
      long free,
      long used) {
    try (Arena arena = Arena.ofConfined()) {
      call(
          setMigDevice,
          index,
          slot,
          arena.allocateFrom(name),
          arena.allocateFrom(uuid),
          total,
          reserved,
          free,
          used);
    }
  }

  public void process(int index, long pid, long usedBytes) {
    call(addProcess, index, (int) pid, usedBytes);
  }

  /** {@code extra} processes appear right after the next INSUFFICIENT_SIZE answer for the GPU. */
  public void processRace(int index, int extra) {
    call(setProcessRace, index, extra);
  }

  /** The entry size the stub's _v3 writes: 24, or 32 like drivers 535.43 to 535.86. */
  public void v3Stride(int bytes) {
    call(setV3Stride, bytes);
  }

  /**
   * From now on {@code function} answers {@code rc} for GPU {@code device} (-1: all and system).
   */
  public void rc(String function, int device, int rc) {
    try (Arena arena = Arena.ofConfined()) {
      call(setRc, arena.allocateFrom(function), device, rc);
    }
  }

  public void driverVersion(String version) {
    try (Arena arena = Arena.ofConfined()) {
      call(setDriverVersion, arena.allocateFrom(version));
    }
  }

  public void nvmlVersion(String version) {
    try (Arena arena = Arena.ofConfined()) {
      call(setNvmlVersion, arena.allocateFrom(version));
    }
  }

  public void cudaDriverVersion(int version) {
    call(setCudaDriverVersion, version);
  }

  public int initCalls() {
    return intCall(initCalls);
  }

  public int shutdownCalls() {
    return intCall(shutdownCalls);
  }

  /** Initialisations not yet shut down. */
  public int refcount() {
    return intCall(refcount);
  }

  /** The version word the last nvmlDeviceGetMemoryInfo_v2 call received. */
  public int lastMemoryVersion() {
    return intCall(lastMemoryVersion);
  }

  public int lastInitFlags() {
    return intCall(lastInitFlags);
  }

  /** How often {@code function} was called since the last reset. */
  public int calls(String function) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) calls.invokeExact(arena.allocateFrom(function));
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  @SuppressWarnings("restricted")
  private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor d) {
    MemorySegment symbol =
        lookup
            .find(name)
            .orElseThrow(
                () -> new IllegalStateException("the loaded NVML is not the stub: no " + name));
    return LINKER.downcallHandle(symbol, d);
  }

  private static void call(MethodHandle h, Object... args) {
    try {
      h.invokeWithArguments(args);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static int intCall(MethodHandle h) {
    try {
      return (int) h.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }
}
