package io.github.sglangpreflight.cli;

import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.MigDevice;
import io.github.sglangpreflight.gpu.MigMode;
import io.github.sglangpreflight.gpu.UnreadableGpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code sglang-preflight gpus}: a small table per GPU, then the versions and notes.
 */
final class GpuText {
  private static final double GIB = 1L << 30;

  private GpuText() {}

  /**
   * @param inventory what was read
   * @param from where it was read, as {@code GpuInventorySource.describe()} says it
   * @param width the line width notes are wrapped to
   */
  static String render(GpuInventory inventory, String from, int width) {
    StringBuilder out = new StringBuilder();
    int count = inventory.gpus().size();
    out.append(
        String.format(
            Locale.ROOT,
            "%d GPU%s from %s%s%n",
            count,
            count == 1 ? "" : "s",
            from,
            inventory.unreadable().isEmpty()
                ? ""
                : String.format(
                    Locale.ROOT, " (%d more unreadable)", inventory.unreadable().size())));
    out.append("driver ")
        .append(inventory.driverVersion().orElse("unknown"))
        .append(", NVML ")
        .append(inventory.nvmlVersion().orElse("unknown"))
        .append(", CUDA ")
        .append(
            inventory.cudaDriverVersion().isPresent()
                ? cuda(inventory.cudaDriverVersion().getAsInt())
                : "unknown (libcuda not found)")
        .append('\n');
    for (Gpu g : inventory.gpus()) {
      out.append('\n');
      out.append("GPU ").append(g.index()).append("  ").append(g.name()).append('\n');
      row(out, "UUID", g.uuid());
      row(out, "PCI bus id", g.pciBusId());
      row(out, "compute cap.", g.computeCapability().map(Object::toString).orElse("unknown"));
      row(out, "MIG", mig(g));
      row(out, "memory", memory(g.memory()));
      row(out, "processes", g.processes().isEmpty() ? "none" : processes(g.processes()));
      if (!g.interconnect().equals(Interconnect.unknown())) {
        wrap(
            out,
            String.format(Locale.ROOT, "%-14s %s", "interconnect", interconnect(g.interconnect())),
            width,
            "  ",
            "                 ");
      }
      for (MigDevice d : g.migDevices()) {
        row(out, "MIG device " + d.index(), d.name() + ", " + d.uuid() + ", " + memory(d.memory()));
      }
    }
    if (!inventory.unreadable().isEmpty()) {
      out.append('\n').append("Unreadable\n");
      for (UnreadableGpu u : inventory.unreadable()) {
        wrap(out, "GPU " + u.index() + ": " + u.reason(), width, "  ", "    ");
      }
    }
    if (!inventory.notes().isEmpty()) {
      out.append('\n').append("Notes\n");
      for (String n : inventory.notes()) {
        wrap(out, "- " + n, width, "  ", "    ");
      }
    }
    return out.toString();
  }

  /**
   * {@code 13000} → {@code 13.0}, {@code 12040} → {@code 12.4}, as {@code nvidia-smi} prints it.
   */
  static String cuda(int version) {
    return (version / 1000) + "." + (version % 1000) / 10;
  }

  private static String mig(Gpu g) {
    if (g.migMode().isEmpty()) {
      return "not supported";
    }
    MigMode m = g.migMode().get();
    String now = m.currentEnabled() ? "on" : "off";
    String next =
        m.pendingEnabled() == m.currentEnabled()
            ? ""
            : " (turns " + (m.pendingEnabled() ? "on" : "off") + " at the next GPU reset)";
    String devices =
        m.currentEnabled()
            ? ", " + g.migDevices().size() + " instance" + (g.migDevices().size() == 1 ? "" : "s")
            : "";
    return now + devices + next;
  }

  /** {@code nvlink, 18 NVLink links active, PCIe 5 x16 [NVML: ...]}. */
  private static String interconnect(Interconnect link) {
    StringBuilder b = new StringBuilder(link.kind().label());
    link.activeNvLinks().ifPresent(n -> b.append(", ").append(n).append(" NVLink links active"));
    if (link.pcieGeneration().isPresent() || link.pcieWidth().isPresent()) {
      b.append(", PCIe");
      link.pcieGeneration().ifPresent(gen -> b.append(" gen ").append(gen));
      link.pcieWidth().ifPresent(w -> b.append(" x").append(w));
    }
    return b.append(" [").append(link.source()).append(']').toString();
  }

  private static String memory(GpuMemory m) {
    if (m.reservedBytes().isPresent()) {
      return String.format(
          Locale.ROOT,
          "total %s = reserved %s + used %s + free %s",
          gib(m.totalBytes()),
          gib(m.reservedBytes().getAsLong()),
          gib(m.usedBytes()),
          gib(m.freeBytes()));
    }
    return String.format(
        Locale.ROOT,
        "total %s, used %s (with the driver reservation: NVML v1), free %s",
        gib(m.totalBytes()),
        gib(m.usedBytes()),
        gib(m.freeBytes()));
  }

  private static String processes(List<GpuProcess> processes) {
    List<String> parts = new ArrayList<>();
    for (GpuProcess p : processes) {
      StringBuilder b = new StringBuilder("pid ").append(p.pid());
      p.name().ifPresent(n -> b.append(" (").append(n).append(')'));
      b.append(' ')
          .append(p.usedBytes().isPresent() ? gib(p.usedBytes().getAsLong()) : "size unknown");
      parts.add(b.toString());
    }
    return String.join(", ", parts);
  }

  private static void row(StringBuilder out, String name, String value) {
    out.append(String.format(Locale.ROOT, "  %-14s %s", name, value).stripTrailing()).append('\n');
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
  }

  /** Appends {@code text} wrapped at spaces to {@code width} columns. */
  static void wrap(StringBuilder out, String text, int width, String first, String rest) {
    String indent = first;
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (!line.isEmpty() && indent.length() + line.length() + 1 + word.length() > width) {
        out.append(indent).append(line).append('\n');
        line.setLength(0);
        indent = rest;
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
    }
    if (!line.isEmpty()) {
      out.append(indent).append(line).append('\n');
    }
  }
}
