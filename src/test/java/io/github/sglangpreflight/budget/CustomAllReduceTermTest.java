package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.model.Parallelism;
import org.junit.jupiter.api.Test;

/** SGLang's custom all-reduce gates (custom_all_reduce.py L45, L83-141 @263bc85d). */
class CustomAllReduceTermTest {
  static final Interconnect NVLINK = Interconnect.of(Interconnect.Kind.NVLINK, "test");
  static final Interconnect PCIE = Interconnect.of(Interconnect.Kind.PCIE, "test");

  static Parallelism tp(int tp, int pp, int nnodes) {
    return new Parallelism(tp, pp, 1, 1, false, nnodes);
  }

  @Test
  void worldSizes_2_4_6_8_only() {
    assertTrue(CustomAllReduceTerm.enabledBySglang(tp(2, 1, 1), NVLINK));
    assertFalse(CustomAllReduceTerm.enabledBySglang(tp(3, 1, 1), NVLINK));
    assertTrue(CustomAllReduceTerm.enabledBySglang(tp(6, 1, 1), NVLINK));
    assertFalse(CustomAllReduceTerm.enabledBySglang(tp(16, 1, 2), NVLINK));
  }

  @Test
  void pcie_atMostTwoGpus() {
    assertTrue(CustomAllReduceTerm.enabledBySglang(tp(2, 1, 1), PCIE));
    assertFalse(CustomAllReduceTerm.enabledBySglang(tp(4, 1, 1), PCIE));
    assertFalse(
        CustomAllReduceTerm.enabledBySglang(
            tp(4, 1, 1), Interconnect.of(Interconnect.Kind.NVLINK_PAIRS, "test")));
    // not read: counted (the cautious side)
    assertTrue(CustomAllReduceTerm.enabledBySglang(tp(4, 1, 1), Interconnect.unknown()));
  }

  @Test
  void aTpGroupAcrossNodes_hasNone() {
    assertFalse(CustomAllReduceTerm.enabledBySglang(tp(8, 1, 2), NVLINK));
    // pp across the nodes, tp inside each
    assertTrue(CustomAllReduceTerm.enabledBySglang(tp(8, 2, 2), NVLINK));
  }
}
