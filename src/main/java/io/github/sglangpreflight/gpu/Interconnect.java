package io.github.sglangpreflight.gpu;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a GPU talks to its peers: NVLink through an NVSwitch or a full mesh (SXM boards), NVLink
 * bridges between pairs, or PCIe only. SGLang's custom all-reduce and NCCL's buffers depend on it.
 *
 * @param kind the link class
 * @param activeNvLinks NVLink links NVML reports active (0 for PCIe; empty where not read)
 * @param pcieGeneration the maximum PCIe link generation, where read
 * @param pcieWidth the maximum PCIe link width (lanes), where read
 * @param source where the answer comes from (NVML, a preset's datasheet, a snapshot)
 */
public record Interconnect(
    Kind kind,
    OptionalInt activeNvLinks,
    OptionalInt pcieGeneration,
    OptionalInt pcieWidth,
    String source) {

  /** The link classes that change what SGLang and NCCL allocate. */
  public enum Kind {
    /** Every GPU of the board reaches every other over NVLink (NVSwitch or full mesh). */
    NVLINK,
    /** NVLink bridges join pairs of GPUs; other pairs meet over PCIe. */
    NVLINK_PAIRS,
    /** No NVLink: peers meet over PCIe (or the host). */
    PCIE,
    /** Not known (an old snapshot, NVML could not say). */
    UNKNOWN;

    /** The spelling of snapshots and presets: {@code nvlink}, {@code nvlink-pairs}, ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The kind of {@link #label()}. */
    public static Kind ofLabel(String label) {
      return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  public Interconnect {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(activeNvLinks, "activeNvLinks");
    Objects.requireNonNull(pcieGeneration, "pcieGeneration");
    Objects.requireNonNull(pcieWidth, "pcieWidth");
    Objects.requireNonNull(source, "source");
  }

  /** An interconnect nobody read. */
  public static Interconnect unknown() {
    return new Interconnect(
        Kind.UNKNOWN, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), "not read");
  }

  /** A kind from a preset or snapshot, without link counts. */
  public static Interconnect of(Kind kind, String source) {
    return new Interconnect(
        kind, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), source);
  }

  /**
   * What NVML read: NVLink when a link is active (pairs or a full board cannot be told apart from
   * one GPU's links; two or more active links on an SXM board are counted as {@link Kind#NVLINK}),
   * else PCIe.
   */
  public static Interconnect fromNvml(
      OptionalInt activeNvLinks, OptionalInt pcieGeneration, OptionalInt pcieWidth) {
    Kind kind;
    if (activeNvLinks.isEmpty()) {
      kind = pcieGeneration.isPresent() ? Kind.PCIE : Kind.UNKNOWN;
    } else if (activeNvLinks.getAsInt() >= 2) {
      kind = Kind.NVLINK;
    } else if (activeNvLinks.getAsInt() == 1) {
      kind = Kind.NVLINK_PAIRS;
    } else {
      kind = Kind.PCIE;
    }
    return new Interconnect(
        kind,
        activeNvLinks,
        pcieGeneration,
        pcieWidth,
        "NVML (nvmlDeviceGetNvLinkState, nvmlDeviceGetMaxPcieLinkGeneration/Width)");
  }

  /** True for {@link Kind#NVLINK}: SGLang's {@code is_full_nvlink} holds for any set of these. */
  public boolean fullNvLink() {
    return kind == Kind.NVLINK;
  }
}
