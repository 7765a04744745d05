package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.gpu.nvml.NvmlInterconnect.Links;
import io.github.sglangpreflight.gpu.nvml.NvmlInterconnect.Peer;
import io.github.sglangpreflight.gpu.nvml.NvmlInterconnect.PeerAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The kind from what NVML answered, SGLang's is_full_nvlink rule (no NVML here). */
class NvmlInterconnectTest {
  private static final Links SXM = Links.read(18, 18);
  private static final Links NO_ANSWER =
      Links.unread("nvmlDeviceGetNvLinkState answered NVML_ERROR_NOT_SUPPORTED (3) for every link");

  private static List<PeerAnswer> peers(Peer... answers) {
    List<PeerAnswer> out = new ArrayList<>();
    for (int i = 0; i < answers.length; i++) {
      out.add(
          new PeerAnswer(
              i + 1,
              answers[i],
              answers[i] == Peer.UNKNOWN
                  ? Optional.of("nvmlDeviceGetP2PStatus answered X for GPU 0 and GPU " + (i + 1))
                  : Optional.empty()));
    }
    return out;
  }

  private static Interconnect.Kind kind(Links links, Peer... answers) {
    return NvmlInterconnect.classify(
            links, peers(answers), OptionalInt.empty(), OptionalInt.empty())
        .kind();
  }

  @Test
  void nvlinkToEveryPeer_isFullNvLink() {
    assertEquals(
        Interconnect.Kind.NVLINK,
        kind(SXM, Peer.NVLINK, Peer.NVLINK, Peer.NVLINK, Peer.NVLINK, Peer.NVLINK, Peer.NVLINK));
  }

  @Test
  void nvlinkToSomePeers_isPairs_toNone_isPcie() {
    assertEquals(Interconnect.Kind.NVLINK_PAIRS, kind(SXM, Peer.NVLINK, Peer.NO_NVLINK));
    assertEquals(Interconnect.Kind.PCIE, kind(NO_ANSWER, Peer.NO_NVLINK, Peer.NO_NVLINK));
  }

  @Test
  void anUnansweredPair_isUnknown_unlessNoLinkIsActive() {
    assertEquals(Interconnect.Kind.UNKNOWN, kind(SXM, Peer.NVLINK, Peer.UNKNOWN));
    assertEquals(Interconnect.Kind.UNKNOWN, kind(NO_ANSWER, Peer.UNKNOWN));
    assertEquals(Interconnect.Kind.PCIE, kind(Links.read(0, 12), Peer.UNKNOWN));
  }

  @Test
  void aLoneGpu_isUnknown_orPcieWithoutActiveLinks() {
    Interconnect alone =
        NvmlInterconnect.classify(SXM, List.of(), OptionalInt.of(5), OptionalInt.of(16));
    assertEquals(
        new Interconnect(
            Interconnect.Kind.UNKNOWN,
            OptionalInt.of(18),
            OptionalInt.of(5),
            OptionalInt.of(16),
            "NVML could not tell: no other GPU is visible to ask nvmlDeviceGetP2PStatus about;"
                + " nvmlDeviceGetNvLinkState: 18 of 18 links active"),
        alone);
    assertEquals(Interconnect.Kind.PCIE, kind(Links.read(0, 4)));
  }

  @Test
  void theSource_namesThePeersWithNvLink() {
    Interconnect pairs =
        NvmlInterconnect.classify(
            Links.read(12, 18),
            peers(Peer.NO_NVLINK, Peer.NVLINK, Peer.NO_NVLINK),
            OptionalInt.empty(),
            OptionalInt.empty());
    assertEquals(
        "NVML: nvmlDeviceGetP2PStatus reports NVLink to 1 of 3 other GPUs (GPU 2);"
            + " nvmlDeviceGetNvLinkState: 12 of 18 links active",
        pairs.source());
  }

  @Test
  void links_needACountOrAReason() {
    assertThrows(
        IllegalArgumentException.class, () -> new Links(OptionalInt.of(1), 1, Optional.of("both")));
    assertThrows(
        IllegalArgumentException.class, () -> new Links(OptionalInt.empty(), 0, Optional.empty()));
  }
}
