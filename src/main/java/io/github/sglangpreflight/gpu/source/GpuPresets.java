package io.github.sglangpreflight.gpu.source;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Built-in inventories for machines without a GPU: {@code H200}, {@code 8xH200}, {@code
 * 2xA100-80GB}. Each preset GPU is what an idle GPU of that model reports through NVML: its exact
 * name, {@code memory.total}, the driver reservation, free = total − reserved, used 0, no process,
 * MIG disabled where the model has MIG. UUIDs and PCI bus ids are synthetic but well-formed and
 * deterministic; driver, NVML and CUDA versions are those of the measured H200 host.
 *
 * <p>The data lives in {@code gpu-presets.tsv} beside this class, with the source of every number
 * and whether it was measured, derived from public readings or estimated. The inventory's {@code
 * notes} name the numbers that are estimates. Thread-safe and stateless.
 */
public final class GpuPresets {

  /** Most GPUs of one preset inventory. */
  public static final int MAX_COUNT = 64;

  /** The driver version every preset reports (the measured H200 host's). */
  public static final String DRIVER_VERSION = "580.159.04";

  /** The NVML version every preset reports. */
  public static final String NVML_VERSION = "13.580.159.04";

  /** The CUDA driver version every preset reports (13.0). */
  public static final int CUDA_DRIVER_VERSION = 13000;

  private static final String RESOURCE = "gpu-presets.tsv";
  private static final String INPUT = "GPU preset";

  /** The longest preset spec read: the lazy name group below then backtracks over little. */
  static final int MAX_SPEC_CHARS = 128;

  private static final Pattern SPEC =
      Pattern.compile("\\s*(?:(\\d+)\\s*[xX]\\s*)?([A-Za-z0-9][A-Za-z0-9 ._-]*?)\\s*");

  /** PCI bus numbers of an 8-GPU HGX board; a ninth GPU starts the next PCI domain. */
  private static final int[] PCI_BUSES = {0x18, 0x2A, 0x3A, 0x5D, 0x9A, 0xAB, 0xBA, 0xDB};

  private GpuPresets() {}

  /** How a preset number was obtained. */
  public enum Status {
    /** Read by this project on the hardware. */
    MEASURED,
    /** Printed exactly in the public capture cited. */
    PUBLIC,
    /** Computed from public readings of that GPU model (an estimate: it depends on the driver). */
    DERIVED,
    /** Assumed from a similar GPU or rounded readings (an estimate). */
    ESTIMATE;

    /** True for {@link #DERIVED} and {@link #ESTIMATE}. */
    public boolean isEstimate() {
      return this == DERIVED || this == ESTIMATE;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One GPU model a preset can hold.
   *
   * @param key the preset name, e.g. {@code A100-80GB}
   * @param aliases further accepted names
   * @param name the NVML name, e.g. {@code NVIDIA A100-SXM4-80GB}
   * @param computeCapability e.g. 8.0
   * @param migSupported whether the model has MIG mode (then the preset reports it disabled)
   * @param totalMib {@code nvidia-smi memory.total} in MiB
   * @param totalStatus how {@code totalMib} was obtained
   * @param totalSource where it comes from
   * @param reservedBytes the NVML v2 reservation of an idle GPU
   * @param reservedStatus how {@code reservedBytes} was obtained
   * @param reservedSource where it comes from
   * @param cudaContextBytes GPU memory one PyTorch CUDA context takes on this GPU model
   * @param contextStatus how {@code cudaContextBytes} was obtained
   * @param contextSource where it comes from
   * @param interconnect the board's links in its usual (SXM / PCIe card) form
   * @param interconnectSource where that comes from
   */
  public record Preset(
      String key,
      List<String> aliases,
      String name,
      ComputeCapability computeCapability,
      boolean migSupported,
      long totalMib,
      Status totalStatus,
      String totalSource,
      long reservedBytes,
      Status reservedStatus,
      String reservedSource,
      long cudaContextBytes,
      Status contextStatus,
      String contextSource,
      Interconnect.Kind interconnect,
      String interconnectSource) {

    public Preset {
      Objects.requireNonNull(key, "key");
      aliases = List.copyOf(aliases);
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(computeCapability, "computeCapability");
      Objects.requireNonNull(totalStatus, "totalStatus");
      Objects.requireNonNull(totalSource, "totalSource");
      Objects.requireNonNull(reservedStatus, "reservedStatus");
      Objects.requireNonNull(reservedSource, "reservedSource");
      Objects.requireNonNull(contextStatus, "contextStatus");
      Objects.requireNonNull(contextSource, "contextSource");
      Objects.requireNonNull(interconnect, "interconnect");
      Objects.requireNonNull(interconnectSource, "interconnectSource");
      if (cudaContextBytes <= 0) {
        throw new IllegalArgumentException(
            "cudaContextBytes must be positive, was " + cudaContextBytes);
      }
      if (totalMib <= 0) {
        throw new IllegalArgumentException("totalMib must be positive, was " + totalMib);
      }
      if (reservedBytes < 0 || reservedBytes >= totalMib << 20) {
        throw new IllegalArgumentException(
            "reservedBytes must be between 0 and totalBytes, was " + reservedBytes);
      }
    }

    /** {@code totalMib} in bytes. */
    public long totalBytes() {
      return totalMib << 20;
    }

    /** The memory of an idle GPU of this model as NVML v2 reports it. */
    public GpuMemory idleMemory() {
      return GpuMemory.v2(totalBytes(), reservedBytes, totalBytes() - reservedBytes, 0);
    }
  }

  /**
   * The preset whose NVML name is {@code nvmlName} (exactly, ignoring case): the per-GPU-model
   * constants of a real GPU.
   */
  public static Optional<Preset> forNvmlName(String nvmlName) {
    Objects.requireNonNull(nvmlName, "nvmlName");
    return all().stream().filter(p -> p.name().equalsIgnoreCase(nvmlName.strip())).findFirst();
  }

  /** Every preset, in the order of the resource file. */
  public static List<Preset> all() {
    return Holder.PRESETS;
  }

  /** The preset with this name or alias (case-insensitive; '-', '_', ' ' and '.' are ignored). */
  public static Optional<Preset> find(String name) {
    Objects.requireNonNull(name, "name");
    String wanted = normalize(name);
    return Holder.PRESETS.stream()
        .filter(
            p ->
                normalize(p.key()).equals(wanted)
                    || p.aliases().stream().anyMatch(a -> normalize(a).equals(wanted)))
        .findFirst();
  }

  /**
   * The inventory of a preset spec: {@code H200} (one GPU) or {@code NxNAME} with 1 ≤ N ≤ 64, e.g.
   * {@code 8xH200}, {@code 2X a100-80gb}.
   *
   * @throws InvalidInputException when the spec is malformed, the count is out of range or the name
   *     is unknown; the message lists the known presets
   */
  public static GpuInventory inventory(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.length() > MAX_SPEC_CHARS) {
      throw new InvalidInputException(
          INPUT,
          String.format(
              Locale.ROOT,
              "GPU preset of %,d characters is longer than the %d a preset spec may have (e.g."
                  + " 8xH200)",
              spec.length(),
              MAX_SPEC_CHARS));
    }
    Matcher m = SPEC.matcher(spec);
    if (!m.matches()) {
      throw new InvalidInputException(
          INPUT,
          String.format(
              Locale.ROOT,
              "GPU preset '%s' is not of the form NAME or NxNAME (e.g. H200, 8xH200); known models:"
                  + " %s",
              spec,
              knownNames()));
    }
    int count = 1;
    if (m.group(1) != null) {
      String digits = m.group(1).replaceFirst("^0+(?=.)", "");
      count = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
      if (count < 1 || count > MAX_COUNT) {
        throw new InvalidInputException(
            INPUT,
            String.format(
                Locale.ROOT,
                "GPU preset '%s' asks for %s GPUs; a preset holds 1 to %d GPUs",
                spec,
                m.group(1),
                MAX_COUNT));
      }
    }
    String name = m.group(2);
    Preset preset =
        find(name)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        INPUT,
                        String.format(
                            Locale.ROOT,
                            "GPU preset '%s' names no known GPU model ('%s'); known models: %s;"
                                + " write NAME or NxNAME, e.g. 8xH200",
                            spec.strip(),
                            name,
                            knownNames())));
    return build(preset, count);
  }

  /** The inventory of {@code count} idle GPUs of {@code preset}. */
  public static GpuInventory build(Preset preset, int count) {
    Objects.requireNonNull(preset, "preset");
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException(
          "count must be between 1 and " + MAX_COUNT + ", was " + count);
    }
    List<Gpu> gpus = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      gpus.add(
          new Gpu(
              i,
              syntheticUuid(preset, i),
              syntheticPciBusId(i),
              preset.name(),
              Optional.of(preset.computeCapability()),
              preset.migSupported() ? Optional.of(MigMode.DISABLED) : Optional.empty(),
              preset.idleMemory(),
              List.of(),
              List.of(),
              Interconnect.of(
                  preset.interconnect(),
                  "preset " + preset.key() + ": " + preset.interconnectSource())));
    }
    return new GpuInventory(
        "preset:" + count + "x" + preset.key(),
        Optional.of(DRIVER_VERSION),
        Optional.of(NVML_VERSION),
        OptionalInt.of(CUDA_DRIVER_VERSION),
        gpus,
        List.of(),
        notes(preset, count));
  }

  /** The preset names and aliases as an error message lists them. */
  static String knownNames() {
    StringBuilder b = new StringBuilder();
    for (Preset p : Holder.PRESETS) {
      if (!b.isEmpty()) {
        b.append(", ");
      }
      b.append(p.key());
      if (!p.aliases().isEmpty()) {
        b.append(" (").append(String.join(", ", p.aliases())).append(')');
      }
    }
    return b.toString();
  }

  private static List<String> notes(Preset preset, int count) {
    List<String> notes = new ArrayList<>();
    notes.add(
        String.format(
            Locale.ROOT,
            "Preset %dx%s: %d idle %s GPU%s described from public data, not read from this host;"
                + " UUIDs and PCI bus ids are synthetic.",
            count,
            preset.key(),
            count,
            preset.name(),
            count == 1 ? "" : "s"));
    if (preset.totalStatus().isEstimate()) {
      notes.add(
          String.format(
              Locale.ROOT,
              "Preset %s: memory.total %d MiB is an estimate (%s).",
              preset.key(),
              preset.totalMib(),
              preset.totalSource()));
    }
    if (preset.reservedStatus().isEstimate()) {
      notes.add(
          String.format(
              Locale.ROOT,
              "Preset %s: the driver reservation of %d bytes (%.2f MiB) is an estimate, so free"
                  + " memory is too; the reservation depends on the driver version.",
              preset.key(),
              preset.reservedBytes(),
              preset.reservedBytes() / (double) (1L << 20)));
    }
    return notes;
  }

  private static String syntheticUuid(Preset preset, int index) {
    byte[] seed =
        ("sglang-preflight preset " + preset.key() + " gpu " + index)
            .getBytes(StandardCharsets.UTF_8);
    return "GPU-" + UUID.nameUUIDFromBytes(seed);
  }

  private static String syntheticPciBusId(int index) {
    return String.format(
        Locale.ROOT,
        "%08X:%02X:00.0",
        index / PCI_BUSES.length,
        PCI_BUSES[index % PCI_BUSES.length]);
  }

  static String normalize(String name) {
    return name.toUpperCase(Locale.ROOT).replaceAll("[-_ .]", "");
  }

  /** Loads the resource once, on first use. */
  private static final class Holder {
    static final List<Preset> PRESETS = load();

    private static List<Preset> load() {
      InputStream in = GpuPresets.class.getResourceAsStream(RESOURCE);
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
      }
      Map<String, Preset> byName = new LinkedHashMap<>();
      List<Preset> presets = new ArrayList<>();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        int lineNo = 0;
        boolean header = true;
        while ((line = r.readLine()) != null) {
          lineNo++;
          if (line.isBlank() || line.startsWith("#")) {
            continue;
          }
          if (header) {
            header = false;
            continue;
          }
          Preset p = parseRow(line, lineNo);
          presets.add(p);
          for (String n : names(p)) {
            Preset clash = byName.putIfAbsent(normalize(n), p);
            if (clash != null && clash != p) {
              throw new IllegalStateException(
                  RESOURCE + " line " + lineNo + ": name " + n + " is taken by " + clash.key());
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read resource " + RESOURCE, e);
      }
      return List.copyOf(presets);
    }

    private static List<String> names(Preset p) {
      List<String> names = new ArrayList<>();
      names.add(p.key());
      names.addAll(p.aliases());
      return names;
    }

    private static Preset parseRow(String line, int lineNo) {
      String[] f = line.split("\t", -1);
      if (f.length != 16) {
        throw new IllegalStateException(
            RESOURCE + " line " + lineNo + " has " + f.length + " columns, expected 16");
      }
      try {
        List<String> aliases = f[1].isBlank() ? List.of() : List.of(f[1].trim().split("\\s*,\\s*"));
        boolean mig =
            switch (f[4]) {
              case "supported" -> true;
              case "unsupported" -> false;
              default -> throw new IllegalArgumentException("mig must be supported or unsupported");
            };
        return new Preset(
            f[0],
            aliases,
            f[2],
            ComputeCapability.parse(f[3]),
            mig,
            Long.parseLong(f[5]),
            Status.valueOf(f[6].toUpperCase(Locale.ROOT)),
            f[7],
            Long.parseLong(f[8]),
            Status.valueOf(f[9].toUpperCase(Locale.ROOT)),
            f[10],
            Long.parseLong(f[11]) << 20,
            Status.valueOf(f[12].toUpperCase(Locale.ROOT)),
            f[13],
            Interconnect.Kind.ofLabel(f[14]),
            f[15]);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(RESOURCE + " line " + lineNo + ": " + e.getMessage(), e);
      }
    }
  }
}
