package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.errors.GpuQueryException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and loads NVIDIA's {@code libnvidia-ml.so.1}, once per JVM.
 *
 * <p>Order: an explicit override (system property {@value #PROPERTY}, else environment variable
 * {@value #ENVIRONMENT}: the path of the file; when set and unusable, loading fails naming it and
 * nothing else is tried), then the soname through the dynamic linker's own search ({@code
 * LD_LIBRARY_PATH}, the ld.so cache), then the usual driver directories. Never the unversioned
 * {@code libnvidia-ml.so}, which only the development package installs.
 *
 * <p>The chosen file is loaded with {@link System#load}, so that {@link
 * SymbolLookup#loaderLookup()} in the bindings (same class loader) resolves NVML's symbols. Native
 * libraries are global to the JVM: the first successful load wins for the JVM's lifetime. A failed
 * attempt leaves nothing behind and is repeated on the next call. Nothing here throws from a static
 * initialiser.
 */
final class NvmlLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(NvmlLibrary.class);

  /** The soname: present on every driver install, unlike the -dev package's libnvidia-ml.so. */
  static final String SONAME = "libnvidia-ml.so.1";

  /** System property naming the library file; wins over {@link #ENVIRONMENT}. */
  static final String PROPERTY = "sglang.preflight.nvml.library";

  /** Environment variable naming the library file. */
  static final String ENVIRONMENT = "SGLANG_PREFLIGHT_NVML_LIBRARY";

  /** A symbol every NVML since R319 exports: proves that a loaded file is NVML. */
  static final String PROBE_SYMBOL = "nvmlInit_v2";

  /**
   * Where drivers put the library: distributions, NVIDIA's container toolkit, WSL, GPU operator.
   */
  static final List<Path> DRIVER_DIRECTORIES =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu"),
          Path.of("/usr/lib64"),
          Path.of("/usr/lib"),
          Path.of("/usr/local/nvidia/lib64"),
          Path.of("/usr/local/nvidia/lib"),
          Path.of("/usr/lib/wsl/lib"),
          Path.of("/usr/lib/aarch64-linux-gnu"),
          Path.of("/usr/lib/powerpc64le-linux-gnu"),
          Path.of("/lib/x86_64-linux-gnu"),
          Path.of("/lib64"),
          Path.of("/run/nvidia/driver/usr/lib/x86_64-linux-gnu"),
          Path.of("/run/nvidia/driver/usr/lib64"));

  private static final Object LOCK = new Object();
  private static volatile Loaded loaded;

  private NvmlLibrary() {}

  /**
   * The loaded library.
   *
   * @param path the file as found (the override's value made absolute, the file the dynamic linker
   *     mapped, or a driver directory's entry)
   * @param how how it was found, for logs: {@code -Dsglang.preflight.nvml.library}, {@code
   *     SGLANG_PREFLIGHT_NVML_LIBRARY}, {@code the dynamic linker} or {@code a driver directory}
   */
  record Loaded(Path path, String how) {
    Loaded {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(how, "how");
    }

    /**
     * The file behind symlinks ({@code libnvidia-ml.so.580.159.04}); the path itself if unknown.
     */
    Path realPath() {
      try {
        return path.toRealPath();
      } catch (IOException | SecurityException e) {
        return path;
      }
    }
  }

  /** What the search needs from the machine; {@link #SYSTEM} is the real one, tests fake it. */
  interface Host {
    /** A system property, empty when unset. */
    Optional<String> property(String name);

    /** An environment variable, empty when unset. */
    Optional<String> environment(String name);

    /** Loads {@code soname} through the dynamic linker's search; the loaded file or why not. */
    Attempt loadSoname(String soname);

    /** Loads this file; the file or why not ("no such file", "cannot be loaded: ..."). */
    Attempt loadFile(Path file);
  }

  /**
   * One place tried.
   *
   * @param loaded the file loaded, empty when it failed
   * @param failure why it failed, e.g. {@code no such file}; empty on success
   */
  record Attempt(Optional<Path> loaded, String failure) {
    Attempt {
      Objects.requireNonNull(loaded, "loaded");
      Objects.requireNonNull(failure, "failure");
    }

    static Attempt ok(Path file) {
      return new Attempt(Optional.of(file), "");
    }

    static Attempt failed(String why) {
      return new Attempt(Optional.empty(), why);
    }
  }

  /**
   * Loads NVML unless this JVM already has.
   *
   * @throws GpuQueryException with every place tried and why it failed, or naming the unusable
   *     override
   */
  static Loaded load() {
    Loaded current = loaded;
    if (current != null) {
      return current;
    }
    synchronized (LOCK) {
      if (loaded == null) {
        Loaded found;
        try {
          found = find(SYSTEM, DRIVER_DIRECTORIES);
        } catch (IllegalCallerException e) {
          throw nativeAccessDenied(e);
        }
        LOG.debug("NVML library {} (found through {})", found.path(), found.how());
        loaded = found;
      }
      return loaded;
    }
  }

  /**
   * The JVM refuses this code native access (--illegal-native-access=deny, or another module
   * named).
   */
  static GpuQueryException nativeAccessDenied(RuntimeException cause) {
    return new GpuQueryException(
        "NVML not usable: this JVM denies sglang-preflight native access ("
            + cause.getMessage()
            + "); start java with --enable-native-access=ALL-UNNAMED (or with the module name of"
            + " the sglang-preflight jar when it is on the module path)",
        cause);
  }

  /** The library this JVM loaded, empty before the first successful {@link #load()}. */
  static Optional<Loaded> loadedLibrary() {
    return Optional.ofNullable(loaded);
  }

  /** The search itself, on any host: the override, then the soname, then {@code directories}. */
  static Loaded find(Host host, List<Path> directories) {
    Optional<String> property = host.property(PROPERTY).filter(v -> !v.isBlank());
    Optional<String> environment = host.environment(ENVIRONMENT).filter(v -> !v.isBlank());
    if (property.isPresent() || environment.isPresent()) {
      String setting = property.isPresent() ? "-D" + PROPERTY : ENVIRONMENT;
      String value = property.isPresent() ? property.get() : environment.get();
      return loadOverride(host, setting, value.strip());
    }
    List<String> tried = new ArrayList<>();
    tried.add("-D" + PROPERTY + " and " + ENVIRONMENT + " (both unset)");
    Attempt bySoname = host.loadSoname(SONAME);
    if (bySoname.loaded().isPresent()) {
      return new Loaded(bySoname.loaded().get(), "the dynamic linker");
    }
    tried.add(SONAME + " through the dynamic linker (" + bySoname.failure() + ")");
    for (Path directory : directories) {
      Path file = directory.resolve(SONAME);
      Attempt attempt = host.loadFile(file);
      if (attempt.loaded().isPresent()) {
        return new Loaded(attempt.loaded().get(), "a driver directory");
      }
      tried.add(file + " (" + attempt.failure() + ")");
    }
    throw new GpuQueryException(
        "NVML not available: tried "
            + String.join(", ", tried)
            + "; install the NVIDIA driver or set -D"
            + PROPERTY
            + "=<path> (or "
            + ENVIRONMENT
            + ")");
  }

  private static Loaded loadOverride(Host host, String setting, String value) {
    Attempt attempt;
    try {
      attempt = host.loadFile(Path.of(value).toAbsolutePath().normalize());
    } catch (InvalidPathException e) {
      attempt = Attempt.failed("not a valid path: " + e.getReason());
    }
    if (attempt.loaded().isPresent()) {
      return new Loaded(attempt.loaded().get(), setting);
    }
    throw new GpuQueryException(
        "NVML not available: "
            + setting
            + "="
            + value
            + " is unusable ("
            + attempt.failure()
            + "); point it at the driver's "
            + SONAME
            + " or unset it to search the usual places");
  }

  /** The real machine: System.load, the dynamic linker, /proc/self/maps. */
  static final Host SYSTEM =
      new Host() {
        @Override
        public Optional<String> property(String name) {
          return Optional.ofNullable(System.getProperty(name));
        }

        @Override
        public Optional<String> environment(String name) {
          return Optional.ofNullable(System.getenv(name));
        }

        @Override
        @SuppressWarnings("restricted")
        public Attempt loadSoname(String soname) {
          try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lookup;
            try {
              lookup = SymbolLookup.libraryLookup(soname, arena);
            } catch (IllegalArgumentException e) {
              return Attempt.failed("not on LD_LIBRARY_PATH or in the ld.so cache");
            }
            Optional<MemorySegment> probe = lookup.find(PROBE_SYMBOL);
            if (probe.isEmpty()) {
              return Attempt.failed("the library it found exports no " + PROBE_SYMBOL);
            }
            Optional<Path> file = mappedFile(Path.of("/proc/self/maps"), probe.get().address());
            if (file.isEmpty()) {
              return Attempt.failed("found, but its file is not visible in /proc/self/maps");
            }
            // Loaded while the lookup still holds the library, so that it is never unmapped
            // between.
            return loadFile(file.get());
          }
        }

        @Override
        public Attempt loadFile(Path file) {
          if (!Files.exists(file)) {
            return Attempt.failed("no such file");
          }
          if (Files.isDirectory(file)) {
            return Attempt.failed("a directory, not the library file");
          }
          try {
            System.load(file.toAbsolutePath().toString());
          } catch (UnsatisfiedLinkError | SecurityException e) {
            return Attempt.failed("cannot be loaded: " + e.getMessage());
          }
          if (SymbolLookup.loaderLookup().find(PROBE_SYMBOL).isEmpty()) {
            return Attempt.failed("not an NVML library: it exports no " + PROBE_SYMBOL);
          }
          return Attempt.ok(file.toAbsolutePath());
        }
      };

  /**
   * The file mapped at {@code address} according to a {@code /proc/<pid>/maps} listing ({@code
   * start-end perms offset dev inode path}); empty when unreadable or not file-backed.
   */
  static Optional<Path> mappedFile(Path maps, long address) {
    List<String> lines;
    try {
      lines = Files.readAllLines(maps);
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    for (String line : lines) {
      String[] fields = line.trim().split("\\s+", 6);
      if (fields.length < 6 || !fields[5].startsWith("/")) {
        continue;
      }
      String[] range = fields[0].split("-", 2);
      if (range.length != 2) {
        continue;
      }
      try {
        long start = Long.parseUnsignedLong(range[0], 16);
        long end = Long.parseUnsignedLong(range[1], 16);
        if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
          return Optional.of(Path.of(fields[5]));
        }
      } catch (NumberFormatException e) {
        // not a maps line
      }
    }
    return Optional.empty();
  }
}
