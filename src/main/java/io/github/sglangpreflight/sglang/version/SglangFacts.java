package io.github.sglangpreflight.sglang.version;

import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import io.github.sglangpreflight.sglang.args.SglangFlags;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one SGLang version does at start-up, as switches the budget reads. Each switch names the
 * first version (or, after 0.5.6.post2, the main commit date) where SGLang's behaviour changes;
 * sources are in docs/memory-model.md and the Javadoc of each accessor.
 *
 * <p>Releases after 0.5.6.post2 are cut on branches the project cannot read; their behaviour is
 * taken from main at the release's approximate date ({@link #releaseDate()}), which is then stated
 * in {@link #notes()}.
 */
public final class SglangFacts {

  /** How the default {@code --mem-fraction-static} is computed. */
  public enum FractionRule {
    /** v0.4.5.post3 – v0.4.6.post1: TP table on 80 GB-class GPUs, else (G − 13 GiB)/G. */
    P1_TP_TABLE_OR_13_GIB,
    /** v0.4.6.post2 – v0.4.6.post5: PR #5893, min(base + 48 GiB·(1−base)/G, (G − 18 GiB)/G). */
    P2_H200_RULE,
    /** v0.4.7: as P2 plus B200 0.79 and the speculative 20 GiB / ×0.95 terms. */
    P2_V047,
    /** v0.4.7.post1 – v0.5.3rc0: PR #7054 GPU-class reserve table. */
    P3_RESERVE_TABLE,
    /** v0.5.3rc2 – v0.5.6.post2: PR #10975/#11076, activation + graphs. */
    P4_ACTIVATION_GRAPHS,
    /** main: reserve_for_graph_mb / reserve_for_deepep_a2a_mb. */
    P4_MAIN
  }

  /** How the default decode CUDA-graph batch-size list is built. */
  public enum CaptureListRule {
    /** v0.4.5.post3: [1,2,4,8] + 16..160/8, + 168..256 when G > 81920 MiB. */
    P1,
    /** v0.4.6 – v0.4.6.post1: the 168..256 extension only when dp_size == 1 (PR #5634). */
    V046_DP1_ONLY,
    /** v0.4.6.post2 – v0.4.6.post5: extension when G > 96 GiB, any dp (PR #5893). */
    V046_POST2,
    /** v0.4.7: as V046_POST2 plus 256..512/16 when G > 180000. */
    V047,
    /** v0.4.7.post1 – v0.5.3rc0: +160..256 when G > 90 GiB, +256..512 when G > 160000. */
    V047_POST1,
    /**
     * v0.5.3rc2 and later (PR #10372): [1,2,4,8,12] + 16..256/8 + 272..496/16 + 512..max/32, cut
     * at max_bs.
     */
    MAIN
  }

  /** How {@code chunked_prefill_size} defaults. */
  public enum ChunkRule {
    /** P1 – v0.4.6.post5: 2048 below 25000 MiB, else 8192. */
    P1,
    /** v0.4.7: + 16384 above 180000 MiB. */
    V047,
    /** v0.4.7.post1 – v0.5.3rc0: <35 GiB 2048, <160 GiB 8192, else 16384. */
    V047_POST1,
    /** v0.5.3rc2 – main (PR #10372): <20/<35 GiB 2048, <60 GiB 4096, <160 GiB 8192, else 16384. */
    MAIN
  }

  /** How many rows the request-to-token table gets. */
  public enum RequestRowsRule {
    /** ≤ v0.4.6.post5: clamp(tokens/context·512, 2048, 4096) or N, plus 1 row. */
    PLUS_ONE,
    /** v0.4.7 – main before 2026-03-08: clamp(…) or N (N undivided by dp). */
    EXACT,
    /** main from 2026-03-08: min(clamp(…), tokens/2) or min(N / attention dp, clamp(…)). */
    CAPPED,
    /** main from 2026-05-06: as CAPPED (N: min(N / attention dp, tokens/2)), plus a padding row. */
    MAIN
  }

  private static final LocalDate MAIN_DATE = LocalDate.of(2026, 8, 12);

  private final SglangVersion version;
  private final SglangProfile profile;
  private final LocalDate releaseDate;
  private final boolean releaseDateExact;
  private final List<String> notes;

  private SglangFacts(SglangVersion version) {
    this.version = Objects.requireNonNull(version, "version");
    this.profile = SglangProfile.of(version);
    List<String> n = new ArrayList<>();
    ReleaseDate d = releaseDateOf(version);
    this.releaseDate = d.date;
    this.releaseDateExact = d.exact;
    if (!d.exact) {
      n.add(
          "SGLang "
              + version
              + " is modelled by upstream main as of about "
              + d.date
              + " (releases after 0.5.6.post2 are cut on branches this build cannot read)");
    }
    this.notes = List.copyOf(n);
  }

  /** The facts of {@code version}. */
  public static SglangFacts of(SglangVersion version) {
    return new SglangFacts(version);
  }

  public SglangVersion version() {
    return version;
  }

  public SglangProfile profile() {
    return profile;
  }

  /** The release (or tag) date of the version, exact up to 0.5.6.post2, else approximate. */
  public LocalDate releaseDate() {
    return releaseDate;
  }

  public boolean releaseDateExact() {
    return releaseDateExact;
  }

  /** Sentences about how the version was modelled. */
  public List<String> notes() {
    return notes;
  }

  private boolean atLeast(String v) {
    return version.atLeast(v);
  }

  /** True when this version behaves the new way of {@code point}. */
  public boolean atLeast(SwitchPoint point) {
    return version.atLeast(point.firstVersion());
  }

  /** True for versions whose behaviour follows main at or after {@code date}. */
  private boolean mainSince(int year, int month, int day) {
    return !version.before("0.5.7") && !releaseDate.isBefore(LocalDate.of(year, month, day));
  }

  // ---------------------------------------------------------------- default fraction and defaults

  public FractionRule fractionRule() {
    if (!atLeast("0.4.6.post2")) {
      return FractionRule.P1_TP_TABLE_OR_13_GIB;
    }
    if (!atLeast("0.4.7")) {
      return FractionRule.P2_H200_RULE;
    }
    if (!atLeast("0.4.7.post1")) {
      return FractionRule.P2_V047;
    }
    if (!atLeast("0.5.3rc2")) {
      return FractionRule.P3_RESERVE_TABLE;
    }
    if (version.before("0.5.7")) {
      return FractionRule.P4_ACTIVATION_GRAPHS;
    }
    return FractionRule.P4_MAIN;
  }

  public CaptureListRule captureListRule() {
    if (!atLeast("0.4.6")) {
      return CaptureListRule.P1;
    }
    if (!atLeast("0.4.6.post2")) {
      return CaptureListRule.V046_DP1_ONLY;
    }
    if (!atLeast("0.4.7")) {
      return CaptureListRule.V046_POST2;
    }
    if (!atLeast("0.4.7.post1")) {
      return CaptureListRule.V047;
    }
    if (!atLeast("0.5.3rc2")) {
      return CaptureListRule.V047_POST1;
    }
    return CaptureListRule.MAIN;
  }

  /** v0.4.6.post4+: a {@code --cuda-graph-max-bs} above the list extends it in steps of 16. */
  public boolean captureListExtendsToMaxBs() {
    return atLeast("0.4.6.post4") && !atLeast("0.5.3rc2");
  }

  public ChunkRule chunkRule() {
    if (!atLeast("0.4.7")) {
      return ChunkRule.P1;
    }
    if (!atLeast("0.4.7.post1")) {
      return ChunkRule.V047;
    }
    if (!atLeast("0.5.3rc2")) {
      return ChunkRule.V047_POST1;
    }
    return ChunkRule.MAIN;
  }

  /**
   * Under DP attention a decode graph's batch size counts each rank's tokens and the MoE runs on
   * bs·dp tokens (v0.4.9.post4, PR #8280); before, bs counted global tokens.
   */
  public boolean dpGraphBatchPerRank() {
    return atLeast("0.4.9.post4");
  }

  /**
   * Each captured graph keeps its own fp32 {@code [bs, vocab]} logits (up to v0.4.10.post1; PR
   * #8579 made it one shared buffer).
   */
  public boolean logitsKeptPerGraph() {
    return !atLeast("0.4.10.post2");
  }

  /** The FA3 backend copies the page table per captured bs (up to v0.4.10.post1, PR #8567). */
  public boolean fa3PageTablePerGraph() {
    return !atLeast("0.4.10.post2");
  }

  /** How many FA3 page tables of [max_bs, context] the backend preallocates for graphs. */
  public int fa3StaticTables() {
    if (!atLeast("0.4.6")) {
      return 2;
    }
    if (!atLeast("0.4.10.post2")) {
      return 3;
    }
    return 1;
  }

  /** The decode list always contains max_bs (main from 2026-06-09, PR #23906). */
  public boolean mainSince2026_06_09() {
    return mainSince(2026, 6, 9);
  }

  /** Prefill (piecewise/breakable) CUDA graphs are on by default (main from 2026-03-02). */
  public boolean prefillGraphsByDefault() {
    return mainSince(2026, 3, 2);
  }

  /** The default fraction's reserve counts the prefill graphs (main from 2026-01-10). */
  public boolean prefillGraphReserveTerm() {
    return mainSince(2026, 1, 10);
  }

  /**
   * main's graph reserve adds 1 GiB when the breakable prefill graph runs with DeepEP (from
   * 2026-07-31, PR #31987).
   */
  public boolean breakablePrefillDeepEpTerm() {
    return mainSince(2026, 7, 31);
  }

  /** main reserves 2 GiB for DeepEP buffers from 2026-07-04 (PR #29615). */
  public boolean deepEpReserveTerm() {
    return mainSince(2026, 7, 4);
  }

  // ---------------------------------------------------------------- KV pool and request table

  /** main from 2025-12-19 counts MHA K and V as head_dim + v_head_dim; before, 2·head_dim. */
  public KvCacheOptions.CellFormula cellFormula() {
    return mainSince(2025, 12, 19)
        ? KvCacheOptions.CellFormula.HEAD_DIM_PLUS_V_HEAD_DIM
        : KvCacheOptions.CellFormula.TWO_HEAD_DIM;
  }

  /** The weight-layout facts of this version (embedding, shared expert, MLA copies, PP split). */
  public WeightPlacementOptions weightPlacement() {
    if (!atLeast("0.4.7")) {
      return WeightPlacementOptions.v0_4_5_post3();
    }
    if (!mainSince(2026, 1, 1)) {
      return WeightPlacementOptions.v0_4_9();
    }
    return WeightPlacementOptions.newestMain();
  }

  /** The KV-cell facts of this version. */
  public KvCacheOptions kvCacheOptions() {
    KvCacheOptions base =
        mainSince(2026, 1, 1) ? KvCacheOptions.newestMain() : KvCacheOptions.v0_4_5_post3();
    return new KvCacheOptions(
        base.kvCacheDtype(),
        base.dtypeOverride(),
        cellFormula(),
        weightPlacement().ppLayerSplit(),
        base.ppLayerPartition(),
        base.hybridSwaPools());
  }

  public RequestRowsRule requestRowsRule() {
    if (!atLeast("0.4.7")) {
      return RequestRowsRule.PLUS_ONE;
    }
    if (mainSince(2026, 5, 6)) {
      return RequestRowsRule.MAIN;
    }
    if (mainSince(2026, 3, 8)) {
      return RequestRowsRule.CAPPED;
    }
    return RequestRowsRule.EXACT;
  }

  /** The request table's context grows by the speculative draft tokens (v0.5.1, PR #9388). */
  public boolean requestTableCountsDraftTokens() {
    return atLeast("0.5.1");
  }

  /**
   * T is the MIN of a float tensor all-reduced on the default NCCL group, which creates a NCCL
   * communicator after T is read (up to v0.4.6.post3; from v0.4.6.post4 the MIN uses the CPU
   * group).
   */
  public boolean preLoadMinCreatesNcclCommunicator() {
    return !atLeast("0.4.6.post4");
  }

  /** main keeps 48 B per KV token of eager input buffers (from 2026-06-09). */
  public boolean eagerInputBuffers() {
    return mainSince(2026, 6, 9);
  }

  /** Draft KV priced into the target cell (main from 2026-06-12, PR #23862). */
  public boolean draftKvInCell() {
    return mainSince(2026, 6, 12);
  }

  /** Draft weights loaded before the pool, so counted in A (main from 2026-06-21, PR #28855). */
  public boolean draftWeightsBeforePool() {
    return mainSince(2026, 6, 21);
  }

  /** Which error SGLang raises when the pool is empty. */
  public boolean raisesMinimumFractionError() {
    return mainSince(2026, 6, 21);
  }

  /** main reserves multimodal caches out of the KV budget (from 2026-08-12). */
  public boolean multimodalKvReservation() {
    return !version.before("0.5.7") && !releaseDate.isBefore(MAIN_DATE);
  }

  // ---------------------------------------------------------------- checks and switches

  /**
   * The TP memory-imbalance check's environment switch: {@code SGL_DISABLE_...} (truthy → warn)
   * before main 2025-12-25, {@code SGLANG_ENABLE_...} (default on) after.
   */
  public boolean imbalanceSwitchIsNew() {
    return mainSince(2025, 12, 25);
  }

  /** The multimodal ×0.9 also rewrites a user-given fraction (up to v0.4.7.post1). */
  public boolean multimodalFactorAppliesToUserFraction() {
    return !atLeast("0.4.8");
  }

  /** The ViT-size multimodal factor (v0.4.9.post3) instead of ×0.9. */
  public boolean vitSizeFactor() {
    return atLeast("0.4.9.post3");
  }

  /** Multimodal models get chunked prefill disabled (up to v0.4.6.post4, every multimodal model). */
  public boolean multimodalDisablesChunkedPrefill() {
    return !atLeast("0.4.6.post5");
  }

  // ---------------------------------------------------------------- JIT DeepGEMM

  /** JIT DeepGEMM is on unless the environment turns it off (from v0.4.6, PR #5628). */
  public boolean jitDeepGemmDefaultOn() {
    return atLeast("0.4.6");
  }

  /** Which compute capabilities JIT DeepGEMM runs on: exactly 9.0 up to v0.5.1; 9.0+ after. */
  public boolean jitDeepGemmSupports(int smVersion) {
    if (!atLeast("0.5.1.post1")) {
      return smVersion == 90;
    }
    if (!version.before("0.5.7") || version.isMain()) {
      return smVersion >= 90 && smVersion / 10 != 12;
    }
    return smVersion >= 90;
  }

  /** The warm-up executes every M with real GPU buffers (v0.5.1.post3 / v0.5.2rc0, PR #9340). */
  public boolean deepGemmWarmupAllocates() {
    return atLeast("0.5.1.post3");
  }

  /** The warm-up frees each shape's buffers before the next (0.5.2rc1, PR #9879). */
  public boolean deepGemmWarmupFreesPerShape() {
    return atLeast("0.5.2rc1");
  }

  /** "First GPU of the node" is {@code --base-gpu-id} (0.5.6); before, GPU 0 only. */
  public boolean deepGemmFirstRankUsesBaseGpuId() {
    return atLeast("0.5.6");
  }

  /** The warm-up halves max_m (floor 4096) when free memory is short (0.5.6.post1, PR #14493). */
  public boolean deepGemmWarmupGuard() {
    return atLeast("0.5.6.post1");
  }

  /** {@code SGLANG_JIT_DEEPGEMM_FAST_WARMUP} exists (main from 2026-02-04). */
  public boolean deepGemmFastWarmupKnob() {
    return mainSince(2026, 2, 4);
  }

  // ---------------------------------------------------------------- speculative decoding

  /** Draft weights, draft KV and draft graphs come out of the reserve, unbudgeted. */
  public boolean draftUnbudgeted() {
    return !draftWeightsBeforePool();
  }

  /** {@code --enable-symm-mem} preallocates 4 GiB after capture (main from 2026-01-23). */
  public boolean symmetricMemoryPrealloc() {
    return mainSince(2026, 1, 23);
  }

  /**
   * The default attention backend, before a user's {@code --attention-backend}.
   *
   * <p>MHA models get FA3 on Hopper only when their architecture is on SGLang's FA3 list (every
   * MHA model from main 2026-01-21) and speculative decoding, if any, runs with top-k 1 on page
   * size 1 ({@code is_no_spec_infer_or_topk_one}); else flashinfer, or trtllm_mha on sm100/sm103
   * from 0.5.6.post1. MLA models get FA3 on Hopper, flashinfer on sm100 from 0.4.7, else triton
   * (model_runner.py L231-259 @v0.4.5.post3, L444-460 @v0.5.1; server_args.py L5775-5850 @main).
   *
   * @param mla the model uses MLA
   * @param smVersion the GPU's compute capability (90 Hopper, 100 Blackwell)
   * @param architecture the model's {@code architectures[0]}
   * @param noSpecOrTopkOne no speculative decoding, or top-k 1 with page size 1
   */
  public String defaultAttentionBackend(
      boolean mla, int smVersion, String architecture, boolean noSpecOrTopkOne) {
    boolean hopper = smVersion == 90;
    boolean blackwell = smVersion == 100 || smVersion == 103;
    if (mla) {
      if (hopper) {
        return "fa3";
      }
      return blackwell && atLeast("0.4.7") ? "flashinfer" : "triton";
    }
    if (hopper && noSpecOrTopkOne && (mainSince(2026, 1, 21) || fa3DefaultArchitecture(architecture))) {
      return "fa3";
    }
    if (blackwell && noSpecOrTopkOne && atLeast("0.5.6.post1")) {
      return "trtllm_mha";
    }
    return "flashinfer";
  }

  /**
   * SGLang's {@code is_fa3_default_architecture} list at this version (utils.py L1964-1975
   * @v0.4.5.post3, L2274-2290 @v0.5.1, utils/common.py L3444-3470 @main): the MHA models that get
   * FA3 on Hopper by default until main 2026-01-21 (PR #17425) made it every MHA model.
   */
  boolean fa3DefaultArchitecture(String architecture) {
    return switch (architecture) {
      case "Qwen2ForCausalLM", "Llama4ForConditionalGeneration", "LlamaForCausalLM",
          "Gemma2ForCausalLM" ->
          true;
      case "MistralForCausalLM" -> !atLeast("0.4.6.post5");
      case "Gemma3ForConditionalGeneration" -> atLeast("0.4.6");
      case "Qwen3ForCausalLM", "Qwen3MoeForCausalLM" -> atLeast("0.4.6.post1");
      case "MixtralForCausalLM" ->
          (atLeast("0.4.6.post1") && !atLeast("0.4.6.post4")) || mainSince(2026, 1, 17);
      case "Glm4MoeForCausalLM" -> atLeast("0.4.10");
      case "Step3VLForConditionalGeneration" -> atLeast("0.5.0rc0");
      case "Glm4vMoeForConditionalGeneration" -> atLeast("0.5.1");
      case "Olmo2ForCausalLM" -> atLeast("0.5.4");
      case "Glm4vForConditionalGeneration" -> atLeast("0.5.6.post1");
      case "Qwen3VLForConditionalGeneration", "Qwen3VLMoeForConditionalGeneration" ->
          atLeast("0.5.6.post2");
      default -> false;
    };
  }

  /** The flag/environment snapshot whose parsing rules this version follows. */
  public SglangFlags.Snapshot flagSnapshot() {
    if (!atLeast("0.4.6")) {
      return SglangFlags.Snapshot.V0_4_5_POST3;
    }
    if (!atLeast("0.4.7")) {
      return SglangFlags.Snapshot.V0_4_6_POST5;
    }
    if (!atLeast("0.4.8")) {
      return SglangFlags.Snapshot.V0_4_7;
    }
    if (!atLeast("0.5.0rc0")) {
      return SglangFlags.Snapshot.V0_4_9;
    }
    if (!atLeast("0.5.3rc0")) {
      return SglangFlags.Snapshot.V0_5_1;
    }
    return SglangFlags.Snapshot.MAIN;
  }

  // ---------------------------------------------------------------- release dates

  private record ReleaseDate(LocalDate date, boolean exact) {}

  // Tag dates of upstream releases (git log -1 --format=%cd of each tag in the mirror, and the
  // "bump" commits on main for 0.5.2 – 0.5.6.post2).
  private static final String[][] DATES = {
    {"0.4.4.post4", "2025-04-05"},
    {"0.4.5", "2025-04-07"},
    {"0.4.5.post1", "2025-04-15"},
    {"0.4.5.post2", "2025-04-20"},
    {"0.4.5.post3", "2025-04-21"},
    {"0.4.6", "2025-04-27"},
    {"0.4.6.post1", "2025-04-28"},
    {"0.4.6.post2", "2025-04-30"},
    {"0.4.6.post3", "2025-05-09"},
    {"0.4.6.post4", "2025-05-13"},
    {"0.4.6.post5", "2025-05-24"},
    {"0.4.7", "2025-06-10"},
    {"0.4.7.post1", "2025-06-16"},
    {"0.4.8", "2025-06-23"},
    {"0.4.8.post1", "2025-06-26"},
    {"0.4.9", "2025-07-05"},
    {"0.4.9.post1", "2025-07-09"},
    {"0.4.9.post2", "2025-07-11"},
    {"0.4.9.post4", "2025-07-25"},
    {"0.4.9.post6", "2025-07-29"},
    {"0.4.10", "2025-07-31"},
    {"0.4.10.post1", "2025-08-01"},
    {"0.4.10.post2", "2025-08-03"},
    {"0.5.0rc0", "2025-08-08"},
    {"0.5.0rc1", "2025-08-13"},
    {"0.5.0rc2", "2025-08-14"},
    {"0.5.1", "2025-08-23"},
    {"0.5.1.post2", "2025-08-25"},
    {"0.5.2", "2025-09-11"},
    {"0.5.3", "2025-10-06"},
    {"0.5.4", "2025-10-26"},
    {"0.5.5", "2025-11-06"},
    {"0.5.6", "2025-12-02"},
    {"0.5.6.post2", "2025-12-11"},
  };

  private static ReleaseDate releaseDateOf(SglangVersion v) {
    if (v.isMain()) {
      return new ReleaseDate(MAIN_DATE, true);
    }
    LocalDate best = null;
    for (String[] row : DATES) {
      SglangVersion known = SglangVersion.parse(row[0]);
      if (known.compareTo(v) <= 0) {
        best = LocalDate.parse(row[1]);
      }
    }
    if (v.before("0.5.7")) {
      return new ReleaseDate(best == null ? LocalDate.parse(DATES[0][1]) : best, true);
    }
    // 0.5.7+: cut from release branches; anchors 0.5.15 ≈ 2026-07-07, 0.5.16 ≈ 2026-07-24.
    if (v.before("0.5.15")) {
      LocalDate from = LocalDate.of(2025, 12, 29);
      LocalDate to = LocalDate.of(2026, 7, 7);
      int minor = v.atLeast("0.5.14") ? 14 : minorPatch(v);
      long span = to.toEpochDay() - from.toEpochDay();
      long day = from.toEpochDay() + span * (minor - 7) / 8;
      return new ReleaseDate(LocalDate.ofEpochDay(day), false);
    }
    if (v.before("0.5.16")) {
      return new ReleaseDate(LocalDate.of(2026, 7, 7), false);
    }
    if (v.before("0.5.17")) {
      return new ReleaseDate(LocalDate.of(2026, 7, 24), false);
    }
    return new ReleaseDate(MAIN_DATE, false);
  }

  private static int minorPatch(SglangVersion v) {
    for (int p = 14; p >= 7; p--) {
      if (v.atLeast("0.5." + p)) {
        return p;
      }
    }
    return 7;
  }
}
