package io.github.sglangpreflight.plan;

import io.github.sglangpreflight.sglang.args.LaunchEnvironment;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SwitchPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * SGLang's own defaults, version by version: the default {@code --mem-fraction-static}, {@code
 * chunked_prefill_size}, the decode CUDA-graph batch sizes. Pure functions of the version, the GPU
 * capacity {@code G} (minimum {@code nvidia-smi memory.total} in MiB over every GPU of the host)
 * and the launch flags. Sources: server_args.py and cuda_graph_runner.py at each tag (see
 * docs/memory-model.md §2).
 */
public final class SglangDefaults {

  private SglangDefaults() {}

  // ---------------------------------------------------------------- plain flag defaults

  /**
   * The defaults SGLang gives flags that the launch leaves out, where they do not depend on the GPU
   * (the same in every release the project models today; a release that changes one changes it
   * here, behind {@link SglangFacts}).
   *
   * @param maxPrefillTokens {@code --max-prefill-tokens} (server_args.py dataclass default 16384)
   * @param pageSize {@code --page-size} (1)
   * @param kvCacheDtype {@code --kv-cache-dtype} ({@code auto})
   * @param deepEpMode {@code --deepep-mode} ({@code auto})
   * @param maxLorasPerBatch {@code --max-loras-per-batch} (8)
   * @param symmMemPreallocGib {@code SGLANG_SYMM_MEM_PREALLOC_GB_SIZE} that {@code
   *     --enable-symm-mem} presets (4)
   * @param baseGpuId {@code --base-gpu-id} (0)
   * @param gpuIdStep {@code --gpu-id-step} (1)
   * @param nodeRank {@code --node-rank} (0)
   * @param speculativeNumSteps the steps assumed when {@code --speculative-num-steps} is absent
   *     (SGLang's usual automatic choice: 5)
   * @param speculativeEagleTopk top-k assumed when absent (4; 1 with a page size above 1)
   * @param speculativePagedEagleTopk top-k assumed when absent and the page size is above 1
   * @param speculativeNumDraftTokens draft tokens assumed when absent (8)
   * @param speculativeMaxRunningRequests {@code --max-running-requests} with speculative decoding
   *     when absent (48)
   * @param mlaPrefillGraphMaxTokens the largest prefill-graph token size for an MLA model (2048, PR
   *     #15927)
   */
  record FlagDefaults(
      int maxPrefillTokens,
      int pageSize,
      String kvCacheDtype,
      String deepEpMode,
      int maxLorasPerBatch,
      int symmMemPreallocGib,
      int baseGpuId,
      int gpuIdStep,
      int nodeRank,
      int speculativeNumSteps,
      int speculativeEagleTopk,
      int speculativePagedEagleTopk,
      int speculativeNumDraftTokens,
      int speculativeMaxRunningRequests,
      int mlaPrefillGraphMaxTokens) {}

  private static final FlagDefaults FLAG_DEFAULTS =
      new FlagDefaults(16384, 1, "auto", "auto", 8, 4, 0, 1, 0, 5, 4, 1, 8, 48, 2048);

  /** The plain flag defaults of {@code facts}' version. */
  static FlagDefaults flagDefaults(SglangFacts facts) {
    return FLAG_DEFAULTS;
  }

  /** Inputs of the default-fraction rules. */
  record FractionInputs(
      OptionalLong gpuMemMib,
      int tp,
      int pp,
      int dp,
      boolean dpAttention,
      Optional<String> speculativeAlgorithm,
      boolean multimodal,
      OptionalInt visionLayers,
      OptionalInt visionHidden,
      boolean mla,
      int chunkedPrefillUndivided,
      int maxPrefillTokens,
      int decodeMaxBs,
      boolean decodeGraphs,
      boolean prefillGraphs,
      int prefillGraphSizes,
      boolean deepEp,
      Optional<String> disaggregationMode,
      OptionalInt maxRunningRequests,
      int speculativeDraftTokens,
      boolean postCaptureKvSizing) {}

  /**
   * Post-capture KV sizing applies: SGLang {@code >=} 0.5.16 with {@code
   * SGLANG_ENABLE_POST_CAPTURE_KV_SIZING=1}, on a model that does not use MLA (the planner {@code
   * post_capture_kv_sizing_planned} of arg_groups/overrides.py turns it down for MLA; the project
   * has not read its other conditions, see docs/memory-model.md).
   */
  static boolean postCaptureKvSizing(SglangFacts facts, boolean envOn, boolean mla) {
    return facts.postCaptureKvSizingKnob() && envOn && !mla;
  }

  /** The fraction SGLang picks when {@code --mem-fraction-static} is absent. */
  static Explained defaultFraction(SglangFacts facts, FractionInputs in) {
    Explained base = baseFraction(facts, in);
    boolean pdDecode = in.disaggregationMode().filter("decode"::equals).isPresent();
    if (!in.multimodal() || (pdDecode && facts.fractionInMemoryHook())) {
      // memory_hook.py skips the VLM adjustment on a PD-decode server (is_vlm, L241-246 @a82da8da)
      return base;
    }
    if (in.postCaptureKvSizing() && facts.vlmPostCaptureHeadroom() && in.gpuMemMib().isPresent()) {
      long g = in.gpuMemMib().getAsLong();
      return new Explained(
          base.value() - 8192.0 / g,
          base.formula() + String.format(Locale.ROOT, "; - 8192 / %d for the image encoder", g),
          base.source()
              + "; adjust_mem_fraction_for_vlm L376-389 @a82da8da (post-capture KV sizing)");
    }
    // multimodal adjustment
    if (facts.vitSizeFactor()) {
      int layers = in.visionLayers().orElse(24);
      int hidden = in.visionHidden().orElse(1024);
      double r = layers * (double) hidden * hidden / (24.0 * 1024 * 1024);
      double f = 0.95 * Math.max(0.8, Math.min(1.05, 1 - 0.1 * (r - 1)));
      return new Explained(
          base.value() * f,
          base.formula()
              + String.format(
                  Locale.ROOT,
                  "; x %.3f for the vision tower (0.95 x clamp(1 - 0.1 x (%d x %d^2 / (24 x 1024^2) - 1), 0.8, 1.05))",
                  f,
                  layers,
                  hidden),
          base.source() + "; adjust_mem_fraction_for_vlm (v0.4.9.post3+)");
    }
    return new Explained(
        base.value() * 0.9,
        base.formula() + "; x 0.9 for a multimodal model",
        base.source() + "; multimodal adjustment (model_runner.py L302-311 @v0.4.5.post3)");
  }

  private static Explained baseFraction(SglangFacts facts, FractionInputs in) {
    String v = facts.version().toString();
    if (in.gpuMemMib().isEmpty()) {
      if (facts.fractionRule() == SglangFacts.FractionRule.P1_TP_TABLE_OR_13_GIB) {
        // v0.4.5.post3: the comparison with None throws; SGLang needs nvidia-smi
        return new Explained(
            tpTable(in.tp()),
            "GPU capacity unknown: TP table used",
            "server_args.py L221-238 @v0.4.5.post3 (fails without nvidia-smi)");
      }
      double fallback = facts.fallbackFraction();
      return new Explained(
          fallback,
          String.format(Locale.ROOT, "GPU capacity unknown: %.2f", fallback),
          facts.fractionInMemoryHook()
              ? "memory_hook.py L283-287 @a82da8da (gpu_mem is None)"
              : "server_args.py (G is None)");
    }
    long g = in.gpuMemMib().getAsLong();
    int ps = in.tp() * in.pp();
    switch (facts.fractionRule()) {
      case P1_TP_TABLE_OR_13_GIB -> {
        if (g <= 81920) {
          return new Explained(
              tpTable(in.tp()),
              "G = " + g + " MiB <= 81920: by TP " + in.tp(),
              "server_args.py L221-238 @v0.4.5.post3 (" + v + ")");
        }
        double f = (g - 13 * 1024.0) / g;
        return new Explained(
            f,
            String.format(Locale.ROOT, "(G - 13 GiB) / G = (%d - 13312) / %d = %.4f", g, g, f),
            "server_args.py L221-238 @v0.4.5.post3 (" + v + ")");
      }
      case P2_H200_RULE, P2_V047 -> {
        boolean v047 = facts.fractionRule() == SglangFacts.FractionRule.P2_V047;
        double base = g <= 81920 ? tpTable(ps) : 0.88;
        String src =
            v047
                ? "server_args.py L253-283 @v0.4.7"
                : "server_args.py L226-247 @v0.4.6.post2 (PR #5893)";
        if (v047 && g > 180000) {
          return new Explained(0.79, "G = " + g + " MiB > 180000: 0.79", src);
        }
        if (g > 96 * 1024) {
          int reserve = v047 && in.speculativeAlgorithm().isPresent() ? 20480 : 18432;
          double a = base + 48 * 1024.0 * (1 - base) / g;
          double b = (g - (double) reserve) / g;
          double f = Math.min(a, b);
          return new Explained(
              f,
              String.format(
                  Locale.ROOT,
                  "min(%.2f + 49152 x (1 - %.2f) / %d, (%d - %d) / %d) = %.4f",
                  base,
                  base,
                  g,
                  g,
                  reserve,
                  g,
                  f),
              src);
        }
        if (v047 && in.speculativeAlgorithm().isPresent()) {
          return new Explained(
              base * 0.95,
              String.format(Locale.ROOT, "%.2f x 0.95 (speculative decoding)", base),
              src);
        }
        return new Explained(
            base,
            g <= 81920 ? "G <= 81920 MiB: by TP x PP " + ps : "81920 < G <= 98304 MiB: 0.88",
            src);
      }
      case P3_RESERVE_TABLE -> {
        double r;
        String tier;
        if (g < 35 * 1024) {
          r = (2.8 + ps / 10.0) * 1024;
          tier = "(2.8 + tp x pp / 10) GiB";
        } else if (g < 90 * 1024) {
          r = (9.5 + ps / 2.0) * 1024;
          tier = "(9.5 + tp x pp / 2) GiB";
        } else if (g < 160 * 1024) {
          r = (12 + ps / 2.0) * 1024;
          tier = "(12 + tp x pp / 2) GiB";
        } else {
          r = 32 * 1024;
          tier = "32 GiB";
        }
        StringBuilder terms = new StringBuilder(tier);
        if (in.speculativeAlgorithm().isPresent()) {
          boolean standalone =
              facts.atLeast(SwitchPoint.SPEC_STANDALONE_6_GIB)
                  && in.speculativeAlgorithm().get().equalsIgnoreCase("STANDALONE");
          r += standalone ? 6144 : 2048;
          terms.append(standalone ? " + 6 GiB (STANDALONE)" : " + 2 GiB (speculative)");
        }
        if (in.dpAttention()) {
          r += 4096;
          terms.append(" + 4 GiB (DP attention)");
        }
        double f = round3((g - r) / g);
        return new Explained(
            f,
            String.format(
                Locale.ROOT,
                "round((G - R) / G, 3) with R = %s = %.0f MiB: (%d - %.0f) / %d = %.3f",
                terms,
                r,
                g,
                r,
                g,
                f),
            "server_args.py L351-395 @v0.5.1 (PR #7054, from v0.4.7.post1)");
      }
      case P4_ACTIVATION_GRAPHS, P4_MAIN -> {
        return p4Fraction(facts, in, g, ps);
      }
      default -> throw new AssertionError(facts.fractionRule());
    }
  }

  private static Explained p4Fraction(SglangFacts facts, FractionInputs in, long g, int ps) {
    boolean main = facts.fractionRule() == SglangFacts.FractionRule.P4_MAIN;
    String mainSource =
        facts.fractionInMemoryHook()
            ? "memory_hook.py handle_gpu_memory_settings L250-287, reserve_for_graph_mb L316-358,"
                + " reserve_for_deepep_a2a_mb L361-373 @a82da8da"
            : "server_args.py L4856-4912, reserve_for_graph_mb L4986-5026 @main 8761b971";
    List<String> terms = new ArrayList<>();
    if (main && in.postCaptureKvSizing()) {
      // post-capture KV sizing: the pool is sized after capture, so only the floor and the
      // parallel slack are reserved (memory_hook.py L255-259 @a82da8da; PR #30157)
      double rp = 1536 + 1024.0 * ps / 8;
      double fp = round3((g - rp) / g);
      return new Explained(
          fp,
          String.format(
              Locale.ROOT,
              "post-capture KV sizing: round((G - R) / G, 3) with R = 1536 + 1024 x %d / 8 = %.0f"
                  + " MiB: (%d - %.0f) / %d = %.3f",
              ps,
              rp,
              g,
              rp,
              g,
              fp),
          mainSource + "; SGLANG_ENABLE_POST_CAPTURE_KV_SIZING=1");
    }
    double r = 512;
    terms.add("512");
    int act;
    if (main && in.disaggregationMode().filter("decode"::equals).isPresent()) {
      if (facts.pdDecodeActivationFromRunningRequests()) {
        // memory_hook.py L262-267 @a82da8da
        int running = in.maxRunningRequests().orElse(in.decodeMaxBs() > 0 ? in.decodeMaxBs() : 1);
        act = Math.max(running * Math.max(1, in.speculativeDraftTokens()), 2048);
      } else {
        act = Math.max(in.decodeMaxBs(), 2048);
      }
    } else if (in.chunkedPrefillUndivided() > 0) {
      act = Math.max(in.chunkedPrefillUndivided(), 2048);
    } else {
      act = Math.max(in.maxPrefillTokens(), 2048);
    }
    r += 1.5 * act;
    terms.add("1.5 x " + act);
    r += 1024.0 * ps / 8;
    terms.add("1024 x " + ps + " / 8");
    boolean pdPrefill = in.disaggregationMode().filter("prefill"::equals).isPresent();
    if (in.decodeGraphs() && !pdPrefill) {
      r += 2.0 * in.decodeMaxBs();
      terms.add("2 x " + in.decodeMaxBs());
      if (in.dpAttention()) {
        r += 3.0 * in.decodeMaxBs() * in.dp();
        terms.add("3 x " + in.decodeMaxBs() + " x " + in.dp());
        if (in.decodeMaxBs() > 300) {
          r += 1.5 * in.decodeMaxBs() * in.dp();
          terms.add("1.5 x " + in.decodeMaxBs() + " x " + in.dp());
        }
      }
    }
    if (main && facts.prefillGraphReserveTerm() && in.prefillGraphs()) {
      if (in.mla() && facts.prefillGraphsByDefault()) {
        r += 1536;
        terms.add("1536 (MLA prefill graph)");
      } else {
        r += 8.0 * in.prefillGraphSizes();
        terms.add("8 x " + in.prefillGraphSizes() + " (prefill graph sizes)");
      }
      if (facts.breakablePrefillDeepEpTerm() && in.deepEp()) {
        r += 1024;
        terms.add("1024 (breakable prefill graph with DeepEP)");
      }
    }
    if (g > 60 * 1024 && r < 10240) {
      terms.add("raised to the 10 GiB floor");
      r = 10240;
    }
    if (!main || !facts.draftKvInCell()) {
      Optional<String> spec = in.speculativeAlgorithm();
      if (spec.isPresent()) {
        String a = spec.get().toUpperCase(Locale.ROOT);
        int add =
            switch (a) {
              case "STANDALONE" -> 6144;
              case "NGRAM" -> 0;
              default -> 2048;
            };
        r += add;
        terms.add(add + " (" + a + ")");
      }
    }
    if (main && facts.deepEpReserveTerm() && in.deepEp() && in.decodeGraphs() && !pdPrefill) {
      r += 2048;
      terms.add("2048 (DeepEP)");
    }
    double f = round3((g - r) / g);
    return new Explained(
        f,
        String.format(
            Locale.ROOT,
            "round((G - R) / G, 3) with R = %s = %.0f MiB: (%d - %.0f) / %d = %.3f",
            String.join(" + ", terms),
            r,
            g,
            r,
            g,
            f),
        main ? mainSource : "server_args.py L637-683 @v0.5.3 (PR #10975/#11076)");
  }

  private static double tpTable(int tp) {
    if (tp >= 16) {
      return 0.79;
    }
    if (tp >= 8) {
      return 0.81;
    }
    if (tp >= 4) {
      return 0.85;
    }
    if (tp >= 2) {
      return 0.87;
    }
    return 0.88;
  }

  private static double round3(double x) {
    // Python's round() is round-half-even; at 3 decimals of a ratio ties do not occur in practice
    return Math.rint(x * 1000) / 1000;
  }

  // ---------------------------------------------------------------- multimodal feature pool

  /** {@code SGLANG_MM_FEATURE_CACHE_MB}'s default where the transport is resolved (1 GiB). */
  static final int MM_FEATURE_CACHE_MIB = 1024;

  /** Its default in the older environ.py that only the opt-in cuda_ipc transport read (4 GiB). */
  static final int MM_FEATURE_CACHE_OLD_MIB = 4096;

  /**
   * GPU memory the multimodal feature transport reserves on the base GPU, MiB (0: none). From
   * 0.5.17 an unset {@code --mm-feature-transport} resolves to cuda_ipc for a multimodal model on
   * one CUDA node without disaggregation, which reserves {@code SGLANG_MM_FEATURE_CACHE_MB} (1024)
   * (--mm-feature-transport help; a public v0.5.16 to v0.5.17 upgrade note measured the pool
   * shrinking by it). Before, only {@code SGLANG_USE_CUDA_IPC_TRANSPORT=1} did, with 4096 MiB
   * unless the variable is set (environ.py of those releases).
   */
  static int multimodalFeatureCacheMib(
      SglangFacts facts,
      boolean multimodal,
      int nnodes,
      boolean disaggregated,
      Optional<String> transportFlag,
      LaunchEnvironment env) {
    if (!multimodal) {
      return 0;
    }
    Optional<Integer> mb =
        env.get("SGLANG_MM_FEATURE_CACHE_MB")
            .map(String::trim)
            .filter(v -> v.matches("\\d{1,7}"))
            .map(Integer::parseInt);
    if (facts.multimodalFeatureTransportAuto()) {
      String transport = transportFlag.orElse(nnodes == 1 && !disaggregated ? "cuda_ipc" : "cpu");
      return transport.equals("cpu") ? 0 : mb.orElse(MM_FEATURE_CACHE_MIB);
    }
    boolean ipc =
        env.get("SGLANG_USE_CUDA_IPC_TRANSPORT")
            .map(v -> v.trim().toLowerCase(Locale.ROOT))
            .filter(v -> v.equals("1") || v.equals("true"))
            .isPresent();
    return ipc ? mb.filter(v -> v > 0).orElse(MM_FEATURE_CACHE_OLD_MIB) : 0;
  }

  // ---------------------------------------------------------------- chunked prefill

  /** The default {@code chunked_prefill_size} for capacity G (MiB), before the DP division. */
  static Explained defaultChunkedPrefill(
      SglangFacts facts, OptionalLong gpuMemMib, Optional<String> disaggregationMode) {
    if (gpuMemMib.isEmpty()) {
      return new Explained(4096, "GPU capacity unknown: 4096", "server_args.py");
    }
    long g = gpuMemMib.getAsLong();
    int v;
    String src;
    switch (facts.chunkRule()) {
      case P1 -> {
        v =
            disaggregationMode.isPresent() && facts.atLeast(SwitchPoint.CHUNK_PD_16K)
                ? 16384
                : g < 25000 ? 2048 : 8192;
        src = "server_args.py L240-245 @v0.4.5.post3";
      }
      case V047 -> {
        v = g > 180000 ? 16384 : g < 25000 ? 2048 : disaggregationMode.isPresent() ? 16384 : 8192;
        src = "server_args.py L286-294 @v0.4.7";
      }
      case V047_POST1 -> {
        v = g < 35 * 1024 ? 2048 : g < 160 * 1024 ? 8192 : 16384;
        src = "server_args.py L406-415 @v0.5.1";
      }
      case MAIN -> {
        boolean raised = facts.tier20To35GibRaised();
        int tier20 = raised ? 4096 : 2048;
        v =
            g < 20 * 1024
                ? 2048
                : g < 35 * 1024 ? tier20 : g < 60 * 1024 ? 4096 : g < 160 * 1024 ? 8192 : 16384;
        src =
            raised
                ? "memory_hook.py L66-156 @a82da8da (20-35 GiB tier 4096 from PR #37898)"
                : "server_args.py L4737-4797 @main";
      }
      default -> throw new AssertionError(facts.chunkRule());
    }
    return new Explained(v, "G = " + g + " MiB: " + v, src);
  }

  // ---------------------------------------------------------------- decode CUDA graphs

  /**
   * SGLang's default {@code cuda_graph_max_bs} (empty: no cap, the list decides).
   *
   * @param tp the TP size
   */
  static OptionalInt defaultCudaGraphMaxBs(SglangFacts facts, OptionalLong gpuMemMib, int tp) {
    if (gpuMemMib.isEmpty()) {
      return facts.captureListRule() == SglangFacts.CaptureListRule.MAIN
          ? OptionalInt.of(160)
          : OptionalInt.empty();
    }
    long g = gpuMemMib.getAsLong();
    switch (facts.captureListRule()) {
      case P1, V046_DP1_ONLY, V046_POST2, V047 -> {
        return g < 25000 ? OptionalInt.of(tp < 4 ? 8 : 80) : OptionalInt.empty();
      }
      case V047_POST1 -> {
        return g < 35 * 1024 ? OptionalInt.of(tp < 4 ? 8 : 80) : OptionalInt.empty();
      }
      case MAIN -> {
        if (g < 20 * 1024) {
          return OptionalInt.of(8);
        }
        if (g < 35 * 1024) {
          if (facts.tier20To35GibRaised()) {
            // memory_hook.py L90-94 @a82da8da (PR #37898)
            return OptionalInt.of(tp < 4 ? 48 : 160);
          }
          int small = facts.atLeast(SwitchPoint.CUDA_GRAPH_MAX_BS_24_SMALL) ? 24 : 16;
          return OptionalInt.of(tp < 4 ? small : 80);
        }
        if (g < 60 * 1024) {
          return OptionalInt.of(tp < 4 ? 32 : 160);
        }
        if (g < 160 * 1024) {
          return OptionalInt.of(tp < 4 ? 256 : 512);
        }
        return OptionalInt.of(512);
      }
      default -> throw new AssertionError(facts.captureListRule());
    }
  }

  /**
   * The decode capture list before the request-pool filter: the base list for the version, GPU
   * capacity and flags, then cut at {@code maxBs} when given.
   */
  static List<Integer> decodeCaptureList(
      SglangFacts facts,
      OptionalLong gpuMemMib,
      boolean disablePadding,
      boolean speculative,
      int dp,
      OptionalInt maxBs,
      Optional<List<Integer>> userList) {
    long g = gpuMemMib.orElse(0);
    List<Integer> list = new ArrayList<>();
    if (userList.isPresent() && facts.captureListRule() == SglangFacts.CaptureListRule.MAIN) {
      // a given list sets max_bs = max(list) and is not cut (server_args.py L632-635 @a4a3d8239,
      // L4807-4808 @main)
      return userList.get().stream().distinct().sorted().toList();
    }
    if (facts.captureListRule() == SglangFacts.CaptureListRule.MAIN) {
      int max = maxBs.orElse(160);
      if (disablePadding) {
        range(list, 1, max, 1);
      } else if (speculative) {
        range(list, 1, 8, 1);
        range(list, 10, 32, 2);
        range(list, 40, 64, 4);
        range(list, 72, 256, 8);
        range(list, 272, max, 16);
      } else {
        list.addAll(List.of(1, 2, 4, 8, 12));
        range(list, 16, 256, 8);
        range(list, 272, 496, 16);
        range(list, 512, max, 32);
      }
      list.removeIf(b -> b > max);
      if (!list.contains(max) && facts.captureListAlwaysHasMaxBs()) {
        list.add(max);
      }
    } else if (userList.isPresent()) {
      // a given list replaces only the default list; the max-bs cut and extension still apply
      // (cuda_graph_runner.py L121-160 @v0.4.6.post4)
      list.addAll(userList.get());
    } else {
      boolean v047 = facts.atLeast(SwitchPoint.CAPTURE_LIST_V047);
      if (disablePadding) {
        range(list, 1, 32, 1);
        range(list, v047 ? 48 : 40, 160, 16);
      } else if (speculative) {
        range(list, 1, 8, 1);
        range(list, 10, 32, 2);
        if (v047) {
          range(list, 40, 56, 8);
          range(list, 80, 160, 16);
        } else {
          range(list, 40, 160, 16);
        }
      } else {
        list.addAll(List.of(1, 2, 4, 8));
        range(list, 16, 160, 8);
      }
      boolean extend =
          switch (facts.captureListRule()) {
            case P1 -> g > 81920;
            case V046_DP1_ONLY -> g > 81920 && dp == 1;
            case V046_POST2, V047 -> g > 96 * 1024;
            case V047_POST1 -> g > 90 * 1024;
            default -> false;
          };
      if (extend) {
        range(list, 168, 256, 8);
      }
      boolean extend512 =
          (facts.captureListRule() == SglangFacts.CaptureListRule.V047 && g > 180000)
              || (facts.captureListRule() == SglangFacts.CaptureListRule.V047_POST1 && g > 160000);
      if (extend512) {
        range(list, 272, 512, 16);
      }
    }
    if (facts.captureListRule() != SglangFacts.CaptureListRule.MAIN && maxBs.isPresent()) {
      int cap = maxBs.getAsInt();
      list.removeIf(b -> b > cap);
      int top = list.stream().mapToInt(Integer::intValue).max().orElse(cap);
      if (facts.captureListExtendsToMaxBs() && top < cap) {
        range(list, top + 16, cap, 16);
      }
    }
    return list.stream().distinct().sorted().toList();
  }

  private static void range(List<Integer> list, int from, int toInclusive, int step) {
    for (int b = from; b <= toInclusive; b += step) {
      list.add(b);
    }
  }

  /**
   * The list after SGLang's filter by the request-table rows: batch sizes above the rows are
   * dropped and the row count itself is added (up to v0.4.6.post5 also rows − 1).
   */
  public static List<Integer> filterByRequestRows(SglangFacts facts, List<Integer> list, int rows) {
    List<Integer> out = new ArrayList<>(list);
    if (!out.isEmpty() && out.getLast() > rows) {
      // cuda_graph_runner.py L141-146@v0.4.6.post1, L155-160@v0.4.6.post4: size - 1 and size;
      // v0.4.7 (L155-158) appends size only
      if (!facts.atLeast(SwitchPoint.CAPTURE_FILTER_SIZE_ONLY)) {
        out.add(rows - 1);
      }
      out.add(rows);
    }
    out.removeIf(b -> b > rows || b < 1);
    return out.stream().distinct().sorted().toList();
  }

  /** Main's prefill-graph token list (tokens), capped at {@code max}. */
  static List<Integer> prefillGraphTokens(int max) {
    List<Integer> list = new ArrayList<>();
    range(list, 4, 32, 4);
    range(list, 48, 256, 16);
    range(list, 288, 512, 32);
    range(list, 576, 1024, 64);
    range(list, 1280, 4096, 256);
    range(list, 4608, Math.max(max, 4608), 512);
    list.removeIf(t -> t > max);
    return List.copyOf(list);
  }
}
