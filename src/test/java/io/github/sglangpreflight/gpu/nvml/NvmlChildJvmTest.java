package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a fresh JVM sees: the legacy stub (an old driver without the _v2/_v3 symbols), the loading
 * overrides, and the "NVML not available" message. Each case needs its own JVM because native
 * libraries (and so the bindings) are global to a JVM; this one may already hold the current stub.
 */
class NvmlChildJvmTest {

  @TempDir Path tmp;

  private record Run(int exitCode, String stdout, String stderr) {}

  private Run run(List<String> properties, Map<String, String> environment, String mode)
      throws IOException, InterruptedException {
    return run(List.of("--enable-native-access=ALL-UNNAMED"), properties, environment, mode);
  }

  private Run run(
      List<String> jvmOptions,
      List<String> properties,
      Map<String, String> environment,
      String mode)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add("-Dnvml.stub.dir=" + System.getProperty("nvml.stub.dir", "target/nvml-stub"));
    command.addAll(properties);
    command.add(NvmlProbeMain.class.getName());
    command.add(mode);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove(NvmlLibrary.ENVIRONMENT);
    pb.environment().remove("LD_LIBRARY_PATH");
    pb.environment().putAll(environment);
    Path err = tmp.resolve("stderr.txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
    return new Run(p.exitValue(), out, Files.readString(err));
  }

  @Test
  void legacyDriver_memoryV1AndProcessesThroughTheUnversionedList() throws Exception {
    Run run = run(List.of(), Map.of(), "legacy-stub");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    assertEquals(
        "describe=NVML ("
            + NvmlStub.library("legacy").toRealPath()
            + ")\n"
            + "driver=470.256.02\n"
            + "gpu 0 NVIDIA H200 memory=V1 total=150754820096 reserved=unknown free=150109880320"
            + " used=644939776\n"
            + "gpu 0 process 4242 used=1073741824\n"
            + "gpu 0 process 4343 used=2147483648\n"
            + "note=process lists read through nvmlDeviceGetComputeRunningProcesses: driver"
            + " 470.256.02 has no nvmlDeviceGetComputeRunningProcesses_v3\n"
            + "note=memory read through nvmlDeviceGetMemoryInfo (v1): driver 470.256.02 has no"
            + " nvmlDeviceGetMemoryInfo_v2, so usedBytes includes the driver's reservation and"
            + " reservedBytes is unknown (freeBytes is exact)\n",
        run.stdout());
  }

  @Test
  void overridePropertyNamesAMissingFile_failsNamingItWithoutAStackTrace() throws Exception {
    Path missing = tmp.resolve("nowhere/libnvidia-ml.so.1");

    Run run = run(List.of("-Dsglang.preflight.nvml.library=" + missing), Map.of(), "read");

    assertEquals(3, run.exitCode(), run.stdout() + run.stderr());
    assertEquals(
        "ERROR: NVML not available: -Dsglang.preflight.nvml.library="
            + missing
            + " is unusable (no such file); point it at the driver's libnvidia-ml.so.1 or unset it"
            + " to search the usual places\n",
        run.stdout());
    assertFalse(run.stderr().contains("\tat "), run.stderr());
  }

  @Test
  void overridePropertyWinsOverTheEnvironment() throws Exception {
    Path current = NvmlStub.library("current");

    Run run =
        run(
            List.of("-Dsglang.preflight.nvml.library=" + current),
            Map.of(NvmlLibrary.ENVIRONMENT, tmp.resolve("absent.so").toString()),
            "read");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    assertTrue(
        run.stdout().startsWith("describe=NVML (" + current.toRealPath() + ")\n"), run.stdout());
  }

  @Test
  void overrideEnvironmentNamesANonLibrary_failsNamingIt() throws Exception {
    Path text = Files.writeString(tmp.resolve("libnvidia-ml.so.1"), "not a library\n");

    Run run = run(List.of(), Map.of(NvmlLibrary.ENVIRONMENT, text.toString()), "read");

    assertEquals(3, run.exitCode(), run.stdout() + run.stderr());
    assertTrue(
        run.stdout()
            .startsWith(
                "ERROR: NVML not available: SGLANG_PREFLIGHT_NVML_LIBRARY="
                    + text
                    + " is unusable (cannot be loaded: "),
        run.stdout());
    assertTrue(
        run.stdout()
            .endsWith(
                "); point it at the driver's libnvidia-ml.so.1 or unset it to search the usual"
                    + " places\n"),
        run.stdout());
  }

  @Test
  void nativeAccessDenied_saysHowToEnableIt() throws Exception {
    assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access arrived in JDK 24");
    Path current = NvmlStub.library("current");

    Run run =
        run(
            List.of("--illegal-native-access=deny"),
            List.of("-Dsglang.preflight.nvml.library=" + current),
            Map.of(),
            "read");

    assertEquals(3, run.exitCode(), run.stdout() + run.stderr());
    assertTrue(
        run.stdout()
            .startsWith("ERROR: NVML not usable: this JVM denies sglang-preflight native access ("),
        run.stdout());
    assertTrue(
        run.stdout()
            .endsWith(
                "); start java with --enable-native-access=ALL-UNNAMED (or with the module name of"
                    + " the sglang-preflight jar when it is on the module path)\n"),
        run.stdout());
  }

  @Test
  void noDriverOnThisMachine_listsEveryPlaceTried() throws Exception {
    assumeFalse(
        NvmlLibrary.DRIVER_DIRECTORIES.stream()
            .anyMatch(d -> Files.exists(d.resolve(NvmlLibrary.SONAME))),
        "this machine has an NVIDIA driver");
    Path cache = Path.of("/etc/ld.so.cache");
    assumeFalse(
        Files.isReadable(cache)
            && new String(Files.readAllBytes(cache), StandardCharsets.ISO_8859_1)
                .contains(NvmlLibrary.SONAME),
        "the ld.so cache lists libnvidia-ml.so.1");

    Run run = run(List.of(), Map.of(), "read");

    StringBuilder expected =
        new StringBuilder(
            "ERROR: NVML not available: tried -Dsglang.preflight.nvml.library and"
                + " SGLANG_PREFLIGHT_NVML_LIBRARY (both unset), libnvidia-ml.so.1 through the"
                + " dynamic linker (not on LD_LIBRARY_PATH or in the ld.so cache)");
    for (Path directory : NvmlLibrary.DRIVER_DIRECTORIES) {
      expected.append(", ").append(directory.resolve(NvmlLibrary.SONAME)).append(" (no such file)");
    }
    expected.append(
        "; install the NVIDIA driver or set -Dsglang.preflight.nvml.library=<path> (or"
            + " SGLANG_PREFLIGHT_NVML_LIBRARY)\n");
    assertEquals(3, run.exitCode(), run.stdout() + run.stderr());
    assertEquals(expected.toString(), run.stdout());
    assertFalse(run.stderr().contains("\tat "), run.stderr());
  }
}
