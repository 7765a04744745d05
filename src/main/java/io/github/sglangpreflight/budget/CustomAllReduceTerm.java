package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.term.TermId;
import java.util.Optional;
import java.util.Set;

/**
 * SGLang's custom all-reduce buffers under TP: allocated before T, and only where SGLang enables
 * the custom all-reduce (custom_all_reduce.py @263bc85d): the TP group stays on one node (L83-89),
 * its size is 2, 4, 6 or 8 (L45, L97-105), and more than two GPUs need full NVLink (L135-141: "not
 * supported on more than two PCIe-only GPUs"). A GPU whose interconnect was not read is assumed to
 * allow it (the buffers are then counted, the cautious side).
 */
final class CustomAllReduceTerm implements BudgetTerm<TermContext.BeforeT> {

  /** custom_all_reduce.py L145-158 @v0.4.5.post3: 8 MiB buffer + 8 MiB rank data per rank. */
  static final long BYTES = 16 * MIB;

  /** {@code CustomAllreduce._SUPPORTED_WORLD_SIZES} (custom_all_reduce.py L45 @263bc85d). */
  static final Set<Integer> WORLD_SIZES = Set.of(2, 4, 6, 8);

  @Override
  public TermId id() {
    return TermId.CUSTOM_ALL_REDUCE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.BeforeT c) {
    Parallelism par = c.plan().parallelism();
    int tp = par.tpSize();
    if (tp <= 1 || !c.plan().customAllReduce() || !enabledBySglang(par, c.gpu().interconnect())) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "8 MiB IPC buffer + 8 MiB rank data",
            "custom_all_reduce.py L145-158 @v0.4.5.post3 (allocated before T); on for TP "
                + tp
                + " over "
                + c.gpu().interconnect().kind().label()
                + " (custom_all_reduce.py L83-141 @263bc85d)"));
  }

  /** Whether SGLang turns its custom all-reduce on for this TP group. */
  static boolean enabledBySglang(Parallelism par, Interconnect link) {
    int tp = par.tpSize();
    if (!WORLD_SIZES.contains(tp)) {
      return false;
    }
    if (par.nnodes() > 1 && par.ppSize() < par.nnodes()) {
      // the TP group spans nodes
      return false;
    }
    if (tp == 2 || link.kind() == Interconnect.Kind.UNKNOWN) {
      return true;
    }
    return link.fullNvLink();
  }
}
