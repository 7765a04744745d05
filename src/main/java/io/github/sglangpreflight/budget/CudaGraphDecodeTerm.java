package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SwitchPoint;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The decode CUDA-graph capture, shape-based: the static inputs and backend buffers sized by the
 * largest batch, what each captured graph keeps (fp32 logits up to v0.4.10.post1, FA3 page-table
 * copies, flashinfer wrappers, graph executables), the largest working set paid once at the largest
 * batch, and an unattributed residual calibrated on public logs. The batch sizes are {@link
 * TermContext.Reserve#captureList()} (SGLang's list filtered by the request rows).
 */
final class CudaGraphDecodeTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.CUDA_GRAPH_DECODE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!p.decodeGraphs() || c.captureList().isEmpty()) {
      return Optional.empty();
    }
    List<Integer> list = c.captureList();
    long m = list.getLast();
    int n = list.size();
    int tpb = p.speculative().map(LaunchPlan.Speculative::draftTokens).orElse(1);
    List<String> breakdown = new ArrayList<>();
    long total = total(c, breakdown);
    return Optional.of(
        new BudgetItem(
            id(),
            total,
            n
                + " batch sizes up to "
                + m
                + (tpb > 1 ? " (x " + tpb + " draft tokens)" : "")
                + ": "
                + String.join(" + ", breakdown),
            "cuda_graph_runner.py L119-171, L333-458 @v0.4.5.post3; decode_cuda_graph_runner.py"
                + " L932-1031 @main; calibrated on PR #5893 (6.22 GB, bs<=256), PR #8579/#8567,"
                + " PR #12978 (docs/memory-model.md)"));
  }

  @Override
  public long bytes(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!p.decodeGraphs() || c.captureList().isEmpty()) {
      return 0;
    }
    return total(c, null);
  }

  /** The term's bytes; each part's text goes to {@code breakdown} unless it is null. */
  private static long total(TermContext.Reserve c, List<String> breakdown) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    ModelSpec s = c.spec();
    List<Integer> list = c.captureList();
    long m = list.getLast();
    long sum = 0;
    for (int b : list) {
      sum += b;
    }
    int n = list.size();
    int tpb = p.speculative().map(LaunchPlan.Speculative::draftTokens).orElse(1);
    long v = s.vocabSize();
    long h = s.hiddenSize();
    long ctx = p.contextLength();
    long page = Math.max(1, p.pageSize());
    int dtype = s.modelDtype(Optional.empty()).bytes();
    String backend = p.attentionBackend();
    long total = 0;

    // static inputs and buffers sized by max_bs
    long rows =
        p.parallelism().dpAttention()
            ? f.dpAttentionGatherRows(m, tpb, p.parallelism().dpSize())
            : 0;
    if (rows > 0) {
      long gather = rows * h * dtype;
      total += gather;
      if (breakdown != null) {
        breakdown.add("gathered buffer " + Units.gib(gather));
      }
    }
    if (!f.logitsKeptPerGraph()) {
      long buf = m * tpb * v * 4;
      total += buf;
      if (breakdown != null) {
        breakdown.add("shared logits buffer " + m * tpb + " x " + v + " x 4 B = " + Units.gib(buf));
      }
    }
    long backendStatic = backendStatic(c, m * tpb, backend);
    total += backendStatic;
    if (breakdown != null) {
      breakdown.add(backend + " graph buffers " + Units.gib(backendStatic));
    }

    // what each captured graph keeps
    long retained = 0;
    if (f.logitsKeptPerGraph()) {
      long logits = 4 * v * sum * tpb;
      retained += logits;
      if (breakdown != null) {
        breakdown.add(
            "fp32 logits kept per graph 4 x " + v + " x " + sum + " = " + Units.gib(logits));
      }
    }
    if (backend.equals("fa3") && f.fa3PageTablePerGraph()) {
      long pt = 4 * Units.ceilDiv(ctx, page) * sum * tpb;
      retained += pt;
      if (breakdown != null) {
        breakdown.add(
            "FA3 page-table copy per graph 4 x "
                + Units.ceilDiv(ctx, page)
                + " x "
                + sum
                + " = "
                + Units.gib(pt));
      }
    }
    if (backend.equals("flashinfer") || backend.equals("flashinfer_mla")) {
      int wrappers = s.slidingWindow().isPresent() ? 2 : 1;
      long fi = 8 * MIB * wrappers * n;
      retained += fi;
      if (breakdown != null) {
        breakdown.add(
            "flashinfer decode wrappers 8 MiB x "
                + wrappers
                + " x "
                + n
                + " graphs = "
                + Units.gib(fi));
      }
    }
    long nodes = (long) (0.1 * MIB) * c.layersOnRank() * n;
    retained += nodes;
    if (breakdown != null) {
      breakdown.add(
          "graph executables 0.1 MiB x "
              + c.layersOnRank()
              + " layers x "
              + n
              + " = "
              + Units.gib(nodes));
    }
    total += retained;

    // the largest working set, paid once at max bs
    long workingSet = transientPeak(c, m * tpb, m * tpb);
    total += workingSet;
    if (breakdown != null) {
      breakdown.add("working set at bs " + m + " " + Units.gib(workingSet));
    }

    long residual = (f.atLeast(SwitchPoint.GRAPH_RESIDUAL_500_MIB) ? 500 : 600) * MIB;
    total += residual;
    if (breakdown != null) {
      breakdown.add("unattributed residual " + Units.gib(residual));
    }
    return total;
  }

  /** The attention backend's static graph buffers for {@code rows} decode rows. */
  private static long backendStatic(TermContext.Reserve c, long rows, String backend) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    long ctx = p.contextLength();
    long page = Math.max(1, p.pageSize());
    int attnTp = p.parallelism().attnTpSize();
    switch (backend) {
      case "triton" -> {
        long heads = Math.max(1, s.numAttentionHeads() / attnTp);
        long dv = s.mla().map(ModelSpec.Mla::kvLoraRank).orElse(s.headDim());
        return rows * heads * 8 * dv * 4 + rows * heads * 8 * 4 + rows * ctx * 4 + rows * ctx;
      }
      case "flashinfer", "flashinfer_mla" -> {
        int wrappers = s.slidingWindow().isPresent() ? 2 : 1;
        return rows * ctx * 4 * wrappers + rows * ctx;
      }
      case "flashmla" -> {
        return rows * Units.ceilDiv(ctx + 64, 64) * 4;
      }
      default -> {
        // fa3 and the others: page tables [max_bs, ceil(ctx/page)] int32
        int tables = backend.equals("fa3") ? p.facts().fa3StaticTables() : 1;
        if (s.attentionChunkSize().isPresent() && backend.equals("fa3")) {
          tables++;
        }
        return tables * rows * Units.ceilDiv(ctx, page) * 4;
      }
    }
  }

  /**
   * The largest transient working set of one forward over {@code tokens} decode tokens, with the
   * MoE/MLP over {@code moeTokens}: max of the logits path, the MoE (or MLP) and one attention
   * layer, plus 32 MiB of cuBLAS workspace for the capture stream. The DP-attention allowance
   * ({@link CudaGraphDpAttentionTerm}) compares it over gathered tokens.
   */
  static long transientPeak(TermContext.Reserve c, long tokens, long moeTokens) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    long v = s.vocabSize();
    long h = s.hiddenSize();
    int tp = p.parallelism().tpSize();
    int attnTp = p.parallelism().attnTpSize();
    int moeTp = p.parallelism().moeTpSize();
    int dtype = s.modelDtype(Optional.empty()).bytes();
    long logits = (long) (tokens * v * (2.0 / tp + 4));
    long mlp;
    if (s.moe().isPresent()) {
      ModelSpec.Moe moe = s.moe().get();
      int k = moe.expertsPerToken() + (moe.sharedExperts() > 0 ? 1 : 0);
      long inter = moe.expertIntermediateSize();
      long nLocal = 2 * inter / moeTp;
      long experts = moe.numExperts();
      if (p.deepEp() && !p.deepEpMode().equals("normal")) {
        // DeepEP low latency: masked buffers sized by the dispatch limit, not by bs
        long eLocal = Math.max(1, experts / p.parallelism().epSize());
        long mRows = 128L * p.parallelism().epSize();
        mlp = eLocal * mRows * (2 * 2 * inter + inter + 2 * h);
      } else {
        mlp =
            moeTokens
                * (2L * k * Math.max(nLocal, h)
                    + (long) k * (inter / moeTp) * 2
                    + 5 * h
                    + 4 * experts);
      }
    } else {
      long inter = s.denseIntermediateSize().orElse(4 * s.hiddenSize());
      mlp = moeTokens * (3 * inter / tp) * dtype;
    }
    long heads = Math.max(1, s.numAttentionHeads() / attnTp);
    long attn;
    if (s.mla().isPresent()) {
      attn = (long) (tokens * heads * 2.3 * 1024);
    } else {
      long kvHeads = Math.max(1, s.numKeyValueHeads() / attnTp);
      attn = tokens * (2 * heads + 2 * kvHeads) * s.headDim() * dtype;
    }
    return 32 * MIB + Math.max(logits, Math.max(mlp, attn));
  }
}
