package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The JIT DeepGEMM warm-up on the first GPU of the node (v0.5.1.post3+): the benchmark tensors of
 * the largest block-fp8 GEMM at {@code max_m}. Always reported (0 bytes with the reason when it
 * takes nothing). From 0.5.2rc1 it is freed shape by shape before the capture, so the budget counts
 * the larger of it and what follows ({@link BudgetModel}'s peak rule).
 */
final class DeepGemmWarmupTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.DEEPGEMM_WARMUP;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    return Optional.of(warmup(c));
  }

  private BudgetItem warmup(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    if (!p.jitDeepGemm()) {
      return new BudgetItem(
          id(),
          0,
          p.jitDeepGemmReason(),
          "layers/quantization/deep_gemm.py L14-58 @v0.4.5.post3; deep_gemm_wrapper/configurer.py"
              + " @main");
    }
    if (!f.deepGemmWarmupAllocates()) {
      return new BudgetItem(
          id(),
          0,
          p.jitDeepGemmReason()
              + ": SGLang "
              + f.version()
              + " compiles kernels with nvcc on the CPU into the disk cache (~/.cache/deep_gemm)"
              + " and launches nothing; loaded kernels take ~0.07 MiB each",
          "deep_gemm.py L47-61, L265-303 @v0.4.5.post3 (no benchmark tensors); JIT module residency"
              + " measured on an H200 (h200-measurements.md)");
    }
    if (!c.firstRankOnNode()) {
      return new BudgetItem(
          id(),
          0,
          "runs only on the first GPU of the node"
              + (f.deepGemmFirstRankUsesBaseGpuId() ? "" : " (GPU 0 in this version)"),
          "deep_gemm_wrapper/compile_utils.py L48-97 @main");
    }
    List<Shape> shapes = shapes(c);
    if (shapes.isEmpty()) {
      return new BudgetItem(
          id(),
          0,
          "no GEMM of this model goes through DeepGEMM",
          "layers/quantization/fp8_utils.py L1023-1030 @main (bf16 out, N%64 == 0, K%128 == 0)");
    }
    long maxM = warmupMaxM(p);
    Shape worst = shapes.getFirst();
    for (Shape s : shapes) {
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
        id(),
        bytes,
        formula,
        "deep_gemm_wrapper/compile_utils.py L176-399 @main (PR #9340, first GPU of the node only,"
            + " freed shape by shape from 0.5.2rc1)");
  }

  /** One GEMM the warm-up benchmarks: N×K weights, {@code groups} experts, its layout kind. */
  record Shape(String name, long n, long k, long groups, String kind) {
    long requirement(long m) {
      return switch (kind) {
        case "masked" -> groups * m * k + groups * n * k + 4 * groups + 2 * groups * m * n;
        case "contiguous" -> m * k + groups * n * k + 4 * m + 2 * m * n;
        default -> m * k + n * k + 2 * m * n;
      };
    }

    String formula(long m) {
      return switch (kind) {
        case "masked" -> "g(mK + NK + 2mN) = " + Units.gib(requirement(m));
        case "contiguous" -> "mK + gNK + 4m + 2mN = " + Units.gib(requirement(m));
        default -> "mK + NK + 2mN = " + Units.gib(requirement(m));
      };
    }
  }

  /** The largest M the warm-up benchmarks: from the chunk per rank (fast warm-up: smaller). */
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
  static List<Shape> shapes(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    List<Shape> out = new ArrayList<>();
    int attnTp = p.parallelism().attnTpSize();
    int tp = p.parallelism().tpSize();
    long h = s.hiddenSize();
    long heads = Math.max(1, s.numAttentionHeads() / attnTp);
    if (s.mla().isPresent()) {
      ModelSpec.Mla mla = s.mla().get();
      long qk = mla.qkNopeHeadDim() + mla.qkRopeHeadDim();
      if (mla.qLoraRank().isPresent()) {
        int qLora = mla.qLoraRank().getAsInt();
        add(out, "fused q_a/kv_a", qLora + mla.kvLoraRank() + mla.qkRopeHeadDim(), h, 1, "normal");
        add(out, "q_b_proj", heads * qk, qLora, 1, "normal");
      } else {
        add(out, "q_proj", heads * qk, h, 1, "normal");
      }
      add(
          out,
          "kv_b_proj",
          heads * (mla.qkNopeHeadDim() + mla.vHeadDim()),
          mla.kvLoraRank(),
          1,
          "normal");
      add(out, "o_proj", h, heads * mla.vHeadDim(), 1, "normal");
    } else {
      long kvHeads = Math.max(1, s.numKeyValueHeads() / attnTp);
      add(out, "qkv_proj", (heads + 2 * kvHeads) * s.headDim(), h, 1, "normal");
      add(out, "o_proj", h, heads * s.headDim(), 1, "normal");
    }
    if (s.denseIntermediateSize().isPresent()) {
      long i = s.denseIntermediateSize().getAsInt();
      add(out, "dense gate_up_proj", 2 * i / tp, h, 1, "normal");
      add(out, "dense down_proj", h, i / tp, 1, "normal");
    }
    if (s.moe().isPresent() && p.deepEp()) {
      ModelSpec.Moe moe = s.moe().get();
      int ep = p.parallelism().epSize();
      long local = Math.max(1, moe.numExperts() / ep);
      long inter = moe.expertIntermediateSize() / p.parallelism().moeTpSize();
      boolean masked = !p.deepEpMode().equals("normal");
      boolean contiguous = !p.deepEpMode().equals("low_latency");
      if (contiguous) {
        add(out, "MoE w13 (contiguous)", 2 * inter, h, local, "contiguous");
        add(out, "MoE w2 (contiguous)", h, inter, local, "contiguous");
      }
      if (masked) {
        add(out, "MoE w13 (masked)", 2 * inter, h, local, "masked");
        add(out, "MoE w2 (masked)", h, inter, local, "masked");
      }
    }
    return out;
  }

  private static void add(List<Shape> out, String name, long n, long k, long g, String kind) {
    if (n % 64 == 0 && k % 128 == 0 && n > 0 && k > 0) {
      out.add(new Shape(name, n, k, g, kind));
    }
  }
}
