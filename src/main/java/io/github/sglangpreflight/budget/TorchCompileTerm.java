package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.GIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** Inductor's buffers for the batch sizes {@code --enable-torch-compile} compiles. An estimate. */
final class TorchCompileTerm implements BudgetTerm<TermContext.Reserve> {

  static final long BYTES = GIB / 2;

  @Override
  public TermId id() {
    return TermId.TORCH_COMPILE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    if (!c.plan().torchCompile()) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "0.5 GiB for Inductor buffers of the compiled batch sizes",
            "estimate: not modelled by SGLang (cuda_graph_runner.py L88-116 @v0.4.5.post3)"));
  }
}
