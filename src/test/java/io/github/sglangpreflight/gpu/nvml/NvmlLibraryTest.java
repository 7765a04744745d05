package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.nvml.NvmlLibrary.Attempt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@link NvmlLibrary} looks and what it says, over a fake host (nothing is loaded), plus the
 * real host's refusals (which load nothing either).
 */
class NvmlLibraryTest {

  /** A host whose files are a set of paths that "load"; records every attempt. */
  private static final class FakeHost implements NvmlLibrary.Host {
    final Map<String, String> properties = new HashMap<>();
    final Map<String, String> environment = new HashMap<>();
    Set<Path> loadable = Set.of();
    Optional<Path> soname = Optional.empty();
    final List<String> attempts = new ArrayList<>();

    @Override
    public Optional<String> property(String name) {
      return Optional.ofNullable(properties.get(name));
    }

    @Override
    public Optional<String> environment(String name) {
      return Optional.ofNullable(environment.get(name));
    }

    @Override
    public Attempt loadSoname(String name) {
      attempts.add("soname " + name);
      return soname
          .map(Attempt::ok)
          .orElse(Attempt.failed("not on LD_LIBRARY_PATH or in the ld.so cache"));
    }

    @Override
    public Attempt loadFile(Path file) {
      attempts.add(file.toString());
      return loadable.contains(file) ? Attempt.ok(file) : Attempt.failed("no such file");
    }
  }

  private static final List<Path> DIRECTORIES = List.of(Path.of("/usr/lib64"), Path.of("/opt/nv"));

  @Test
  void find_propertyAndEnvironmentSet_propertyWins() {
    FakeHost host = new FakeHost();
    host.properties.put(NvmlLibrary.PROPERTY, "/a/libnvidia-ml.so.1");
    host.environment.put(NvmlLibrary.ENVIRONMENT, "/b/libnvidia-ml.so.1");
    host.loadable = Set.of(Path.of("/a/libnvidia-ml.so.1"), Path.of("/b/libnvidia-ml.so.1"));

    NvmlLibrary.Loaded loaded = NvmlLibrary.find(host, DIRECTORIES);

    assertEquals(
        new NvmlLibrary.Loaded(Path.of("/a/libnvidia-ml.so.1"), "-Dsglang.preflight.nvml.library"),
        loaded);
    assertEquals(List.of("/a/libnvidia-ml.so.1"), host.attempts);
  }

  @Test
  void find_environmentOnly_usesIt() {
    FakeHost host = new FakeHost();
    host.environment.put(NvmlLibrary.ENVIRONMENT, "/b/libnvidia-ml.so.1");
    host.loadable = Set.of(Path.of("/b/libnvidia-ml.so.1"));

    assertEquals(
        new NvmlLibrary.Loaded(Path.of("/b/libnvidia-ml.so.1"), "SGLANG_PREFLIGHT_NVML_LIBRARY"),
        NvmlLibrary.find(host, DIRECTORIES));
  }

  @Test
  void find_propertyUnusable_failsNamingItAndTriesNothingElse() {
    FakeHost host = new FakeHost();
    host.properties.put(NvmlLibrary.PROPERTY, "/nope/libnvidia-ml.so.1");
    host.soname = Optional.of(Path.of("/usr/lib64/libnvidia-ml.so.1"));
    host.loadable = Set.of(Path.of("/usr/lib64/libnvidia-ml.so.1"));

    GpuQueryException e =
        assertThrows(GpuQueryException.class, () -> NvmlLibrary.find(host, DIRECTORIES));

    assertEquals(
        "NVML not available: -Dsglang.preflight.nvml.library=/nope/libnvidia-ml.so.1 is unusable"
            + " (no such file); point it at the driver's libnvidia-ml.so.1 or unset it to search"
            + " the usual places",
        e.getMessage());
    assertEquals(List.of("/nope/libnvidia-ml.so.1"), host.attempts);
  }

  @Test
  void find_environmentUnusable_failsNamingIt() {
    FakeHost host = new FakeHost();
    host.environment.put(NvmlLibrary.ENVIRONMENT, "/nope/libnvidia-ml.so.1");

    GpuQueryException e =
        assertThrows(GpuQueryException.class, () -> NvmlLibrary.find(host, DIRECTORIES));

    assertEquals(
        "NVML not available: SGLANG_PREFLIGHT_NVML_LIBRARY=/nope/libnvidia-ml.so.1 is unusable (no"
            + " such file); point it at the driver's libnvidia-ml.so.1 or unset it to search the"
            + " usual places",
        e.getMessage());
  }

  @Test
  void find_relativeOverride_isMadeAbsolute() {
    FakeHost host = new FakeHost();
    host.properties.put(NvmlLibrary.PROPERTY, "lib/libnvidia-ml.so.1");
    Path absolute = Path.of("lib/libnvidia-ml.so.1").toAbsolutePath();
    host.loadable = Set.of(absolute);

    assertEquals(absolute, NvmlLibrary.find(host, DIRECTORIES).path());
  }

  @Test
  void find_blankOverrides_areTreatedAsUnset() {
    FakeHost host = new FakeHost();
    host.properties.put(NvmlLibrary.PROPERTY, " ");
    host.environment.put(NvmlLibrary.ENVIRONMENT, "");
    host.soname = Optional.of(Path.of("/usr/lib64/libnvidia-ml.so.580.159.04"));

    assertEquals(
        new NvmlLibrary.Loaded(
            Path.of("/usr/lib64/libnvidia-ml.so.580.159.04"), "the dynamic linker"),
        NvmlLibrary.find(host, DIRECTORIES));
  }

  @Test
  void find_sonameNotFound_triesTheDriverDirectoriesInOrder() {
    FakeHost host = new FakeHost();
    host.loadable = Set.of(Path.of("/opt/nv/libnvidia-ml.so.1"));

    NvmlLibrary.Loaded loaded = NvmlLibrary.find(host, DIRECTORIES);

    assertEquals(
        new NvmlLibrary.Loaded(Path.of("/opt/nv/libnvidia-ml.so.1"), "a driver directory"), loaded);
    assertEquals(
        List.of(
            "soname libnvidia-ml.so.1",
            "/usr/lib64/libnvidia-ml.so.1",
            "/opt/nv/libnvidia-ml.so.1"),
        host.attempts);
  }

  @Test
  void find_nothingAnywhere_listsEveryPlaceTriedAndWhy() {
    GpuQueryException e =
        assertThrows(GpuQueryException.class, () -> NvmlLibrary.find(new FakeHost(), DIRECTORIES));

    assertEquals(
        "NVML not available: tried -Dsglang.preflight.nvml.library and"
            + " SGLANG_PREFLIGHT_NVML_LIBRARY (both unset), libnvidia-ml.so.1 through the dynamic"
            + " linker (not on LD_LIBRARY_PATH or in the ld.so cache), /usr/lib64/libnvidia-ml.so.1"
            + " (no such file), /opt/nv/libnvidia-ml.so.1 (no such file); install the NVIDIA driver"
            + " or set -Dsglang.preflight.nvml.library=<path> (or SGLANG_PREFLIGHT_NVML_LIBRARY)",
        e.getMessage());
  }

  @Test
  void driverDirectories_holdOnlyTheSoname() {
    for (Path directory : NvmlLibrary.DRIVER_DIRECTORIES) {
      assertEquals(
          "libnvidia-ml.so.1", directory.resolve(NvmlLibrary.SONAME).getFileName().toString());
      assertTrue(directory.isAbsolute(), directory + " is absolute");
    }
  }

  // ------------------------------------------------------------------ the real host, refusing

  @Test
  void systemLoadFile_missingFile_saysNoSuchFile(@TempDir Path dir) {
    assertEquals(
        Attempt.failed("no such file"),
        NvmlLibrary.SYSTEM.loadFile(dir.resolve("libnvidia-ml.so.1")));
  }

  @Test
  void systemLoadFile_directory_saysItIsADirectory(@TempDir Path dir) {
    assertEquals(
        Attempt.failed("a directory, not the library file"), NvmlLibrary.SYSTEM.loadFile(dir));
  }

  @Test
  void systemLoadFile_notALibrary_saysItCannotBeLoaded(@TempDir Path dir) throws IOException {
    Path text = Files.writeString(dir.resolve("libnvidia-ml.so.1"), "not an ELF file\n");

    Attempt attempt = NvmlLibrary.SYSTEM.loadFile(text);

    assertEquals(Optional.empty(), attempt.loaded());
    assertTrue(
        attempt.failure().startsWith("cannot be loaded: ")
            && attempt.failure().contains(text.toString()),
        attempt.failure());
  }

  @Test
  void mappedFile_findsTheMappingHoldingTheAddress(@TempDir Path dir) throws IOException {
    Path maps =
        Files.writeString(
            dir.resolve("maps"),
            """
            55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 131 /usr/bin/java
            7f1a2b000000-7f1a2b021000 rw-p 00000000 00:00 0
            7f1a2c000000-7f1a2c100000 r-xp 00010000 08:01 4242 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04
            7f1a2c100000-7f1a2c101000 r--p 00110000 08:01 4242 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04
            7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
            """);

    assertEquals(
        Optional.of(Path.of("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04")),
        NvmlLibrary.mappedFile(maps, 0x7f1a2c0abcdeL));
    assertEquals(Optional.empty(), NvmlLibrary.mappedFile(maps, 0x7f1a2b000010L));
    assertEquals(Optional.empty(), NvmlLibrary.mappedFile(dir.resolve("absent"), 0x7f1a2c0abcdeL));
  }

  @Test
  void loadedRealPath_followsTheSonameSymlink(@TempDir Path dir) throws IOException {
    Path real = Files.writeString(dir.resolve("libnvidia-ml.so.580.159.04"), "x");
    Path link = Files.createSymbolicLink(dir.resolve("libnvidia-ml.so.1"), real.getFileName());

    assertEquals(real.toRealPath(), new NvmlLibrary.Loaded(link, "a driver directory").realPath());
  }
}
