package io.github.sglangpreflight.sglang.version;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A named point in SGLang's history where a memory-relevant rule changes. Rules ask {@code
 * facts.atLeast(SwitchPoint.X)} instead of comparing version strings.
 *
 * <p>Each constant's first version (or main commit date), source and description are a row of
 * {@code sglang-switch-points.tsv} (this package's resource), read and parsed once; a first version
 * is always a release of {@code sglang-releases.tsv}. Adding a switch point: one row there and one
 * constant here.
 */
public enum SwitchPoint {
  PROFILE_P2,
  PROFILE_P3,
  PROFILE_P4,
  FRACTION_H200_RULE,
  FRACTION_V047_TERMS,
  FRACTION_RESERVE_TABLE,
  FRACTION_ACTIVATION_GRAPHS,
  FRACTION_MAIN_RESERVE,
  SPEC_STANDALONE_6_GIB,
  CAPTURE_LIST_DP1_ONLY,
  CAPTURE_LIST_96_GIB,
  CAPTURE_LIST_V047,
  CAPTURE_LIST_90_GIB,
  CAPTURE_LIST_SERVER_SIDE,
  CAPTURE_LIST_EXTENDS_TO_MAX_BS,
  CAPTURE_LIST_ALWAYS_MAX_BS,
  CAPTURE_FILTER_SIZE_ONLY,
  CUDA_GRAPH_MAX_BS_24_SMALL,
  CHUNK_PD_16K,
  CHUNK_V047_16K,
  CHUNK_RESERVE_TIERS,
  CHUNK_SERVER_SIDE_TIERS,
  DP_GRAPH_BATCH_PER_RANK,
  DP_ATTENTION_GATHER_ROWS_PER_RANK,
  DP_ATTENTION_GATHER_ROWS_TIMES_DP,
  DP_ATTENTION_GATHER_IN_GRAPH_RUNNER,
  GRAPH_RESIDUAL_500_MIB,
  GRAPH_SHARED_LOGITS,
  FA3_SHARED_PAGE_TABLE,
  FA3_ENCODER_PAGE_TABLE,
  PREFILL_GRAPH_RESERVE,
  PREFILL_GRAPHS_DEFAULT,
  BREAKABLE_PREFILL_DEEPEP_RESERVE,
  DEEPEP_RESERVE,
  KV_CELL_HEAD_DIM_PLUS_V,
  WEIGHT_PLACEMENT_V049,
  WEIGHT_PLACEMENT_MAIN,
  REQUEST_ROWS_EXACT,
  REQUEST_ROWS_CAPPED,
  REQUEST_ROWS_PADDING,
  REQUEST_TABLE_DRAFT_TOKENS,
  PRE_LOAD_MIN_ON_CPU_GROUP,
  EAGER_INPUT_BUFFERS,
  DRAFT_KV_IN_CELL,
  DRAFT_WEIGHTS_BEFORE_POOL,
  MINIMUM_FRACTION_ERROR,
  MULTIMODAL_KV_RESERVATION,
  IMBALANCE_SWITCH_RENAMED,
  MULTIMODAL_FACTOR_DEFAULT_ONLY,
  VIT_SIZE_FACTOR,
  MULTIMODAL_KEEPS_CHUNKED_PREFILL,
  JIT_DEEPGEMM_DEFAULT_ON,
  JIT_DEEPGEMM_BEYOND_SM90,
  JIT_DEEPGEMM_NOT_SM12X,
  DEEPGEMM_WARMUP_ALLOCATES,
  DEEPGEMM_WARMUP_FREES_PER_SHAPE,
  DEEPGEMM_BASE_GPU_ID,
  DEEPGEMM_WARMUP_GUARD,
  DEEPGEMM_FAST_WARMUP_KNOB,
  SYMM_MEM_PREALLOC,
  MLA_FLASHINFER_ON_BLACKWELL,
  NSA_FP8_KV_ON_BLACKWELL,
  TRTLLM_MHA_ON_BLACKWELL,
  FA3_FOR_EVERY_MHA,
  FA3_ARCH_GEMMA3,
  FA3_ARCH_QWEN3,
  FA3_ARCH_MIXTRAL_ADDED,
  FA3_ARCH_MIXTRAL_DROPPED,
  FA3_ARCH_MIXTRAL_READDED,
  FA3_ARCH_MISTRAL_DROPPED,
  FA3_ARCH_GLM4_MOE,
  FA3_ARCH_STEP3_VL,
  FA3_ARCH_GLM4V_MOE,
  FA3_ARCH_OLMO2,
  FA3_ARCH_GLM4V,
  FA3_ARCH_QWEN3_VL,
  FLAGS_V0_4_6,
  FLAGS_V0_4_7,
  FLAGS_V0_4_9,
  FLAGS_V0_5_1,
  FLAGS_MAIN,
  FRACTION_MEMORY_HOOK,
  TIER_20_35_GIB_4096,
  PD_DECODE_RUNNING_REQUESTS,
  POST_CAPTURE_KV_SIZING,
  VLM_POST_CAPTURE_HEADROOM,
  FALLBACK_FRACTION_095,
  MM_FEATURE_TRANSPORT_AUTO,
  BREAKABLE_PREFILL_DEFAULT;

  static final String RESOURCE = "sglang-switch-points.tsv";

  /** A row of the table, parsed. */
  private record Row(
      String first,
      Optional<SglangVersion> version,
      Optional<LocalDate> mainDate,
      String source,
      String description) {}

  private static final class Holder {
    static final Map<SwitchPoint, Row> ROWS = load();
  }

  /**
   * The first release that behaves the new way, as the table gives it: a version ({@code
   * 0.4.9.post4}) or {@code main@YYYY-MM-DD} for a change first seen on main at that date.
   */
  public String firstVersion() {
    return row().first();
  }

  /** Where in SGLang the change is seen (file and line at a tag, PR, commit). */
  public String source() {
    return row().source();
  }

  /** What behaves differently from this point on, one line. */
  public String description() {
    return row().description();
  }

  /** The first release, parsed once; empty for a main-dated point. */
  Optional<SglangVersion> version() {
    return row().version();
  }

  /** The main commit date, for a point first seen on main; else empty. */
  Optional<LocalDate> mainDate() {
    return row().mainDate();
  }

  private Row row() {
    return Holder.ROWS.get(this);
  }

  // ---------------------------------------------------------------- loading

  private static Map<SwitchPoint, Row> load() {
    try (InputStream in = SwitchPoint.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return parse(r.lines().toList(), ReleaseTable.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<SwitchPoint, Row> parse(List<String> lines, ReleaseTable releases) {
    Map<SwitchPoint, Row> out = new EnumMap<>(SwitchPoint.class);
    boolean header = true;
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (header) {
        header = false;
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 4) {
        throw new IllegalStateException(RESOURCE + ": not 4 columns: " + line);
      }
      SwitchPoint p;
      try {
        p = valueOf(f[0]);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(RESOURCE + ": no SwitchPoint constant " + f[0], e);
      }
      Optional<SglangVersion> v = Optional.empty();
      Optional<LocalDate> d = Optional.empty();
      if (f[1].startsWith("main@")) {
        d = Optional.of(LocalDate.parse(f[1].substring("main@".length())));
      } else {
        SglangVersion parsed = SglangVersion.parse(f[1]);
        if (releases.find(parsed).isEmpty()) {
          throw new IllegalStateException(
              RESOURCE
                  + ": "
                  + f[0]
                  + " starts at "
                  + f[1]
                  + ", not a row of "
                  + ReleaseTable.RESOURCE);
        }
        v = Optional.of(parsed);
      }
      if (out.put(p, new Row(f[1], v, d, f[2], f[3])) != null) {
        throw new IllegalStateException(RESOURCE + ": " + f[0] + " appears twice");
      }
    }
    for (SwitchPoint p : values()) {
      if (!out.containsKey(p)) {
        throw new IllegalStateException(RESOURCE + ": no row for " + p);
      }
    }
    return out;
  }
}
