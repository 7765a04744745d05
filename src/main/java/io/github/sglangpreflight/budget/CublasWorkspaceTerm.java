package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** cuBLAS's workspace and handles, created at the first GEMM after the pool. */
final class CublasWorkspaceTerm implements BudgetTerm<TermContext.Reserve> {

  /** Measured on an H200: the first bf16 GEMM's cuBLAS workspace and handles, beyond tensors. */
  static final long BYTES = 64 * MIB;

  @Override
  public TermId id() {
    return TermId.CUBLAS_WORKSPACE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "64 MiB beyond tensors at the first GEMM",
            "measured on an H200 (h200-measurements.md); init_cublas model_runner.py L870-877"
                + " @v0.4.5.post3"));
  }
}
