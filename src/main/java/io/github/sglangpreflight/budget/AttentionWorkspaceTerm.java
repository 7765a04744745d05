package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * The attention backend's preallocated workspace: flashinfer's float workspace (512 MiB for Qwen
 * families, 384 MiB otherwise) plus its ragged-prefill workspace; the other backends keep their
 * buffers in the CUDA graphs.
 */
final class AttentionWorkspaceTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.ATTENTION_WORKSPACE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    String backend = c.plan().attentionBackend();
    if (backend.equals("flashinfer")) {
      boolean qwen =
          c.spec().family() == ModelSpec.Family.QWEN2
              || c.spec().family() == ModelSpec.Family.QWEN3
              || c.spec().family() == ModelSpec.Family.QWEN2_MOE
              || c.spec().family() == ModelSpec.Family.QWEN3_MOE;
      long ws = (qwen ? 512 : 384) * MIB + 8 * MIB;
      return Optional.of(
          new BudgetItem(
              id(),
              ws,
              (qwen ? "512" : "384")
                  + " MiB flashinfer float workspace + 8 MiB ragged-prefill workspace",
              "global_config.py L36-38, flashinfer_backend.py L104-118 @v0.4.5.post3;"
                  + " flashinfer_backend.py L392-441 @main; matches the 0.44-0.63 GB logged"
                  + " between 'Memory pool end' and capture begin"));
    }
    return Optional.of(
        new BudgetItem(
            id(),
            0,
            backend + ": no preallocated workspace outside CUDA graphs",
            "the backend's init_forward_metadata (graph buffers are in the CUDA-graph term)"));
  }
}
