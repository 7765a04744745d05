package io.github.sglangpreflight.sglang.version;

import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import io.github.sglangpreflight.sglang.args.SglangFlags;
import io.github.sglangpreflight.sglang.version.ReleaseTable.Release;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one SGLang version does at start-up, as switches the budget reads. Every answer comes from a
 * named {@link SwitchPoint} (first version or main commit date, with its source, in {@code
 * sglang-switch-points.tsv}) and the release table ({@code sglang-releases.tsv}); nothing here
 * compares version strings.
 *
 * <p>Releases after 0.5.6.post2 are cut on branches the project cannot read; their behaviour is
 * taken from main at the release's date ({@link #releaseDate()}, capped at main's date), which is
 * then stated in {@link #notes()}. A version the table does not hold (a newer release, a nightly
 * {@code 0.5.22.devYYYYMMDD}, an rc or post of an unknown base) is modelled as the nearest known
 * release before it ({@link #modelledAs()}), with a WARN and a note naming both.
 */
public final class SglangFacts {

  /** How the default {@code --mem-fraction-static} is computed. */
  public enum FractionRule {
    /** v0.4.5.post3 – v0.4.6.post1: TP table on 80 GB-class GPUs, else (G − 13 GiB)/G. */
    P1_TP_TABLE_OR_13_GIB(null),
    /** v0.4.6.post2 – v0.4.6.post5: PR #5893, min(base + 48 GiB·(1−base)/G, (G − 18 GiB)/G). */
    P2_H200_RULE(SwitchPoint.FRACTION_H200_RULE),
    /** v0.4.7: as P2 plus B200 0.79 and the speculative 20 GiB / ×0.95 terms. */
    P2_V047(SwitchPoint.FRACTION_V047_TERMS),
    /** v0.4.7.post1 – v0.5.3rc0: PR #7054 GPU-class reserve table. */
    P3_RESERVE_TABLE(SwitchPoint.FRACTION_RESERVE_TABLE),
    /** v0.5.3rc2 – v0.5.6.post2: PR #10975/#11076, activation + graphs. */
    P4_ACTIVATION_GRAPHS(SwitchPoint.FRACTION_ACTIVATION_GRAPHS),
    /** main: reserve_for_graph_mb / reserve_for_deepep_a2a_mb. */
    P4_MAIN(SwitchPoint.FRACTION_MAIN_RESERVE);

    private final SwitchPoint from;

    FractionRule(SwitchPoint from) {
      this.from = from;
    }
  }

  /** How the default decode CUDA-graph batch-size list is built. */
  public enum CaptureListRule {
    /** v0.4.5.post3: [1,2,4,8] + 16..160/8, + 168..256 when G > 81920 MiB. */
    P1(null),
    /** v0.4.6 – v0.4.6.post1: the 168..256 extension only when dp_size == 1 (PR #5634). */
    V046_DP1_ONLY(SwitchPoint.CAPTURE_LIST_DP1_ONLY),
    /** v0.4.6.post2 – v0.4.6.post5: extension when G > 96 GiB, any dp (PR #5893). */
    V046_POST2(SwitchPoint.CAPTURE_LIST_96_GIB),
    /** v0.4.7: as V046_POST2 plus 256..512/16 when G > 180000. */
    V047(SwitchPoint.CAPTURE_LIST_V047),
    /** v0.4.7.post1 – v0.5.3rc0: +160..256 when G > 90 GiB, +256..512 when G > 160000. */
    V047_POST1(SwitchPoint.CAPTURE_LIST_90_GIB),
    /**
     * v0.5.3rc2 and later (PR #10372): [1,2,4,8,12] + 16..256/8 + 272..496/16 + 512..max/32, cut at
     * max_bs.
     */
    MAIN(SwitchPoint.CAPTURE_LIST_SERVER_SIDE);

    private final SwitchPoint from;

    CaptureListRule(SwitchPoint from) {
      this.from = from;
    }
  }

  /** How {@code chunked_prefill_size} defaults. */
  public enum ChunkRule {
    /** P1 – v0.4.6.post5: 2048 below 25000 MiB, else 8192. */
    P1(null),
    /** v0.4.7: + 16384 above 180000 MiB. */
    V047(SwitchPoint.CHUNK_V047_16K),
    /** v0.4.7.post1 – v0.5.3rc0: <35 GiB 2048, <160 GiB 8192, else 16384. */
    V047_POST1(SwitchPoint.CHUNK_RESERVE_TIERS),
    /** v0.5.3rc2 – main (PR #10372): <20/<35 GiB 2048, <60 GiB 4096, <160 GiB 8192, else 16384. */
    MAIN(SwitchPoint.CHUNK_SERVER_SIDE_TIERS);

    private final SwitchPoint from;

    ChunkRule(SwitchPoint from) {
      this.from = from;
    }
  }

  /** How many rows the request-to-token table gets. */
  public enum RequestRowsRule {
    /** ≤ v0.4.6.post5: clamp(tokens/context·512, 2048, 4096) or N, plus 1 row. */
    PLUS_ONE(null),
    /** v0.4.7 – main before 2026-03-08: clamp(…) or N (N undivided by dp). */
    EXACT(SwitchPoint.REQUEST_ROWS_EXACT),
    /** main from 2026-03-08: min(clamp(…), tokens/2) or min(N / attention dp, clamp(…)). */
    CAPPED(SwitchPoint.REQUEST_ROWS_CAPPED),
    /** main from 2026-05-06: as CAPPED (N: min(N / attention dp, tokens/2)), plus a padding row. */
    MAIN(SwitchPoint.REQUEST_ROWS_PADDING);

    private final SwitchPoint from;

    RequestRowsRule(SwitchPoint from) {
      this.from = from;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(SglangFacts.class);

  // the flag snapshots in order; each applies from its switch point on
  private static final List<Map.Entry<SwitchPoint, SglangFlags.Snapshot>> FLAG_SNAPSHOTS =
      List.of(
          Map.entry(SwitchPoint.FLAGS_V0_4_6, SglangFlags.Snapshot.V0_4_6_POST5),
          Map.entry(SwitchPoint.FLAGS_V0_4_7, SglangFlags.Snapshot.V0_4_7),
          Map.entry(SwitchPoint.FLAGS_V0_4_9, SglangFlags.Snapshot.V0_4_9),
          Map.entry(SwitchPoint.FLAGS_V0_5_1, SglangFlags.Snapshot.V0_5_1),
          Map.entry(SwitchPoint.FLAGS_MAIN, SglangFlags.Snapshot.MAIN));

  private final SglangVersion version;
  private final Release release;
  private final SglangProfile profile;
  // the day of main whose rules apply (releases modelled by main; capped at main's own date)
  private final LocalDate codeDate;
  private final List<String> notes;

  private SglangFacts(SglangVersion version, Logger log) {
    this.version = Objects.requireNonNull(version, "version");
    ReleaseTable table = ReleaseTable.get();
    Optional<Release> known = table.find(version);
    this.release = known.orElseGet(() -> table.nearest(version));
    this.profile = SglangProfile.of(release.version());
    LocalDate mainDate = table.main().date();
    this.codeDate = release.date().isAfter(mainDate) ? mainDate : release.date();
    List<String> n = new ArrayList<>();
    if (known.isEmpty()) {
      String where = release.version().compareTo(version) <= 0 ? "before" : "after";
      log.warn(
          "SGLang {} is not in the release table; modelling it as {}, the nearest known release"
              + " {} it",
          version,
          release.version(),
          where);
      n.add(
          "SGLang "
              + version
              + " is not a release this build knows: it is modelled as "
              + release.version()
              + ", the nearest known release "
              + where
              + " it");
    }
    if (release.rulesFromMain() && !release.version().isMain()) {
      if (codeDate.equals(release.date())) {
        n.add(
            "SGLang "
                + release.version()
                + " is modelled by upstream main as of about "
                + codeDate
                + " (releases after 0.5.6.post2 are cut on branches this build cannot read)");
      } else {
        n.add(
            "SGLang "
                + release.version()
                + " (released "
                + release.date()
                + ") is modelled by upstream main as of "
                + codeDate
                + ", the newest SGLang this build models (releases after 0.5.6.post2 are cut on"
                + " branches this build cannot read)");
      }
    }
    this.notes = List.copyOf(n);
  }

  /** The facts of {@code version}. */
  public static SglangFacts of(SglangVersion version) {
    return new SglangFacts(version, LOG);
  }

  /** As {@link #of(SglangVersion)}, warning through {@code log} (tests). */
  static SglangFacts of(SglangVersion version, Logger log) {
    return new SglangFacts(version, log);
  }

  /** The version as given. */
  public SglangVersion version() {
    return version;
  }

  /**
   * The release whose rules answer: {@link #version()} itself when the release table holds it, else
   * the nearest known release before it (the oldest known one for a version older than all).
   */
  public SglangVersion modelledAs() {
    return release.version();
  }

  public SglangProfile profile() {
    return profile;
  }

  /**
   * The release (or tag) date of the version: the tag or bump-commit date up to 0.5.6.post2, the
   * publish date from 0.5.7 on; for a version the table does not hold, that of {@link
   * #modelledAs()}.
   */
  public LocalDate releaseDate() {
    return release.date();
  }

  /** True when the release table gives {@link #releaseDate()} as exact. */
  public boolean releaseDateExact() {
    return release.exact();
  }

  /** Sentences about how the version was modelled. */
  public List<String> notes() {
    return notes;
  }

  /** True when this version behaves the new way of {@code point}. */
  public boolean atLeast(SwitchPoint point) {
    Optional<LocalDate> day = point.mainDate();
    if (day.isPresent()) {
      return release.rulesFromMain() && !codeDate.isBefore(day.get());
    }
    return release.version().compareTo(point.version().orElseThrow()) >= 0;
  }

  // the last rule whose switch point this version has reached (rules are listed in order)
  private <E> E latest(E[] rules, Function<E, SwitchPoint> from) {
    E pick = rules[0];
    for (E rule : rules) {
      SwitchPoint p = from.apply(rule);
      if (p == null || atLeast(p)) {
        pick = rule;
      }
    }
    return pick;
  }

  // ---------------------------------------------------------------- default fraction and defaults

  public FractionRule fractionRule() {
    return latest(FractionRule.values(), r -> r.from);
  }

  public CaptureListRule captureListRule() {
    return latest(CaptureListRule.values(), r -> r.from);
  }

  /** v0.4.6.post4+: a {@code --cuda-graph-max-bs} above the list extends it in steps of 16. */
  public boolean captureListExtendsToMaxBs() {
    return atLeast(SwitchPoint.CAPTURE_LIST_EXTENDS_TO_MAX_BS)
        && !atLeast(SwitchPoint.CAPTURE_LIST_SERVER_SIDE);
  }

  public ChunkRule chunkRule() {
    return latest(ChunkRule.values(), r -> r.from);
  }

  /**
   * Under DP attention a decode graph's batch size counts each rank's tokens and the MoE runs on
   * bs·dp tokens (v0.4.9.post4, PR #8280); before, bs counted global tokens.
   */
  public boolean dpGraphBatchPerRank() {
    return atLeast(SwitchPoint.DP_GRAPH_BATCH_PER_RANK);
  }

  /**
   * Rows of the decode graph runner's static DP-attention gathered buffer ({@code [rows, hidden]}),
   * 0 when the runner allocates none: {@code max_bs·tokens_per_bs·dp} up to v0.4.7.post1
   * (L304-308 @v0.4.7.post1), one rank's {@code max_bs·tokens_per_bs} from v0.4.8 (PR #7269,
   * L309-313 @v0.4.8), {@code ·dp} again from v0.4.9.post4 when the MLP input is all-gathered (PR
   * #8280, L323-329 @v0.4.9.post4; the project assumes that default case), none from v0.5.0rc2 (PR
   * #9136). All in cuda_graph_runner.py.
   *
   * @param maxBs the largest captured batch size
   * @param tokensPerBs tokens per request of a graph (draft tokens under speculative decoding)
   * @param dpSize the DP size
   */
  public long dpAttentionGatherRows(long maxBs, int tokensPerBs, int dpSize) {
    if (atLeast(SwitchPoint.DP_ATTENTION_GATHER_IN_GRAPH_RUNNER)) {
      return 0;
    }
    long rows = maxBs * tokensPerBs;
    boolean perRank =
        atLeast(SwitchPoint.DP_ATTENTION_GATHER_ROWS_PER_RANK)
            && !atLeast(SwitchPoint.DP_ATTENTION_GATHER_ROWS_TIMES_DP);
    return perRank ? rows : rows * dpSize;
  }

  /**
   * Each captured graph keeps its own fp32 {@code [bs, vocab]} logits (up to v0.4.10.post1; PR
   * #8579 made it one shared buffer).
   */
  public boolean logitsKeptPerGraph() {
    return !atLeast(SwitchPoint.GRAPH_SHARED_LOGITS);
  }

  /** The FA3 backend copies the page table per captured bs (up to v0.4.10.post1, PR #8567). */
  public boolean fa3PageTablePerGraph() {
    return !atLeast(SwitchPoint.FA3_SHARED_PAGE_TABLE);
  }

  /** How many FA3 page tables of [max_bs, context] the backend preallocates for graphs. */
  public int fa3StaticTables() {
    if (!atLeast(SwitchPoint.FA3_ENCODER_PAGE_TABLE)) {
      return 2;
    }
    if (!atLeast(SwitchPoint.FA3_SHARED_PAGE_TABLE)) {
      return 3;
    }
    return 1;
  }

  /** The decode list always contains max_bs (main from 2026-06-09, PR #23906). */
  public boolean captureListAlwaysHasMaxBs() {
    return atLeast(SwitchPoint.CAPTURE_LIST_ALWAYS_MAX_BS);
  }

  /** Prefill (piecewise/breakable) CUDA graphs are on by default (main from 2026-03-02). */
  public boolean prefillGraphsByDefault() {
    return atLeast(SwitchPoint.PREFILL_GRAPHS_DEFAULT);
  }

  /** The default fraction's reserve counts the prefill graphs (main from 2026-01-10). */
  public boolean prefillGraphReserveTerm() {
    return atLeast(SwitchPoint.PREFILL_GRAPH_RESERVE);
  }

  /**
   * main's graph reserve adds 1 GiB when the breakable prefill graph runs with DeepEP (from
   * 2026-07-31, PR #31987).
   */
  public boolean breakablePrefillDeepEpTerm() {
    return atLeast(SwitchPoint.BREAKABLE_PREFILL_DEEPEP_RESERVE);
  }

  /** main reserves 2 GiB for DeepEP buffers from 2026-07-04 (PR #29615). */
  public boolean deepEpReserveTerm() {
    return atLeast(SwitchPoint.DEEPEP_RESERVE);
  }

  // ---------------------------------------------------------------- 2026 rules (0.5.15 - main)

  /** The default-fraction rules live in arg_groups/memory_hook.py (from 0.5.20, inferred). */
  public boolean fractionInMemoryHook() {
    return atLeast(SwitchPoint.FRACTION_MEMORY_HOOK);
  }

  /** 20-35 GiB GPUs get chunked prefill 4096 and decode max_bs 48 / 160 (0.5.20, PR #37898). */
  public boolean tier20To35GibRaised() {
    return atLeast(SwitchPoint.TIER_20_35_GIB_4096);
  }

  /**
   * A PD-decode server's activation tokens count max_running_requests x draft tokens before the
   * decode max_bs (0.5.20); before, the decode max_bs alone.
   */
  public boolean pdDecodeActivationFromRunningRequests() {
    return atLeast(SwitchPoint.PD_DECODE_RUNNING_REQUESTS);
  }

  /** {@code SGLANG_ENABLE_POST_CAPTURE_KV_SIZING} exists and shrinks the reserve (0.5.16). */
  public boolean postCaptureKvSizingKnob() {
    return atLeast(SwitchPoint.POST_CAPTURE_KV_SIZING);
  }

  /** Under post-capture sizing a VLM's fraction drops by 8 GiB / G (0.5.20). */
  public boolean vlmPostCaptureHeadroom() {
    return atLeast(SwitchPoint.VLM_POST_CAPTURE_HEADROOM);
  }

  /** The default fraction with the GPU capacity unknown: 0.95 from 0.5.20, else 0.88. */
  public double fallbackFraction() {
    return atLeast(SwitchPoint.FALLBACK_FRACTION_095) ? 0.95 : 0.88;
  }

  /**
   * A multimodal launch on one CUDA node resolves {@code --mm-feature-transport} to cuda_ipc and
   * reserves {@code SGLANG_MM_FEATURE_CACHE_MB} on the base GPU (0.5.17); before, only with {@code
   * SGLANG_USE_CUDA_IPC_TRANSPORT=1}.
   */
  public boolean multimodalFeatureTransportAuto() {
    return atLeast(SwitchPoint.MM_FEATURE_TRANSPORT_AUTO);
  }

  /** The breakable CUDA graph is the default prefill capture path (0.5.15, PR #29458). */
  public boolean breakablePrefillByDefault() {
    return atLeast(SwitchPoint.BREAKABLE_PREFILL_DEFAULT);
  }

  // ---------------------------------------------------------------- KV pool and request table

  /** main from 2025-12-19 counts MHA K and V as head_dim + v_head_dim; before, 2·head_dim. */
  public KvCacheOptions.CellFormula cellFormula() {
    return atLeast(SwitchPoint.KV_CELL_HEAD_DIM_PLUS_V)
        ? KvCacheOptions.CellFormula.HEAD_DIM_PLUS_V_HEAD_DIM
        : KvCacheOptions.CellFormula.TWO_HEAD_DIM;
  }

  /** The weight-layout facts of this version (embedding, shared expert, MLA copies, PP split). */
  public WeightPlacementOptions weightPlacement() {
    if (!atLeast(SwitchPoint.WEIGHT_PLACEMENT_V049)) {
      return WeightPlacementOptions.v0_4_5_post3();
    }
    if (!atLeast(SwitchPoint.WEIGHT_PLACEMENT_MAIN)) {
      return WeightPlacementOptions.v0_4_9();
    }
    return WeightPlacementOptions.newestMain();
  }

  /** The KV-cell facts of this version. */
  public KvCacheOptions kvCacheOptions() {
    KvCacheOptions base =
        atLeast(SwitchPoint.WEIGHT_PLACEMENT_MAIN)
            ? KvCacheOptions.newestMain()
            : KvCacheOptions.v0_4_5_post3();
    return new KvCacheOptions(
        base.kvCacheDtype(),
        base.dtypeOverride(),
        cellFormula(),
        weightPlacement().ppLayerSplit(),
        base.ppLayerPartition(),
        base.hybridSwaPools());
  }

  public RequestRowsRule requestRowsRule() {
    return latest(RequestRowsRule.values(), r -> r.from);
  }

  /** The request table's context grows by the speculative draft tokens (v0.5.1, PR #9388). */
  public boolean requestTableCountsDraftTokens() {
    return atLeast(SwitchPoint.REQUEST_TABLE_DRAFT_TOKENS);
  }

  /**
   * T is the MIN of a float tensor all-reduced on the default NCCL group, which creates a NCCL
   * communicator after T is read (up to v0.4.6.post3; from v0.4.6.post4 the MIN uses the CPU
   * group).
   */
  public boolean preLoadMinCreatesNcclCommunicator() {
    return !atLeast(SwitchPoint.PRE_LOAD_MIN_ON_CPU_GROUP);
  }

  /** main keeps 48 B per KV token of eager input buffers (from 2026-06-09). */
  public boolean eagerInputBuffers() {
    return atLeast(SwitchPoint.EAGER_INPUT_BUFFERS);
  }

  /** Draft KV priced into the target cell (main from 2026-06-12, PR #23862). */
  public boolean draftKvInCell() {
    return atLeast(SwitchPoint.DRAFT_KV_IN_CELL);
  }

  /** Draft weights loaded before the pool, so counted in A (main from 2026-06-21, PR #28855). */
  public boolean draftWeightsBeforePool() {
    return atLeast(SwitchPoint.DRAFT_WEIGHTS_BEFORE_POOL);
  }

  /** Which error SGLang raises when the pool is empty. */
  public boolean raisesMinimumFractionError() {
    return atLeast(SwitchPoint.MINIMUM_FRACTION_ERROR);
  }

  /** main reserves multimodal caches out of the KV budget (from 2026-08-12). */
  public boolean multimodalKvReservation() {
    return atLeast(SwitchPoint.MULTIMODAL_KV_RESERVATION);
  }

  // ---------------------------------------------------------------- checks and switches

  /**
   * The TP memory-imbalance check's environment switch: {@code SGL_DISABLE_...} (truthy → warn)
   * before main 2025-12-25, {@code SGLANG_ENABLE_...} (default on) after.
   */
  public boolean imbalanceSwitchIsNew() {
    return atLeast(SwitchPoint.IMBALANCE_SWITCH_RENAMED);
  }

  /**
   * The multimodal ×0.9 also rewrites a user-given fraction (up to v0.4.8.post1: model_runner.py
   * L414-419 @v0.4.8 scales any value; PR #7748 moved it into server_args in v0.4.9).
   */
  public boolean multimodalFactorAppliesToUserFraction() {
    return !atLeast(SwitchPoint.MULTIMODAL_FACTOR_DEFAULT_ONLY);
  }

  /** The ViT-size multimodal factor (v0.4.9.post3) instead of ×0.9. */
  public boolean vitSizeFactor() {
    return atLeast(SwitchPoint.VIT_SIZE_FACTOR);
  }

  /**
   * Multimodal models get chunked prefill disabled (up to v0.4.6.post4, every multimodal model).
   */
  public boolean multimodalDisablesChunkedPrefill() {
    return !atLeast(SwitchPoint.MULTIMODAL_KEEPS_CHUNKED_PREFILL);
  }

  // ---------------------------------------------------------------- JIT DeepGEMM

  /** JIT DeepGEMM is on unless the environment turns it off (from v0.4.6, PR #5628). */
  public boolean jitDeepGemmDefaultOn() {
    return atLeast(SwitchPoint.JIT_DEEPGEMM_DEFAULT_ON);
  }

  /** Which compute capabilities JIT DeepGEMM runs on: exactly 9.0 up to v0.5.1; 9.0+ after. */
  public boolean jitDeepGemmSupports(int smVersion) {
    if (!atLeast(SwitchPoint.JIT_DEEPGEMM_BEYOND_SM90)) {
      return smVersion == 90;
    }
    if (atLeast(SwitchPoint.JIT_DEEPGEMM_NOT_SM12X)) {
      return smVersion >= 90 && smVersion / 10 != 12;
    }
    return smVersion >= 90;
  }

  /** The warm-up executes every M with real GPU buffers (v0.5.1.post3 / v0.5.2rc0, PR #9340). */
  public boolean deepGemmWarmupAllocates() {
    return atLeast(SwitchPoint.DEEPGEMM_WARMUP_ALLOCATES);
  }

  /** The warm-up frees each shape's buffers before the next (0.5.2rc1, PR #9879). */
  public boolean deepGemmWarmupFreesPerShape() {
    return atLeast(SwitchPoint.DEEPGEMM_WARMUP_FREES_PER_SHAPE);
  }

  /** "First GPU of the node" is {@code --base-gpu-id} (0.5.6); before, GPU 0 only. */
  public boolean deepGemmFirstRankUsesBaseGpuId() {
    return atLeast(SwitchPoint.DEEPGEMM_BASE_GPU_ID);
  }

  /** The warm-up halves max_m (floor 4096) when free memory is short (0.5.6.post1, PR #14493). */
  public boolean deepGemmWarmupGuard() {
    return atLeast(SwitchPoint.DEEPGEMM_WARMUP_GUARD);
  }

  /** {@code SGLANG_JIT_DEEPGEMM_FAST_WARMUP} exists (main from 2026-02-04). */
  public boolean deepGemmFastWarmupKnob() {
    return atLeast(SwitchPoint.DEEPGEMM_FAST_WARMUP_KNOB);
  }

  // ---------------------------------------------------------------- speculative decoding

  /** Draft weights, draft KV and draft graphs come out of the reserve, unbudgeted. */
  public boolean draftUnbudgeted() {
    return !draftWeightsBeforePool();
  }

  /**
   * A DeepSeek DSA (NSA) model's {@code --kv-cache-dtype auto} becomes {@code fp8_e4m3} on compute
   * capability 10 and above (0.5.3, the first release that serves DeepSeek-V3.2): server_args.py
   * {@code _set_default_nsa_kv_cache_dtype}, the DeepSeek NSA branch of the model-specific
   * adjustments.
   */
  public boolean nsaFp8KvOnBlackwell() {
    return atLeast(SwitchPoint.NSA_FP8_KV_ON_BLACKWELL);
  }

  /** {@code --enable-symm-mem} preallocates 4 GiB after capture (main from 2026-01-23). */
  public boolean symmetricMemoryPrealloc() {
    return atLeast(SwitchPoint.SYMM_MEM_PREALLOC);
  }

  /**
   * The default attention backend, before a user's {@code --attention-backend}.
   *
   * <p>MHA models get FA3 on Hopper only when their architecture is on SGLang's FA3 list (every MHA
   * model from main 2026-01-21) and speculative decoding, if any, runs with top-k 1 on page size 1
   * ({@code is_no_spec_infer_or_topk_one}); else flashinfer, or trtllm_mha on sm100/sm103 from
   * 0.5.6.post1. MLA models get FA3 on Hopper, flashinfer on sm100 from 0.4.7, else triton
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
      return blackwell && atLeast(SwitchPoint.MLA_FLASHINFER_ON_BLACKWELL)
          ? "flashinfer"
          : "triton";
    }
    if (hopper
        && noSpecOrTopkOne
        && (atLeast(SwitchPoint.FA3_FOR_EVERY_MHA) || fa3DefaultArchitecture(architecture))) {
      return "fa3";
    }
    if (blackwell && noSpecOrTopkOne && atLeast(SwitchPoint.TRTLLM_MHA_ON_BLACKWELL)) {
      return "trtllm_mha";
    }
    return "flashinfer";
  }

  /**
   * SGLang's {@code is_fa3_default_architecture} list at this version (utils.py L1964-1975
   *
   * @v0.4.5.post3, L2274-2290 @v0.5.1, utils/common.py L3444-3470 @main): the MHA models that get
   *     FA3 on Hopper by default until main 2026-01-21 (PR #17425) made it every MHA model.
   */
  boolean fa3DefaultArchitecture(String architecture) {
    return switch (architecture) {
      case "Qwen2ForCausalLM",
          "Llama4ForConditionalGeneration",
          "LlamaForCausalLM",
          "Gemma2ForCausalLM" ->
          true;
      case "MistralForCausalLM" -> !atLeast(SwitchPoint.FA3_ARCH_MISTRAL_DROPPED);
      case "Gemma3ForConditionalGeneration" -> atLeast(SwitchPoint.FA3_ARCH_GEMMA3);
      case "Qwen3ForCausalLM", "Qwen3MoeForCausalLM" -> atLeast(SwitchPoint.FA3_ARCH_QWEN3);
      case "MixtralForCausalLM" ->
          (atLeast(SwitchPoint.FA3_ARCH_MIXTRAL_ADDED)
                  && !atLeast(SwitchPoint.FA3_ARCH_MIXTRAL_DROPPED))
              || atLeast(SwitchPoint.FA3_ARCH_MIXTRAL_READDED);
      case "Glm4MoeForCausalLM" -> atLeast(SwitchPoint.FA3_ARCH_GLM4_MOE);
      case "Step3VLForConditionalGeneration" -> atLeast(SwitchPoint.FA3_ARCH_STEP3_VL);
      case "Glm4vMoeForConditionalGeneration" -> atLeast(SwitchPoint.FA3_ARCH_GLM4V_MOE);
      case "Olmo2ForCausalLM" -> atLeast(SwitchPoint.FA3_ARCH_OLMO2);
      case "Glm4vForConditionalGeneration" -> atLeast(SwitchPoint.FA3_ARCH_GLM4V);
      case "Qwen3VLForConditionalGeneration", "Qwen3VLMoeForConditionalGeneration" ->
          atLeast(SwitchPoint.FA3_ARCH_QWEN3_VL);
      default -> false;
    };
  }

  /** The flag/environment snapshot whose parsing rules this version follows. */
  public SglangFlags.Snapshot flagSnapshot() {
    SglangFlags.Snapshot pick = SglangFlags.Snapshot.V0_4_5_POST3;
    for (Map.Entry<SwitchPoint, SglangFlags.Snapshot> e : FLAG_SNAPSHOTS) {
      if (atLeast(e.getKey())) {
        pick = e.getValue();
      }
    }
    return pick;
  }
}
