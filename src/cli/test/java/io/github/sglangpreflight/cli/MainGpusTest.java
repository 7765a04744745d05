package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.SEED_ENV;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainGpusTest {
  @TempDir Path tmp;

  /** A host with processes, a v1 GPU, a GPU in MIG mode and one NVML could not read. */
  static GpuInventory mixedHost() {
    Gpu h200 =
        new Gpu(
            0,
            "GPU-e21e2fac-e4df-5175-08a3-6914844c6d02",
            "00000000:00:06.0",
            "NVIDIA H200",
            Optional.of(new ComputeCapability(9, 0)),
            Optional.of(MigMode.DISABLED),
            GpuMemory.v2(150754820096L, 644939776L, 149458911232L, 650969088L),
            List.of(
                new GpuProcess(4242, OptionalLong.of(641728512L), Optional.of("python3")),
                new GpuProcess(77, OptionalLong.empty(), Optional.empty())),
            List.of());
    Gpu legacy =
        new Gpu(
            1,
            "GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120",
            "00000000:00:07.0",
            "Tesla V100-SXM2-32GB",
            Optional.empty(),
            Optional.empty(),
            GpuMemory.v1(34089730048L, 33589559296L, 500170752L),
            List.of(),
            List.of());
    Gpu mig =
        new Gpu(
            2,
            "GPU-31515c3d-1414-7c2c-004a-f86a898946ac",
            "00000000:68:00.0",
            "NVIDIA A100-SXM4-80GB",
            Optional.of(new ComputeCapability(8, 0)),
            Optional.of(new MigMode(true, false)),
            GpuMemory.v2(85899345920L, 799277056L, 84000000000L, 1100068864L),
            List.of(),
            List.of(
                new MigDevice(
                    0,
                    "MIG-4b5e3f0a-8d1c-5a7e-9b2f-1c3d5e7f9a0b",
                    "NVIDIA A100-SXM4-80GB MIG 3g.40gb",
                    GpuMemory.v2(42144366592L, 0L, 42144366592L, 0L))));
    return new GpuInventory(
        "nvml",
        Optional.of("580.159.04"),
        Optional.of("13.580.159.04"),
        OptionalInt.of(12040),
        List.of(h200, legacy, mig),
        List.of(
            new UnreadableGpu(
                3, "nvmlDeviceGetHandleByIndex_v2(3) returned NVML_ERROR_NO_PERMISSION")),
        List.of("Process names are advisory: NVML reports host PIDs."));
  }

  private static Main.Context nvmlReading(GpuInventory inventory) {
    return new Main.Context(
        SEED_ENV,
        () ->
            new GpuInventorySource() {
              @Override
              public GpuInventory read() {
                return inventory;
              }

              @Override
              public String describe() {
                return "NVML (/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04)";
              }
            });
  }

  @Test
  void gpus_nvmlText_aTablePerGpuWithVersionsUnreadableAndNotes() {
    CliRun r = run(nvmlReading(mixedHost()), "gpus", "--width", "80");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(
        """
        3 GPUs from NVML (/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04) (1 more unreadable)
        driver 580.159.04, NVML 13.580.159.04, CUDA 12.4

        GPU 0  NVIDIA H200
          UUID           GPU-e21e2fac-e4df-5175-08a3-6914844c6d02
          PCI bus id     00000000:00:06.0
          compute cap.   9.0
          MIG            off
          memory         total 140.40 GiB = reserved 0.60 GiB + used 0.61 GiB + free 139.19 GiB
          processes      pid 4242 (python3) 0.60 GiB, pid 77 size unknown

        GPU 1  Tesla V100-SXM2-32GB
          UUID           GPU-0b1dc080-7bca-53d2-d51c-d900a43b0120
          PCI bus id     00000000:00:07.0
          compute cap.   unknown
          MIG            not supported
          memory         total 31.75 GiB, used 0.47 GiB (with the driver reservation: NVML v1), free 31.28 GiB
          processes      none

        GPU 2  NVIDIA A100-SXM4-80GB
          UUID           GPU-31515c3d-1414-7c2c-004a-f86a898946ac
          PCI bus id     00000000:68:00.0
          compute cap.   8.0
          MIG            on, 1 instance (turns off at the next GPU reset)
          memory         total 80.00 GiB = reserved 0.74 GiB + used 1.02 GiB + free 78.23 GiB
          processes      none
          MIG device 0   NVIDIA A100-SXM4-80GB MIG 3g.40gb, MIG-4b5e3f0a-8d1c-5a7e-9b2f-1c3d5e7f9a0b, total 39.25 GiB = reserved 0.00 GiB + used 0.00 GiB + free 39.25 GiB

        Unreadable
          GPU 3: nvmlDeviceGetHandleByIndex_v2(3) returned NVML_ERROR_NO_PERMISSION

        Notes
          - Process names are advisory: NVML reports host PIDs.
        """,
        r.out());
    assertEquals("", r.err());
  }

  @Test
  void gpus_nvmlText_anInterconnectNvmlRead_isARowWithItsSource() {
    GpuInventory host = mixedHost();
    Gpu h200 =
        host.gpus()
            .getFirst()
            .withInterconnect(
                new Interconnect(
                    Interconnect.Kind.NVLINK,
                    OptionalInt.of(18),
                    OptionalInt.of(5),
                    OptionalInt.of(16),
                    "NVML: nvmlDeviceGetP2PStatus reports NVLink to the other GPU;"
                        + " nvmlDeviceGetNvLinkState: 18 of 18 links active"));
    GpuInventory one =
        new GpuInventory(
            host.source(),
            host.driverVersion(),
            host.nvmlVersion(),
            host.cudaDriverVersion(),
            List.of(h200),
            List.of(),
            List.of());

    CliRun r = run(nvmlReading(one), "gpus", "--width", "80");

    assertTrue(
        r.out()
            .contains(
                """
                  processes      pid 4242 (python3) 0.60 GiB, pid 77 size unknown
                  interconnect   nvlink, 18 NVLink links active, PCIe gen 5 x16 [NVML:
                                 nvmlDeviceGetP2PStatus reports NVLink to the other GPU;
                                 nvmlDeviceGetNvLinkState: 18 of 18 links active]
                """),
        r.out());
  }

  @Test
  void gpus_nvmlJson_isTheSnapshotAndRoundTrips() {
    CliRun r = run(nvmlReading(mixedHost()), "gpus", "--json");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(GpuSnapshots.toJson(mixedHost()) + "\n", r.out());
    assertEquals(mixedHost(), GpuSnapshots.parse(r.out(), "stdout"));
  }

  @Test
  void gpus_simulateJson_roundTripsThroughParse() {
    CliRun r = run("gpus", "--simulate", "8xH200", "--json");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(GpuPresets.inventory("8xH200"), GpuSnapshots.parse(r.out(), "stdout"));
  }

  @Test
  void gpus_simulateText_namesThePreset() {
    CliRun r = run("gpus", "--simulate", "2xH100");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(GpuText.render(GpuPresets.inventory("2xH100"), "GPU preset 2xH100", 100), r.out());
    assertTrue(r.out().startsWith("2 GPUs from GPU preset 2xH100\n"), r.out());
  }

  @Test
  void gpus_snapshotFile_isReplayedWithItsNote() throws IOException {
    Path file = Files.writeString(tmp.resolve("gpus.json"), GpuSnapshots.toJson(mixedHost()));

    CliRun r = run("gpus", "--gpus", file.toString());

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertTrue(
        r.out().startsWith("3 GPUs from snapshot file " + file + " (1 more unreadable)\n"),
        r.out());
    assertTrue(r.out().contains("Replayed from snapshot file " + file), r.out());
  }

  @Test
  void gpus_nvmlUnreadable_exit1WithTheSentenceAndTheFallbackHint() {
    CliRun r = run("gpus");

    assertEquals(ExitCodes.GPUS_UNREADABLE, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight gpus: "
            + CliRun.NO_NVML
            + "\nTo see a described machine instead, add --fallback-preset (e.g. 8xH200).\n",
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void gpus_fallbackPreset_oneSentenceOnStderrThenThePreset() {
    CliRun r = run("gpus", "--fallback-preset", "8xH200");
    CliRun json = run("gpus", "--fallback-preset", "8xH200", "--json");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight gpus: the GPUs cannot be read ("
            + CliRun.NO_NVML
            + "), so the built-in preset 8xH200 is shown instead of this machine's GPUs\n",
        r.err());
    assertEquals(run("gpus", "--simulate", "8xH200").out(), r.out());
    assertEquals(GpuPresets.inventory("8xH200"), GpuSnapshots.parse(json.out(), "stdout"));
  }

  @Test
  void gpus_fallbackPresetNotNeeded_nvmlIsShown() {
    CliRun r = run(nvmlReading(mixedHost()), "gpus", "--fallback-preset", "8xH200", "--json");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(mixedHost(), GpuSnapshots.parse(r.out(), "stdout"));
    assertEquals("", r.err());
  }

  @Test
  void gpus_fallbackPresetUnknown_exit2EvenWhenNvmlWorks() {
    CliRun r = run(nvmlReading(mixedHost()), "gpus", "--fallback-preset", "8xH900");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(
        r.err().startsWith("sglang-preflight gpus: GPU preset '8xH900' names no known GPU model"),
        r.err());
  }

  @Test
  void gpus_fallbackPresetWithSimulate_exit2() {
    CliRun r = run("gpus", "--simulate", "1xH100", "--fallback-preset", "8xH200");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight gpus: --fallback-preset only applies when NVML is read; drop it, or drop"
            + " --simulate\n"
            + "Run 'sglang-preflight gpus --help' for the options.\n",
        r.err());
  }

  @Test
  void gpus_sglangCommandGiven_exit2() {
    CliRun r = run("gpus", "--simulate", "1xH100", "--", "python3");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight gpus: there is no SGLang command to give here; drop -- and what follows"
            + " it (check and exec take one)\n"
            + "Run 'sglang-preflight gpus --help' for the options.\n",
        r.err());
  }

  @Test
  void cuda_driverVersionWord_asNvidiaSmiPrintsIt() {
    assertEquals("13.0", GpuText.cuda(13000));
    assertEquals("12.4", GpuText.cuda(12040));
    assertEquals("11.8", GpuText.cuda(11080));
  }
}
