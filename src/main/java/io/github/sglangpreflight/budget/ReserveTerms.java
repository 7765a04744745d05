package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SwitchPoint;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The memory SGLang takes out of {@code T·(1 − mem_fraction_static)} after the KV pool exists, term
 * by term, for one GPU. Pure. Formulas and sources: docs/memory-model.md §4; the shapes come from
 * SGLang's code at each version, the constants from public logs and H200 measurements.
 */
final class ReserveTerms {

  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  /** Measured on H200s (driver 580.159.04, NCCL 2.28, 2 ranks): a further process group. */
  static final long NCCL_FURTHER_COMM_BYTES = 484 * MIB;
  /** Measured: the first NCCL communicator and one small all-reduce. */
  static final long NCCL_FIRST_COMM_BYTES = 840 * MIB;
  /** Measured on 2×H200 (this project): the first all-to-all's peer buffers. */
  static final long NCCL_ALL_TO_ALL_BYTES = 446 * MIB;
  /** custom_all_reduce.py L145-158 @v0.4.5.post3: 8 MiB buffer + 8 MiB rank data per rank. */
  static final long CUSTOM_ALL_REDUCE_BYTES = 16 * MIB;
  /** Measured on an H200: the first bf16 GEMM's cuBLAS workspace and handles, beyond tensors. */
  static final long CUBLAS_BYTES = 64 * MIB;

  private ReserveTerms() {}

  /** What the reserve terms need to know about one GPU at one fraction. */
  record Context(
      LaunchPlan plan,
      ModelSpec spec,
      int layersOnRank,
      long kvTokens,
      int requestRows,
      int maxRunningPerRank,
      List<Integer> captureList,
      boolean firstRankOnNode,
      long preWarmupAvailableBytes) {}

  /** The terms allocated after the pool and before any warm-up (the first phase). */
  static List<BudgetItem> afterPool(Context c) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    List<BudgetItem> items = new ArrayList<>();
    items.add(requestTable(c));
    long page = Math.max(1, p.pageSize());
    long freeList = 8L * ceilDiv(c.kvTokens(), page);
    items.add(
        new BudgetItem(
            "KV free list",
            freeList,
            String.format(
                Locale.ROOT,
                "8 B (int64) x %s %s",
                count(ceilDiv(c.kvTokens(), page)),
                page > 1 ? "pages" : "tokens"),
            "mem_cache/memory_pool.py L196-197 @v0.4.5.post3; allocator/token.py L42-49 @main"));
    if (f.eagerInputBuffers()) {
      long tokens = Math.max(c.kvTokens(), p.maxPrefillTokens());
      items.add(
          new BudgetItem(
              "eager input buffers",
              48 * tokens,
              "48 B (input_ids, positions, out_cache_loc, 3 mrope rows, int64) x " + count(tokens),
              "runner/eager_runner.py L69-140 @main"));
    }
    items.add(attentionWorkspace(c));
    items.add(
        new BudgetItem(
            "cuBLAS workspace",
            CUBLAS_BYTES,
            "64 MiB beyond tensors at the first GEMM",
            "measured on an H200 (h200-measurements.md); init_cublas model_runner.py L870-877"
                + " @v0.4.5.post3"));
    return items;
  }

  private static BudgetItem requestTable(Context c) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    int cols = p.contextLength() + 4;
    String colsFormula = "(" + p.contextLength() + " + 4";
    if (f.requestTableCountsDraftTokens() && p.speculative().isPresent()) {
      cols += p.speculative().get().draftTokens();
      colsFormula += " + " + p.speculative().get().draftTokens() + " draft";
    }
    colsFormula += ")";
    int rowsAllocated = c.requestRows() + (f.requestRowsRule() == SglangFacts.RequestRowsRule.MAIN ? 1 : 0);
    long bytes = (long) rowsAllocated * cols * 4;
    return new BudgetItem(
        "request-to-token table",
        bytes,
        rowsAllocated + " rows x " + colsFormula + " x 4 B (int32)",
        "ReqToTokenPool, mem_cache/memory_pool.py L46-67 @v0.4.5.post3; rows rule "
            + f.requestRowsRule()
            + " (model_runner.py L743-752 @v0.4.5.post3, kv_cache_configurator.py L1878-1931 @main)");
  }

  private static BudgetItem attentionWorkspace(Context c) {
    String backend = c.plan().attentionBackend();
    if (backend.equals("flashinfer")) {
      boolean qwen =
          c.spec().family() == ModelSpec.Family.QWEN2
              || c.spec().family() == ModelSpec.Family.QWEN3
              || c.spec().family() == ModelSpec.Family.QWEN2_MOE
              || c.spec().family() == ModelSpec.Family.QWEN3_MOE;
      long ws = (qwen ? 512 : 384) * MIB + 8 * MIB;
      return new BudgetItem(
          "attention backend workspace",
          ws,
          (qwen ? "512" : "384") + " MiB flashinfer float workspace + 8 MiB ragged-prefill workspace",
          "global_config.py L36-38, flashinfer_backend.py L104-118 @v0.4.5.post3; flashinfer_backend.py"
              + " L392-441 @main; matches the 0.44-0.63 GB logged between 'Memory pool end' and"
              + " capture begin");
    }
    return new BudgetItem(
        "attention backend workspace",
        0,
        backend + ": no preallocated workspace outside CUDA graphs",
        "the backend's init_forward_metadata (graph buffers are in the CUDA-graph term)");
  }

  /** The decode CUDA-graph capture (shape-based), or empty when graphs are off. */
  static Optional<BudgetItem> cudaGraphs(Context c, List<String> breakdown) {
    LaunchPlan p = c.plan();
    if (!p.decodeGraphs() || c.captureList().isEmpty()) {
      return Optional.empty();
    }
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
    if (p.parallelism().dpAttention() && !f.atLeast(SwitchPoint.DP_ATTENTION_GATHER_IN_GRAPH_RUNNER)) {
      long rows = f.atLeast(SwitchPoint.DP_ATTENTION_GATHER_ROWS_PER_RANK) ? m * tpb : m * p.parallelism().dpSize() * tpb;
      long gather = rows * h * dtype;
      total += gather;
      breakdown.add("gathered buffer " + gib(gather));
    }
    if (!f.logitsKeptPerGraph()) {
      long buf = m * tpb * v * 4;
      total += buf;
      breakdown.add("shared logits buffer " + m * tpb + " x " + v + " x 4 B = " + gib(buf));
    }
    long backendStatic = backendStatic(c, m * tpb, backend);
    total += backendStatic;
    breakdown.add(backend + " graph buffers " + gib(backendStatic));

    // what each captured graph keeps
    long retained = 0;
    if (f.logitsKeptPerGraph()) {
      long logits = 4 * v * sum * tpb;
      retained += logits;
      breakdown.add("fp32 logits kept per graph 4 x " + v + " x " + sum + " = " + gib(logits));
    }
    if (backend.equals("fa3") && f.fa3PageTablePerGraph()) {
      long pt = 4 * ceilDiv(ctx, page) * sum * tpb;
      retained += pt;
      breakdown.add("FA3 page-table copy per graph 4 x " + ceilDiv(ctx, page) + " x " + sum + " = " + gib(pt));
    }
    if (backend.equals("flashinfer") || backend.equals("flashinfer_mla")) {
      int wrappers = s.slidingWindow().isPresent() ? 2 : 1;
      long fi = 8 * MIB * wrappers * n;
      retained += fi;
      breakdown.add("flashinfer decode wrappers 8 MiB x " + wrappers + " x " + n + " graphs = " + gib(fi));
    }
    long nodes = (long) (0.1 * MIB) * c.layersOnRank() * n;
    retained += nodes;
    breakdown.add("graph executables 0.1 MiB x " + c.layersOnRank() + " layers x " + n + " = " + gib(nodes));
    total += retained;

    // the largest working set, paid once at max bs
    long workingSet = transientPeak(c, m * tpb, m * tpb);
    total += workingSet;
    breakdown.add("working set at bs " + m + " " + gib(workingSet));

    long residual = (f.atLeast(SwitchPoint.GRAPH_RESIDUAL_500_MIB) ? 500 : 600) * MIB;
    total += residual;
    breakdown.add("unattributed residual " + gib(residual));

    return Optional.of(
        new BudgetItem(
            "CUDA-graph capture",
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

  private static long backendStatic(Context c, long rows, String backend) {
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
        return rows * ceilDiv(ctx + 64, 64) * 4;
      }
      default -> {
        // fa3 and the others: page tables [max_bs, ceil(ctx/page)] int32
        int tables = backend.equals("fa3") ? p.facts().fa3StaticTables() : 1;
        if (s.attentionChunkSize().isPresent() && backend.equals("fa3")) {
          tables++;
        }
        return tables * rows * ceilDiv(ctx, page) * 4;
      }
    }
  }

  /**
   * The largest transient working set of one forward over {@code tokens} decode tokens, with the
   * MoE/MLP over {@code moeTokens}: max of the logits path, the MoE (or MLP) and one attention
   * layer, plus 32 MiB of cuBLAS workspace for the capture stream.
   */
  static long transientPeak(Context c, long tokens, long moeTokens) {
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
            moeTokens * (2L * k * Math.max(nLocal, h) + (long) k * (inter / moeTp) * 2 + 5 * h + 4 * experts);
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

  /**
   * The DP-attention allowance for decode capture: SGLang's own 3 (+1.5) MiB × max_bs × dp, or the
   * shape-based extra of the MoE and gathers over bs·dp tokens if that is larger.
   */
  static Optional<BudgetItem> dpAttentionCapture(Context c) {
    LaunchPlan p = c.plan();
    if (!p.parallelism().dpAttention() || !p.decodeGraphs() || c.captureList().isEmpty()) {
      return Optional.empty();
    }
    long m = c.captureList().getLast();
    int dp = p.parallelism().dpSize();
    long sglang = 3 * m * dp * MIB + (m > 300 ? (long) (1.5 * m * dp * MIB) : 0);
    long shape = transientPeak(c, m, m * dp) - transientPeak(c, m, m);
    long bytes = Math.max(sglang, shape);
    return Optional.of(
        new BudgetItem(
            "CUDA-graph capture under DP attention",
            bytes,
            String.format(
                Locale.ROOT,
                "max(3%s MiB x max_bs %d x dp %d = %s, shape-based MoE/gather over %d tokens = %s)",
                m > 300 ? " + 1.5" : "",
                m,
                dp,
                gib(sglang),
                m * dp,
                gib(shape)),
            "SGLang's own allowance, reserve_for_graph_mb server_args.py L4986-5026 @main; kept for"
                + " every version because sglang#5811 (v0.4.5.post3, 8xH200, DP 8) ran out of memory"
                + " where the shape-based terms alone fit (PR #5634, PR #5893)"));
  }

  /** Main's prefill CUDA graphs, with SGLang's own estimate. */
  static Optional<BudgetItem> prefillGraphs(Context c) {
    LaunchPlan p = c.plan();
    if (!p.prefillGraphs() || p.prefillGraphTokens().isEmpty()) {
      return Optional.empty();
    }
    boolean mla = c.spec().usesMla();
    long bytes = mla ? 1536 * MIB : 8 * MIB * p.prefillGraphTokens().size();
    boolean deepEp = p.deepEp() && p.facts().breakablePrefillDeepEpTerm();
    if (deepEp) {
      bytes += 1024 * MIB;
    }
    return Optional.of(
        new BudgetItem(
            "prefill CUDA graphs",
            bytes,
            (mla
                    ? "1536 MiB for an MLA model (" + p.prefillGraphTokens().size() + " token sizes)"
                    : "8 MiB x "
                        + p.prefillGraphTokens().size()
                        + " token sizes up to "
                        + p.prefillGraphTokens().getLast())
                + (deepEp ? " + 1024 MiB (breakable graph with DeepEP)" : ""),
            "SGLang's own estimate, reserve_for_graph_mb server_args.py L4986-5026 @main"));
  }

  /** Prefill activations of one chunk per rank (MoE over the gathered chunk under DP attention). */
  static BudgetItem prefillActivations(Context c) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    long chunk = Math.max(1, p.chunkPerRank());
    long cMoe = p.parallelism().dpAttention() ? chunk * p.parallelism().dpSize() : chunk;
    long h = s.hiddenSize();
    long v = s.vocabSize();
    int tp = p.parallelism().tpSize();
    int attnTp = p.parallelism().attnTpSize();
    int moeTp = p.parallelism().moeTpSize();
    long heads = Math.max(1, s.numAttentionHeads() / attnTp);
    long kvHeads = Math.max(1, s.numKeyValueHeads() / attnTp);
    long d = s.headDim();
    long attn;
    String attnF;
    if (s.mla().isPresent()) {
      attn = chunk * heads * 1536;
      attnF = chunk + " tokens x " + heads + " heads x 1.5 KiB (MLA prefill q/k/v expansion)";
    } else {
      attn = chunk * (4 * h + 2 * (heads + 2 * kvHeads) * d + 2 * heads * d + 2 * h) ;
      attnF = chunk + " tokens x (4H + 2(q+2kv)d + 2qd + 2H) B";
    }
    long mlp;
    String mlpF;
    if (s.moe().isPresent()) {
      ModelSpec.Moe moe = s.moe().get();
      int k = moe.expertsPerToken() + (moe.sharedExperts() > 0 ? 1 : 0);
      long inter = moe.expertIntermediateSize();
      mlp =
          cMoe * (2L * k * Math.max(2 * inter / moeTp, h) + (long) k * (inter / moeTp) * 2 + 5 * h + 4L * moe.numExperts());
      mlpF =
          cMoe
              + " tokens through the MoE (top-"
              + k
              + ", fused-MoE caches)"
              + (cMoe != chunk ? " gathered over DP " + p.parallelism().dpSize() : "");
    } else {
      long inter = s.denseIntermediateSize().orElse(4 * s.hiddenSize());
      mlp = chunk * (6 * inter / tp + 2 * h);
      mlpF = chunk + " tokens x (6I/tp + 2H) B (MLP)";
    }
    // requests finishing their prefill in one batch: bounded by the chunk, the running limit and,
    // like the decode term, by max(256, the largest decode graph); a chunk of thousands of
    // one-token prompts is not a realistic peak
    long graphMax = c.captureList().isEmpty() ? 0 : c.captureList().getLast();
    long requests =
        Math.min(Math.min(chunk, Math.max(1, c.maxRunningPerRank())), Math.max(256, graphMax));
    long logits = (long) (requests * v * (2.0 / tp + 6));
    long peak = (long) ((Math.max(attn, mlp) + logits) * 1.15);
    return new BudgetItem(
        "prefill activations",
        peak,
        String.format(
            Locale.ROOT,
            "(max(%s = %s, %s = %s) + last-token logits %d x %d x (2/tp + 6) B = %s) x 1.15 fragmentation",
            attnF,
            gib(attn),
            mlpF,
            gib(mlp),
            requests,
            v,
            gib(logits)),
        "shapes of SGLang's forward (layers/moe/fused_moe_triton/fused_moe.py L1340-1400,"
            + " layers/logits_processor.py L240-410 @v0.4.5.post3); chunk "
            + p.chunkPerRank()
            + " per rank; requests that ask for prompt logprobs need up to 14 x vocab B more per"
            + " token (not assumed)");
  }

  /** Eager decode above the graph limit (or all decode without graphs): logits and sampling. */
  static BudgetItem decodeSampling(Context c) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    long v = s.vocabSize();
    int tp = p.parallelism().tpSize();
    long graphMax = c.captureList().isEmpty() ? 0 : c.captureList().getLast();
    long batch = Math.min(Math.max(1, c.maxRunningPerRank()), Math.max(256, graphMax));
    boolean dpGather = p.parallelism().dpAttention();
    long rows = dpGather ? batch * p.parallelism().dpSize() : batch;
    long bytes = (long) (rows * v * (2.0 / tp + 4) + batch * v * 8.0);
    return new BudgetItem(
        "decode logits and sampling",
        bytes,
        String.format(
            Locale.ROOT,
            "lm_head + gather %d rows x %d x (2/tp + 4) B + fp32 logits and probs %d x %d x 8 B",
            rows,
            v,
            batch,
            v),
        "layers/logits_processor.py L425-458 @v0.4.5.post3 (eager decode of up to "
            + batch
            + " requests per rank"
            + (dpGather ? ", gathered over DP attention" : "")
            + ")");
  }

  /** NCCL communicators SGLang creates lazily after T (first eager collectives, all-to-all). */
  static Optional<BudgetItem> lazyNccl(Context c) {
    Parallelism par = c.plan().parallelism();
    if (par.tpSize() * par.ppSize() <= 1) {
      return Optional.empty();
    }
    long bytes = NCCL_FURTHER_COMM_BYTES;
    String f = "484 MiB for the TP group's torch.distributed communicator (first eager collective)";
    if (par.epSize() > 1 || c.plan().deepEp()) {
      bytes += NCCL_ALL_TO_ALL_BYTES;
      f += " + 446 MiB for the first all-to-all";
    }
    return Optional.of(
        new BudgetItem(
            "NCCL buffers created after start",
            bytes,
            f,
            "measured on 2 H200s (NCCL 2.28): a further process group +484 MiB, the first all-to-all"
                + " +446 MiB; not measured at 8 ranks; parallel_state.py L441-465 @v0.4.5.post3"));
  }

  /** The JIT DeepGEMM warm-up buffers on the first GPU of the node (v0.5.1.post3+). */
  static BudgetItem deepGemmWarmup(Context c) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    if (!p.jitDeepGemm()) {
      return new BudgetItem(
          "JIT DeepGEMM warm-up",
          0,
          p.jitDeepGemmReason(),
          "layers/quantization/deep_gemm.py L14-58 @v0.4.5.post3; deep_gemm_wrapper/configurer.py"
              + " @main");
    }
    if (!f.deepGemmWarmupAllocates()) {
      return new BudgetItem(
          "JIT DeepGEMM warm-up",
          0,
          p.jitDeepGemmReason()
              + ": SGLang "
              + f.version()
              + " compiles kernels with nvcc on the CPU into the disk cache (~/.cache/deep_gemm) and"
              + " launches nothing; loaded kernels take ~0.07 MiB each",
          "deep_gemm.py L47-61, L265-303 @v0.4.5.post3 (no benchmark tensors); JIT module residency"
              + " measured on an H200 (h200-measurements.md)");
    }
    if (!c.firstRankOnNode()) {
      return new BudgetItem(
          "JIT DeepGEMM warm-up",
          0,
          "runs only on the first GPU of the node"
              + (f.deepGemmFirstRankUsesBaseGpuId() ? "" : " (GPU 0 in this version)"),
          "deep_gemm_wrapper/compile_utils.py L48-97 @main");
    }
    List<DeepGemmShape> shapes = deepGemmShapes(c);
    if (shapes.isEmpty()) {
      return new BudgetItem(
          "JIT DeepGEMM warm-up",
          0,
          "no GEMM of this model goes through DeepGEMM",
          "layers/quantization/fp8_utils.py L1023-1030 @main (bf16 out, N%64 == 0, K%128 == 0)");
    }
    long maxM = warmupMaxM(p);
    DeepGemmShape worst = shapes.getFirst();
    for (DeepGemmShape s : shapes) {
      if (s.requirement(maxM) > worst.requirement(maxM)) {
        worst = s;
      }
    }
    long bytes = worst.requirement(maxM);
    String formula =
        String.format(
            Locale.ROOT,
            "largest shape %s (N %d, K %d%s) at max_m %d: %s",
            worst.name(),
            worst.n(),
            worst.k(),
            worst.groups() > 1 ? ", " + worst.groups() + " groups, " + worst.kind() : "",
            maxM,
            worst.formula(maxM));
    if (f.deepGemmWarmupGuard() && bytes > c.preWarmupAvailableBytes()) {
      long m = maxM;
      while (m > 4096 && worst.requirement(m) > c.preWarmupAvailableBytes()) {
        m /= 2;
      }
      bytes = worst.requirement(m);
      formula += String.format(Locale.ROOT, "; SGLang halves max_m to %d to fit (floor 4096)", m);
    }
    return new BudgetItem(
        "JIT DeepGEMM warm-up",
        bytes,
        formula,
        "deep_gemm_wrapper/compile_utils.py L176-399 @main (PR #9340, first GPU of the node only,"
            + " freed shape by shape from 0.5.2rc1)");
  }

  record DeepGemmShape(String name, long n, long k, long groups, String kind) {
    long requirement(long m) {
      return switch (kind) {
        case "masked" -> groups * m * k + groups * n * k + 4 * groups + 2 * groups * m * n;
        case "contiguous" -> m * k + groups * n * k + 4 * m + 2 * m * n;
        default -> m * k + n * k + 2 * m * n;
      };
    }

    String formula(long m) {
      return switch (kind) {
        case "masked" -> "g(mK + NK + 2mN) = " + gib(requirement(m));
        case "contiguous" -> "mK + gNK + 4m + 2mN = " + gib(requirement(m));
        default -> "mK + NK + 2mN = " + gib(requirement(m));
      };
    }
  }

  static long warmupMaxM(LaunchPlan p) {
    int chunk = p.chunkPerRank();
    long m;
    if (p.chunkedPrefillSize() <= 0) {
      m = 65536;
    } else if (chunk > 8192) {
      m = Math.min(131072, 2L * chunk);
    } else {
      m = 16384;
    }
    if (p.deepGemmFastWarmup()) {
      m = Math.max(1024, Math.min(p.chunkedPrefillSize() <= 0 ? 16384 : chunk, 32768));
    }
    return m;
  }

  /** The block-fp8 GEMMs of one rank that go through DeepGEMM. */
  static List<DeepGemmShape> deepGemmShapes(Context c) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    List<DeepGemmShape> out = new ArrayList<>();
    int attnTp = p.parallelism().attnTpSize();
    int tp = p.parallelism().tpSize();
    long h = s.hiddenSize();
    long heads = Math.max(1, s.numAttentionHeads() / attnTp);
    if (s.mla().isPresent()) {
      ModelSpec.Mla mla = s.mla().get();
      long qk = mla.qkNopeHeadDim() + mla.qkRopeHeadDim();
      if (mla.qLoraRank().isPresent()) {
        addShape(out, "fused q_a/kv_a", mla.qLoraRank().getAsInt() + mla.kvLoraRank() + mla.qkRopeHeadDim(), h, 1, "normal");
        addShape(out, "q_b_proj", heads * qk, mla.qLoraRank().getAsInt(), 1, "normal");
      } else {
        addShape(out, "q_proj", heads * qk, h, 1, "normal");
      }
      addShape(out, "kv_b_proj", heads * (mla.qkNopeHeadDim() + mla.vHeadDim()), mla.kvLoraRank(), 1, "normal");
      addShape(out, "o_proj", h, heads * mla.vHeadDim(), 1, "normal");
    } else {
      long kvHeads = Math.max(1, s.numKeyValueHeads() / attnTp);
      addShape(out, "qkv_proj", (heads + 2 * kvHeads) * s.headDim(), h, 1, "normal");
      addShape(out, "o_proj", h, heads * s.headDim(), 1, "normal");
    }
    if (s.denseIntermediateSize().isPresent()) {
      long i = s.denseIntermediateSize().getAsInt();
      addShape(out, "dense gate_up_proj", 2 * i / tp, h, 1, "normal");
      addShape(out, "dense down_proj", h, i / tp, 1, "normal");
    }
    if (s.moe().isPresent() && p.deepEp()) {
      ModelSpec.Moe moe = s.moe().get();
      int ep = p.parallelism().epSize();
      long local = Math.max(1, moe.numExperts() / ep);
      long inter = moe.expertIntermediateSize() / p.parallelism().moeTpSize();
      boolean masked = !p.deepEpMode().equals("normal");
      boolean contiguous = !p.deepEpMode().equals("low_latency");
      if (contiguous) {
        addShape(out, "MoE w13 (contiguous)", 2 * inter, h, local, "contiguous");
        addShape(out, "MoE w2 (contiguous)", h, inter, local, "contiguous");
      }
      if (masked) {
        addShape(out, "MoE w13 (masked)", 2 * inter, h, local, "masked");
        addShape(out, "MoE w2 (masked)", h, inter, local, "masked");
      }
    }
    return out;
  }

  private static void addShape(List<DeepGemmShape> out, String name, long n, long k, long g, String kind) {
    if (n % 64 == 0 && k % 128 == 0 && n > 0 && k > 0) {
      out.add(new DeepGemmShape(name, n, k, g, kind));
    }
  }

  static long ceilDiv(long a, long b) {
    return Units.ceilDiv(a, b);
  }

  static String gib(long bytes) {
    return Units.gib(bytes);
  }

  static String count(long n) {
    return Units.count(n);
  }
}
