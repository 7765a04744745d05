package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.term.TermId;
import java.util.Locale;
import java.util.Optional;

/**
 * The PyTorch CUDA context of each rank: taken before SGLang reads T. Its size depends on the GPU
 * model ({@link GpuPresets}: measured or estimated per model).
 */
final class CudaContextTerm implements BudgetTerm<TermContext.BeforeT> {

  /** An unknown GPU model is assumed to take what an idle H200 measured. */
  static final long UNKNOWN_GPU_BYTES = 621 * MIB;

  @Override
  public TermId id() {
    return TermId.CUDA_CONTEXT;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.BeforeT c) {
    String gpu = c.gpu().name();
    Optional<GpuPresets.Preset> preset = GpuPresets.forNvmlName(gpu);
    long ctx = preset.map(GpuPresets.Preset::cudaContextBytes).orElse(UNKNOWN_GPU_BYTES);
    return Optional.of(
        new BudgetItem(
            id(),
            ctx,
            String.format(Locale.ROOT, "%d MiB (PyTorch CUDA context on %s)", ctx / MIB, gpu),
            preset
                .map(
                    p ->
                        p.contextStatus().name().toLowerCase(Locale.ROOT)
                            + ": "
                            + p.contextSource())
                .orElse("estimate: unknown GPU model, the H200's measured 621 MiB assumed")));
  }
}
