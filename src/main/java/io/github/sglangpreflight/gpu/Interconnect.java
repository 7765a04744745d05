package io.github.sglangpreflight.gpu;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a GPU talks to its peers: NVLink through an NVSwitch or a full mesh (SXM boards), NVLink
 * bridges between pairs, or PCIe only. SGLang's custom all-reduce and NCCL's buffers depend on it.
 *
 * <p>From NVML the kind follows SGLang's own test, {@code nvmlDeviceGetP2PStatus} with the NVLink
 * capability for every pair of GPUs (see docs/gpu-snapshot.md, "Interconnect"); from a preset it is
 * the board's usual form; from a snapshot, what the snapshot says.
 *
 * @param kind the link class
 * @param activeNvLinks NVLink links {@code nvmlDeviceGetNvLinkState} reports active (0: none
 *     active); empty where not read (presets, or a GPU where NVML answers no link)
 * @param pcieGeneration the highest PCIe generation device and host share ({@code
 *     nvmlDeviceGetMaxPcieLinkGeneration}), where read
 * @param pcieWidth the widest PCIe link device and host share, in lanes ({@code
 *     nvmlDeviceGetMaxPcieLinkWidth}), where read
 * @param source where the answer comes from and why: {@code NVML: ...}, {@code NVML could not tell:
 *     ...}, {@code preset H200: ...}, or the text a snapshot carries ({@code snapshot} when it
 *     carries none)
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
    /**
     * NVLink to some peers, not all: bridged pairs (H100 NVL, A100 PCIe with bridges) or islands;
     * the other pairs meet over PCIe.
     */
    NVLINK_PAIRS,
    /** No NVLink: peers meet over PCIe (or the host). */
    PCIE,
    /**
     * Not known (an old snapshot, NVML could not say): the budget takes the NVLink side, which
     * counts more memory.
     */
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

  /** True for {@link Kind#NVLINK}: SGLang's {@code is_full_nvlink} holds for any set of these. */
  public boolean fullNvLink() {
    return kind == Kind.NVLINK;
  }
}
