package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The prefill CUDA graphs (piecewise {@code tc_piecewise} from 0.5.10, {@code breakable} from
 * 0.5.15), from what a captured graph keeps, per SGLang's code (piecewise_cuda_graph_runner.py and
 * breakable_cuda_graph_runner.py @00381c02):
 *
 * <ul>
 *   <li>static inputs sized by the largest captured token count T: input_ids, positions and
 *       out_cache_loc, int64 each (24 B per token); a multimodal model adds input_embeds (H x
 *       dtype) and three mrope position rows (24 B);
 *   <li>the working set of the largest size: the sizes are captured largest first into one graph
 *       pool ("so that the smaller shapes can reuse the memory pool"), so the pool keeps one
 *       layer's peak over T tokens ({@link PrefillActivationsTerm#layer});
 *   <li>the breakable runner keeps each captured size's output (the layer stack's hidden states,
 *       tokens x H x dtype, in {@code output_buffers}), which the later sizes cannot reuse: the sum
 *       over the sizes; the tc_piecewise backend keeps weak references only
 *       (cuda_piecewise_backend.py {@code weak_ref_tensors}), so nothing beyond the pool;
 *   <li>SGLang's own 8 MiB of non-torch memory per size (reserve_for_graph_mb, from PR #15927's
 *       measurement), + 1024 MiB for the breakable graph with DeepEP where the version adds it.
 * </ul>
 *
 * Only the layer stack is captured: the logits run eagerly after replay (the runners capture {@code
 * model.model}, not the LM head), so the vocabulary does not enter these graphs. An MLA model keeps
 * SGLang's own 1536 MiB when the shapes come to less (its FA3 MLA capture overhead, not in the
 * shapes).
 */
final class CudaGraphPrefillTerm implements BudgetTerm<TermContext.Reserve> {

  /** SGLang's non-torch memory per captured size, MiB (reserve_for_graph_mb). */
  static final long NON_TORCH_MIB_PER_SIZE = 8;

  /** SGLang's own figure for an MLA model's prefill graphs, MiB (reserve_for_graph_mb). */
  static final long MLA_MIB = 1536;

  @Override
  public TermId id() {
    return TermId.CUDA_GRAPH_PREFILL;
  }

  @Override
  public long bytes(TermContext.Reserve c) {
    return total(c, null);
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!applies(p)) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    long bytes = total(c, parts);
    List<Integer> sizes = p.prefillGraphTokens();
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            p.prefillGraphBackend()
                + ", "
                + sizes.size()
                + " token sizes up to "
                + sizes.getLast()
                + ": "
                + String.join(" + ", parts),
            "piecewise_cuda_graph_runner.py (graph inputs, capture largest first into the shared"
                + " pool), breakable_cuda_graph_runner.py (_init_buffers, output_buffers per size)"
                + " @00381c02; non-torch 8 MiB per size, MLA 1536 MiB and DeepEP 1024 MiB from"
                + " reserve_for_graph_mb, memory_hook.py @a82da8da"));
  }

  private static boolean applies(LaunchPlan p) {
    return p.prefillGraphs() && !p.prefillGraphTokens().isEmpty();
  }

  /** The term's bytes; each part's text goes to {@code parts} unless it is null. */
  private static long total(TermContext.Reserve c, List<String> parts) {
    LaunchPlan p = c.plan();
    if (!applies(p)) {
      return 0;
    }
    ModelSpec s = c.spec();
    List<Integer> sizes = p.prefillGraphTokens();
    long t = sizes.getLast();
    long h = s.hiddenSize();
    int dtype = s.modelDtype(Optional.empty()).bytes();
    long sum = 0;
    for (int n : sizes) {
      sum += n;
    }

    long inputs = 24 * t + (s.multimodal() ? t * h * dtype + 24 * t : 0);
    PrefillActivationsTerm.Layer layer = PrefillActivationsTerm.layer(c, t);
    long working = layer.peak();
    boolean keepsOutputs = !p.prefillGraphBackend().equals("tc_piecewise");
    long outputs = keepsOutputs ? sum * h * dtype : 0;
    long nonTorch = NON_TORCH_MIB_PER_SIZE * MIB * sizes.size();
    long shapes = inputs + working + outputs + nonTorch;
    if (parts != null) {
      parts.add(
          "static inputs "
              + (s.multimodal() ? "(24 B + H x " + dtype + " B + 24 B mrope)" : "24 B")
              + " x "
              + t
              + " = "
              + Units.gib(inputs));
      parts.add(
          "largest size's layer peak max("
              + layer.attnF()
              + ", "
              + layer.mlpF()
              + ") = "
              + Units.gib(working));
      parts.add(
          keepsOutputs
              ? "outputs kept per size "
                  + sum
                  + " tokens x "
                  + h
                  + " x "
                  + dtype
                  + " B = "
                  + Units.gib(outputs)
              : "outputs weak-referenced (reused) 0");
      parts.add(
          "non-torch "
              + NON_TORCH_MIB_PER_SIZE
              + " MiB x "
              + sizes.size()
              + " = "
              + Units.gib(nonTorch));
    }
    long bytes = shapes;
    if (s.usesMla() && MLA_MIB * MIB > shapes) {
      bytes = MLA_MIB * MIB;
      if (parts != null) {
        parts.add("below SGLang's 1536 MiB for an MLA model: 1536 MiB");
      }
    }
    if (p.deepEp() && p.facts().breakablePrefillDeepEpTerm()) {
      bytes += 1024 * MIB;
      if (parts != null) {
        parts.add("1024 MiB (breakable graph with DeepEP)");
      }
    }
    return bytes;
  }
}
