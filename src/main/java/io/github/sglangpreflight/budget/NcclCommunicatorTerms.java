package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.gpu.Interconnect;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * The NCCL communicators of a launch, one term per process group: they share the measured costs of
 * a communicator, which live here once. Measured on H200s (driver 580.159.04, NCCL 2.28, 2 ranks).
 */
final class NcclCommunicatorTerms {

  /** Measured: the first NCCL communicator and one small all-reduce. */
  static final long FIRST_COMM_BYTES = 840 * MIB;

  /** Measured: a further process group. */
  static final long FURTHER_COMM_BYTES = 484 * MIB;

  /** Measured on 2×H200 (this project): the first all-to-all's peer buffers. */
  static final long ALL_TO_ALL_BYTES = 446 * MIB;

  private NcclCommunicatorTerms() {}

  /**
   * The provenance of the measured figures on a GPU with {@code link}: measured where the GPU has
   * NVLink/NVSwitch like the H200s they come from (or the link is unknown), borrowed elsewhere.
   * Over PCIe NCCL opens fewer channels and no NVLS (multicast) buffers, so the borrowed figure is
   * an upper bound; no PCIe communicator has been measured.
   */
  static String borrowed(Interconnect link) {
    return switch (link.kind()) {
      case NVLINK, UNKNOWN -> "";
      case NVLINK_PAIRS, PCIE ->
          "; borrowed: measured over H200 NVLink/NVSwitch, no "
              + link.kind().label()
              + " measurement (an upper bound: NCCL opens fewer channels and no NVLS buffers"
              + " there)";
    };
  }

  /** The TP group's pynccl communicator, created before T. */
  static final class TpGroup implements BudgetTerm<TermContext.BeforeT> {
    @Override
    public TermId id() {
      return TermId.NCCL_TP_GROUP;
    }

    @Override
    public Optional<BudgetItem> item(TermContext.BeforeT c) {
      if (c.plan().parallelism().tpSize() <= 1) {
        return Optional.empty();
      }
      return Optional.of(
          new BudgetItem(
              id(),
              FIRST_COMM_BYTES,
              "840 MiB: pynccl communicator and its warm-up all-reduce",
              "measured on H200s (h200-measurements.md); parallel_state.py L258-268"
                  + " @v0.4.5.post3"
                  + borrowed(c.gpu().interconnect())));
    }
  }

  /** The PP group's communicator, created before T: the first one without TP, else a further. */
  static final class PpGroup implements BudgetTerm<TermContext.BeforeT> {
    @Override
    public TermId id() {
      return TermId.NCCL_PP_GROUP;
    }

    @Override
    public Optional<BudgetItem> item(TermContext.BeforeT c) {
      Parallelism par = c.plan().parallelism();
      if (par.ppSize() <= 1) {
        return Optional.empty();
      }
      long bytes = par.tpSize() > 1 ? FURTHER_COMM_BYTES : FIRST_COMM_BYTES;
      return Optional.of(
          new BudgetItem(
              id(),
              bytes,
              (bytes / MIB)
                  + " MiB: "
                  + (par.tpSize() > 1 ? "a further" : "the first")
                  + " communicator",
              "measured on H200s (h200-measurements.md); parallel_state.py"
                  + " initialize_model_parallel"
                  + borrowed(c.gpu().interconnect())));
    }
  }

  /**
   * The default group's communicator: up to v0.4.6.post3 the all-reduce that takes the minimum free
   * memory creates it after T is read, inside the static pool.
   */
  static final class DefaultGroup implements BudgetTerm<TermContext.StaticPool> {
    @Override
    public TermId id() {
      return TermId.NCCL_DEFAULT_GROUP;
    }

    @Override
    public Optional<BudgetItem> item(TermContext.StaticPool c) {
      if (!c.facts().preLoadMinCreatesNcclCommunicator() || c.plan().parallelism().tpSize() <= 1) {
        return Optional.empty();
      }
      return Optional.of(
          new BudgetItem(
              id(),
              FURTHER_COMM_BYTES,
              "484 MiB: created by the all-reduce that takes the MIN of the free memory, after T"
                  + " is read",
              "utils.py L330-336 @v0.4.5.post3 (until v0.4.6.post3); measured cost of a further"
                  + " communicator"));
    }
  }

  /** Communicators SGLang creates lazily after start (first eager collectives, all-to-all). */
  static final class Lazy implements BudgetTerm<TermContext.Reserve> {
    @Override
    public TermId id() {
      return TermId.NCCL_LAZY;
    }

    @Override
    public Optional<BudgetItem> item(TermContext.Reserve c) {
      Parallelism par = c.plan().parallelism();
      if (par.tpSize() * par.ppSize() <= 1) {
        return Optional.empty();
      }
      long bytes = FURTHER_COMM_BYTES;
      String f =
          "484 MiB for the TP group's torch.distributed communicator (first eager collective)";
      if (par.epSize() > 1 || c.plan().deepEp()) {
        bytes += ALL_TO_ALL_BYTES;
        f += " + 446 MiB for the first all-to-all";
      }
      return Optional.of(
          new BudgetItem(
              id(),
              bytes,
              f,
              "measured on 2 H200s (NCCL 2.28): a further process group +484 MiB, the first"
                  + " all-to-all +446 MiB; not measured at 8 ranks; parallel_state.py L441-465"
                  + " @v0.4.5.post3"));
    }
  }
}
