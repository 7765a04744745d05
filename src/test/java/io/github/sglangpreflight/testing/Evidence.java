package io.github.sglangpreflight.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.budget.BudgetItem;
import io.github.sglangpreflight.budget.BudgetModel;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The evidence tables of {@code src/test/resources/evidence} and the launches they describe: one
 * place for the TSV reader, the GPU specs ({@code H100} or {@code name:totalMiB:cc}), the budget
 * model of a logged launch and the GPUs that give it the logged T. Used by the start-up log, OOM
 * and evidence-document tests.
 */
public final class Evidence {
  private static final double GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(-?[0-9]+(?:\\.[0-9]+)?)");

  private Evidence() {}

  /** The rows of a TSV resource (comment lines start with {@code #}), keyed by the header. */
  public static List<Map<String, String>> rows(String resource) throws IOException {
    try (InputStream in = Evidence.class.getResourceAsStream(resource)) {
      if (in == null) {
        fail("missing resource " + resource);
      }
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.startsWith("#") && !l.isBlank())
              .toList();
      String[] header = lines.getFirst().split("\t", -1);
      List<Map<String, String>> out = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split("\t", -1);
        Map<String, String> row = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
          row.put(header[c], c < cells.length ? cells[c] : "");
        }
        out.add(row);
      }
      return out;
    }
  }

  /** The leading number of a cell such as {@code 22.01 (TP7)}. */
  public static double number(String cell) {
    Matcher m = LEADING_NUMBER.matcher(cell == null ? "" : cell);
    if (!m.find()) {
      fail("no number in cell '" + cell + "'");
    }
    return Double.parseDouble(m.group(1));
  }

  /** True when the cell starts with a number. */
  public static boolean hasNumber(String cell) {
    return cell != null && LEADING_NUMBER.matcher(cell).find();
  }

  /** {@code 63.48+15.11} → 78.59, {@code 78.81} → 78.81. */
  public static double sum(String spec) {
    return Arrays.stream(spec.split("\\+")).mapToDouble(Double::parseDouble).sum();
  }

  /** A launch's arguments, split at spaces. */
  public static List<String> args(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split(" +"));
  }

  /**
   * A GPU of a table: a preset, or {@code name:totalMiB:computeCapability} (idle: total minus 600
   * MiB free, NVML v1).
   */
  public record GpuSpec(
      String name,
      long totalMib,
      ComputeCapability cc,
      GpuMemory idle,
      Interconnect interconnect,
      boolean preset) {}

  public static GpuSpec gpu(String spec) {
    Optional<GpuPresets.Preset> preset = GpuPresets.find(spec);
    if (preset.isPresent()) {
      GpuPresets.Preset p = preset.get();
      return new GpuSpec(
          p.name(),
          p.totalMib(),
          p.computeCapability(),
          p.idleMemory(),
          Interconnect.of(p.interconnect(), "preset " + p.key() + ": " + p.interconnectSource()),
          true);
    }
    String[] parts = spec.split(":");
    long total = Long.parseLong(parts[1]);
    return new GpuSpec(
        parts[0],
        total,
        ComputeCapability.parse(parts[2]),
        GpuMemory.v1(total * MIB, (total - 600) * MIB, 600 * MIB),
        Interconnect.unknown(),
        false);
  }

  /** The memory of a GPU with {@code freeBytes} free (empty: idle). */
  private static GpuMemory memory(GpuSpec gpu, OptionalLong freeBytes) {
    if (freeBytes.isEmpty()) {
      return gpu.idle();
    }
    long free = freeBytes.getAsLong();
    long total = Math.max(gpu.totalMib() * MIB, free + MIB);
    return GpuMemory.v1(total, free, total - free);
  }

  /** The command line of a launch of {@code catalogModel} with {@code args}. */
  public static List<String> command(String catalogModel, List<String> args) {
    List<String> argv =
        new ArrayList<>(
            List.of("python3", "-m", "sglang.launch_server", "--model-path", catalogModel));
    argv.addAll(args);
    return argv;
  }

  /** The budget model of a launch on GPUs of {@code gpuSpec}, each with {@code freeBytes} free. */
  public static BudgetModel model(
      String version,
      String gpuSpec,
      String catalogModel,
      List<String> args,
      OptionalLong freeBytes) {
    LaunchCommand launch = LaunchCommand.parse(command(catalogModel, args), Map.of());
    int n = launch.serverArgs().parallelism().gpusPerNode();
    GpuSpec gpu = gpu(gpuSpec);
    List<BudgetModel.GpuSlot> slots = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      slots.add(
          new BudgetModel.GpuSlot(
              k,
              "GPU-00000000-0000-0000-0000-00000000000" + k,
              gpu.name(),
              Optional.of(gpu.cc()),
              memory(gpu, freeBytes)));
    }
    return BudgetModel.of(
        new BudgetModel.Request(
            SglangVersion.parse(version),
            launch,
            ModelCatalog.builtIn().describe(catalogModel).orElseThrow(),
            Optional.empty(),
            slots,
            OptionalLong.of(gpu.totalMib()),
            1L << 30,
            OptionalLong.empty()));
  }

  /** The free memory that makes the model's T equal {@code beforeGib}. */
  public static long freeForT(BudgetModel idle, double beforeGib) {
    long overheads =
        idle.at(0.5).worstGpu().overheadItems().stream().mapToLong(BudgetItem::bytes).sum();
    return Math.round(beforeGib * GIB) + overheads;
  }

  /**
   * {@code count} GPUs of {@code gpuSpec}, each with {@code freeBytes} free (empty: idle), as a
   * fixed inventory for {@code Preflight.check}.
   */
  public static GpuInventorySource inventory(String gpuSpec, int count, OptionalLong freeBytes) {
    GpuSpec gpu = gpu(gpuSpec);
    GpuInventory shape = GpuPresets.inventory(count + "xH100");
    List<Gpu> gpus = new ArrayList<>();
    for (Gpu g : shape.gpus()) {
      gpus.add(
          new Gpu(
              g.index(),
              g.uuid(),
              g.pciBusId(),
              gpu.name(),
              Optional.of(gpu.cc()),
              Optional.empty(),
              memory(gpu, freeBytes),
              List.of(),
              List.of(),
              gpu.interconnect()));
    }
    return GpuInventorySource.fixed(
        new GpuInventory(
            "evidence " + count + "x" + gpuSpec,
            shape.driverVersion(),
            shape.nvmlVersion(),
            shape.cudaDriverVersion(),
            gpus,
            List.of(),
            List.of()));
  }
}
