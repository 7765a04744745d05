package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.gpu.Interconnect;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * How one GPU reaches its peers, from what NVML answered: pure, no NVML call here.
 *
 * <p>The kind follows SGLang's own test. SGLang turns its custom all-reduce on for more than two
 * GPUs only when {@code is_full_nvlink} holds: {@code nvmlDeviceGetP2PStatus(a, b,
 * NVML_P2P_CAPS_INDEX_NVLINK)} answers {@code NVML_P2P_STATUS_OK} for every pair of the TP group,
 * and any other status, or an NVML error, counts as "not NVLink" (custom_all_reduce_utils.py {@code
 * is_full_nvlink} @0cd72ba4; its caller custom_all_reduce.py @004e6561). Here every other readable
 * GPU of the host is a peer:
 *
 * <ul>
 *   <li>NVLink to every peer: {@link Interconnect.Kind#NVLINK};
 *   <li>NVLink to some peers only (bridged pairs, islands): {@link Interconnect.Kind#NVLINK_PAIRS};
 *   <li>NVLink to none: {@link Interconnect.Kind#PCIE}; also where a pair went unanswered but the
 *       GPU has no active NVLink link ({@code nvmlDeviceGetNvLinkState}), which rules NVLink out;
 *   <li>a pair NVML could not answer for, or no peer to ask about: {@link
 *       Interconnect.Kind#UNKNOWN}, which the budget treats as NVLink (the cautious side: the
 *       custom all-reduce buffers counted, the NCCL figures measured over NVLink used as they are).
 * </ul>
 *
 * <p>Where NVML errs, SGLang says "not NVLink" and this says "unknown": the report must not claim
 * what NVML did not answer, and the budget then counts the larger side.
 */
final class NvmlInterconnect {

  private NvmlInterconnect() {}

  /** What {@code nvmlDeviceGetP2PStatus(gpu, peer, NVLINK)} said about one pair. */
  enum Peer {
    NVLINK,
    NO_NVLINK,
    UNKNOWN
  }

  /**
   * One GPU's own NVLink links.
   *
   * @param active links answering {@code NVML_FEATURE_ENABLED}; empty where not read
   * @param present links answering at all (the GPU's link count)
   * @param why why {@code active} is empty, e.g. {@code nvmlDeviceGetNvLinkState answered
   *     NVML_ERROR_NOT_SUPPORTED (3)}; empty when read
   */
  record Links(OptionalInt active, int present, Optional<String> why) {
    Links {
      Objects.requireNonNull(active, "active");
      Objects.requireNonNull(why, "why");
      if (active.isPresent() == why.isPresent()) {
        throw new IllegalArgumentException("links need a count or a reason, not both");
      }
    }

    static Links read(int active, int present) {
      return new Links(OptionalInt.of(active), present, Optional.empty());
    }

    static Links unread(String why) {
      return new Links(OptionalInt.empty(), 0, Optional.of(why));
    }
  }

  /**
   * The answer about one peer.
   *
   * @param peerIndex the peer's NVML index
   * @param peer what NVML said
   * @param why for {@link Peer#UNKNOWN}, the call and its return code
   */
  record PeerAnswer(int peerIndex, Peer peer, Optional<String> why) {
    PeerAnswer {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(why, "why");
    }
  }

  /** The interconnect of a GPU with {@code links}, {@code peers} and its PCIe link. */
  static Interconnect classify(
      Links links, List<PeerAnswer> peers, OptionalInt pcieGeneration, OptionalInt pcieWidth) {
    Interconnect.Kind kind;
    String what;
    List<PeerAnswer> unknown = peers.stream().filter(p -> p.peer() == Peer.UNKNOWN).toList();
    List<Integer> nvlink =
        peers.stream().filter(p -> p.peer() == Peer.NVLINK).map(PeerAnswer::peerIndex).toList();
    if (!peers.isEmpty() && unknown.isEmpty()) {
      if (nvlink.size() == peers.size()) {
        kind = Interconnect.Kind.NVLINK;
        what =
            peers.size() == 1
                ? "NVML: nvmlDeviceGetP2PStatus reports NVLink to the other GPU"
                : "NVML: nvmlDeviceGetP2PStatus reports NVLink to all "
                    + peers.size()
                    + " other GPUs";
      } else if (!nvlink.isEmpty()) {
        kind = Interconnect.Kind.NVLINK_PAIRS;
        what =
            String.format(
                Locale.ROOT,
                "NVML: nvmlDeviceGetP2PStatus reports NVLink to %d of %d other GPUs (GPU %s)",
                nvlink.size(),
                peers.size(),
                nvlink.stream().map(String::valueOf).collect(Collectors.joining(", ")));
      } else {
        kind = Interconnect.Kind.PCIE;
        what =
            peers.size() == 1
                ? "NVML: nvmlDeviceGetP2PStatus reports no NVLink to the other GPU"
                : "NVML: nvmlDeviceGetP2PStatus reports no NVLink to any of the "
                    + peers.size()
                    + " other GPUs";
      }
    } else if (links.active().isPresent() && links.active().getAsInt() == 0) {
      kind = Interconnect.Kind.PCIE;
      what = "NVML: no NVLink link is active";
    } else if (peers.isEmpty()) {
      kind = Interconnect.Kind.UNKNOWN;
      what = "NVML could not tell: no other GPU is visible to ask nvmlDeviceGetP2PStatus about";
    } else {
      kind = Interconnect.Kind.UNKNOWN;
      what = "NVML could not tell: " + unknown.getFirst().why().orElse("no answer");
    }
    String linkPart =
        links.active().isPresent()
            ? String.format(
                Locale.ROOT,
                "nvmlDeviceGetNvLinkState: %d of %d links active",
                links.active().getAsInt(),
                links.present())
            : links.why().orElseThrow();
    return new Interconnect(
        kind, links.active(), pcieGeneration, pcieWidth, what + "; " + linkPart);
  }
}
