package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two kinds of tests. The parameterised ones read the reconstructed public logs under {@code
 * src/test/resources/launch} (each names its dataset row) and check every parsed figure against the
 * dataset TSV. The others pin each wording that has no public log in the dataset, with synthetic
 * figures and the SGLang source line that prints it ({@code file:line@rev}).
 */
class StartupLogParserTest {
  private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);
  private static final Pattern CELL_VALUE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(?:\\s*\\(([^)]*)\\))?");
  private static final Pattern TP = Pattern.compile("TP\\d+");

  static Stream<String> datasetLogs() {
    return LaunchResources.logFiles().stream()
        .filter(n -> LaunchResources.headers(n).containsKey("dataset-row"));
  }

  static Stream<String> oomCaseLogs() {
    return LaunchResources.logFiles().stream()
        .filter(n -> LaunchResources.headers(n).containsKey("oom-row"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("datasetLogs")
  void parse_reconstructedPublicLog_matchesEveryDatasetColumnItClaims(String file) {
    Map<String, String> headers = LaunchResources.headers(file);
    Map<String, String> row =
        LaunchResources.tsvRow(
            "sglang-startup-logs.tsv", Integer.parseInt(headers.get("dataset-row")));
    assertEquals(row.get("url"), headers.get("source"), file + ": source differs from the row");
    StartupObservation observation = observe(file);
    Rank defaultRank = Rank.parse(headers.getOrDefault("rank", "-").replace("-", ""));
    for (String column : headers.get("columns").split(" ")) {
      String cell = row.get(column);
      assertFalse(cell == null || cell.isBlank(), file + ": the row has no " + column);
      if (column.equals("outcome")) {
        assertOutcome(file, cell, observation);
        continue;
      }
      int checked = 0;
      Matcher m = CELL_VALUE.matcher(cell);
      while (m.find()) {
        BigDecimal expected = new BigDecimal(m.group(1));
        List<Rank> ranks = ranksOf(m.group(2), defaultRank);
        for (Rank rank : ranks) {
          Optional<RankObservation> seen = observation.rank(rank);
          if (seen.isEmpty()) {
            continue;
          }
          OptionalLong actual = measured(column, seen.get());
          assertTrue(actual.isPresent(), file + ": " + column + " of " + rank + " not parsed");
          if (column.equals("kv_tokens")) {
            assertEquals(expected.longValueExact(), actual.getAsLong(), file + ": " + column);
          } else {
            assertEquals(expected.setScale(2), gibOf(actual.getAsLong()), file + ": " + column);
          }
          checked++;
        }
      }
      assertTrue(checked > 0, file + ": no line gave " + column + " for " + cell);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oomCaseLogs")
  void parse_reconstructedOomCase_givesTheFailureAndCapacity(String file) {
    Map<String, String> headers = LaunchResources.headers(file);
    Map<String, String> row =
        LaunchResources.tsvRow("oom-cases.tsv", Integer.parseInt(headers.get("oom-row")));
    assertEquals(row.get("issue_url"), headers.get("source"));
    StartupEvent.Failure failure = observe(file).firstFatalFailure().orElseThrow().failure();
    assertEquals(StartupFailureKind.valueOf(headers.get("expect-failure")), failure.kind());
    if (headers.getOrDefault("columns", "").contains("gpu_mem_gib")) {
      Matcher m = CELL_VALUE.matcher(row.get("gpu_mem_gib"));
      assertTrue(m.find());
      assertEquals(
          new BigDecimal(m.group(1)).setScale(2),
          gibOf(failure.totalCapacityBytes().orElseThrow()));
    }
  }

  @Test
  void parse_everyReconstructedLine_isAnEvent() {
    for (String file : LaunchResources.logFiles()) {
      for (String line : LaunchResources.logLines(file)) {
        if (line.startsWith("  ") || line.contains("Scheduler hit an exception")) {
          continue; // traceback frames of the fake server's scenarios
        }
        assertTrue(StartupLogParser.parse(line).isPresent(), file + ": no event for " + line);
      }
    }
  }

  // --- rank prefix -------------------------------------------------------------------------

  @Test
  void parse_prefixDpTp_givesBothIds() {
    StartupEvent e = parsed("[2025-04-21 10:00:00 DP0 TP3] Memory pool end. avail mem=8.34 GB");
    assertEquals("DP0 TP3", e.rank().label());
    assertEquals(OptionalInt.of(0), e.rank().dp());
    assertEquals(OptionalInt.of(3), e.rank().tp());
    assertEquals(OptionalInt.empty(), e.rank().pp());
  }

  @Test
  void parse_prefixPpBeforeTp_givesBoth() {
    // main prints DP, PP, ATTN_CP, MOE_DP, TP, EP (managers/scheduler.py:4946-4956@8761b971)
    StartupEvent e = parsed("[2026-08-10 10:00:00 PP1 TP2] Memory pool end. avail mem=8.34 GB");
    assertEquals(OptionalInt.of(1), e.rank().pp());
    assertEquals(OptionalInt.of(2), e.rank().tp());
  }

  @Test
  void parse_prefixWithAttnCpMoeDpEpAndMilliseconds_keepsEveryIdInTheLabel() {
    // SGLANG_LOG_MS adds .%(msecs)03d (utils/common.py:2191@8761b971)
    StartupEvent e =
        parsed(
            "[2026-08-10 10:00:00.123 DP1 PP0 ATTN_CP0 MOE_DP1 TP2 EP2] Memory pool end. avail"
                + " mem=8.34 GB");
    assertEquals("DP1 PP0 ATTN_CP0 MOE_DP1 TP2 EP2", e.rank().label());
    assertEquals(OptionalInt.of(2), e.rank().ep());
  }

  @Test
  void parse_noRankInPrefix_isUnlabeled() {
    StartupEvent e = parsed("[2025-06-19 12:00:21] Memory pool end. avail mem=3.46 GB");
    assertEquals(Rank.UNLABELED, e.rank());
  }

  @Test
  void parse_lineRePrefixedByACollector_stillFindsRankAndMessage() {
    StartupEvent e =
        parsed(
            "2025-04-21T10:00:00.000Z stderr F [2025-04-21 10:00:00 TP1] Memory pool end. avail"
                + " mem=8.34 GB\r\n");
    assertEquals("TP1", e.rank().label());
    assertEquals(gib("8.34"), ((StartupEvent.MemoryPoolEnd) e).availBytes());
  }

  @Test
  void parse_ansiColouredLine_parses() {
    StartupEvent e =
        parsed("\u001B[32m[2025-04-21 10:00:00 TP0] Memory pool end. avail mem=8.34 GB\u001B[0m");
    assertInstanceOf(StartupEvent.MemoryPoolEnd.class, e);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[2025-04-21 10:00:40 TP0] Decode batch. #running-req: 1, #token: 90, token usage: 0.00",
        "KV cache pool leak detected!available_size=1, protected_size=0,"
            + " self.max_total_num_tokens=42",
        "[2026-08-10 10:00:00] KV Cache VA upper bound. dtype: torch.bfloat16, #tokens: 900000, K"
            + " size: 50.00 GB, V size: 50.00 GB",
        "Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16",
        ""
      })
  void parse_otherLines_giveNothing(String line) {
    assertEquals(Optional.empty(), StartupLogParser.parse(line));
  }

  // --- torch distributed -------------------------------------------------------------------

  @Test
  void parse_torchDistributedEndsV045_givesMemUsage() {
    // model_runner.py:404@v0.4.5.post3; synthetic figure
    var e =
        (StartupEvent.TorchDistributedReady)
            parsed("[2025-04-21 10:00:00 TP0] Init torch distributed ends. mem usage=0.38 GB");
    assertEquals(OptionalLong.of(gib("0.38")), e.memUsageBytes());
    assertEquals(OptionalDouble.empty(), e.elapsedSeconds());
  }

  @Test
  void parse_torchDistributedEndsMain_givesElapsedAndMemUsage() {
    // distributed/bootstrap.py:131-132@8761b971 (elapsed= since 1b56a886b, 2026-01-26); synthetic
    var e =
        (StartupEvent.TorchDistributedReady)
            parsed(
                "[2026-08-10 10:00:00 TP1] Init torch distributed ends. elapsed=3.21 s, mem"
                    + " usage=1.12 GB");
    assertEquals(OptionalLong.of(gib("1.12")), e.memUsageBytes());
    assertEquals(OptionalDouble.of(3.21), e.elapsedSeconds());
  }

  // --- weights -----------------------------------------------------------------------------

  @Test
  void parse_loadWeightEndWithElapsedAndDtype_givesAll() {
    // model_runner.py "Load weight end" between 1b56a886b (2026-01-26) and f7897def9 (2026-03-04);
    // synthetic
    var e =
        (StartupEvent.WeightLoadEnd)
            parsed(
                "[2026-02-02 10:00:00 TP0] Load weight end. elapsed=41.07 s,"
                    + " type=Qwen3ForCausalLM, dtype=torch.bfloat16, avail mem=123.40 GB, mem"
                    + " usage=15.27 GB.");
    assertEquals(gib("123.40"), e.availBytes());
    assertEquals(OptionalLong.of(gib("15.27")), e.memUsageBytes());
    assertEquals(OptionalDouble.of(41.07), e.elapsedSeconds());
  }

  @Test
  void parse_loadWeightEndWithQuantization_givesFigures() {
    // model_runner.py:1162-1167@8761b971 (quant= since f7897def9, 2026-03-04); synthetic
    var e =
        (StartupEvent.WeightLoadEnd)
            parsed(
                "[2026-08-10 10:00:00 TP0] Load weight end. elapsed=95.20 s,"
                    + " type=DeepseekV3ForCausalLM, quant=fp8, fmt=e4m3, avail mem=61.03 GB, mem"
                    + " usage=78.95 GB.");
    assertEquals(gib("61.03"), e.availBytes());
    assertEquals(OptionalLong.of(gib("78.95")), e.memUsageBytes());
  }

  @Test
  void parse_loadWeightBegin_givesAvail() {
    // model_runner.py:411@v0.4.5.post3, :1061@8761b971; synthetic
    var e =
        (StartupEvent.WeightLoadBegin)
            parsed("[2026-08-10 10:00:00 TP0] Load weight begin. avail mem=139.19 GB");
    assertEquals(gib("139.19"), e.availBytes());
    assertEquals(Optional.of(StartupStage.LOADING_WEIGHTS), e.stage());
  }

  // --- KV cache ----------------------------------------------------------------------------

  @Test
  void parse_kvCacheWithDtype_givesDtypeTokensAndSizes() {
    // mem_cache/memory_pool.py:1684-1688@8761b971 (dtype: since 93fa577bb, 2026-05-24); synthetic
    var e =
        (StartupEvent.KvCacheAllocated)
            parsed(
                "[2026-08-10 10:00:00 TP0] KV Cache is allocated. dtype: torch.bfloat16, #tokens:"
                    + " 1043212, K size: 59.70 GB, V size: 59.70 GB");
    assertEquals(Optional.of("torch.bfloat16"), e.dtype());
    assertEquals(OptionalLong.of(1043212), e.tokens());
    assertEquals(2 * gib("59.70"), e.totalBytes());
    assertEquals(OptionalLong.empty(), e.kvBytes());
  }

  @Test
  void parse_mlaKvCacheWithDtype_givesKvSizeOnly() {
    // mem_cache/memory_pool.py:1692-1695@8761b971; synthetic
    var e =
        (StartupEvent.KvCacheAllocated)
            parsed(
                "[2026-08-10 10:00:00 DP0 TP0] KV Cache is allocated. dtype: torch.float8_e4m3fn,"
                    + " #tokens: 2000000, KV size: 65.45 GB");
    assertEquals(OptionalLong.of(gib("65.45")), e.kvBytes());
    assertEquals(OptionalLong.empty(), e.kBytes());
    assertEquals(OptionalLong.empty(), e.vBytes());
    assertEquals(gib("65.45"), e.totalBytes());
  }

  @Test
  void parse_labelledSwaPool_givesLabel() {
    // mem_cache/swa_memory_pool.py:68,75 + memory_pool.py:1676@8761b971; synthetic
    var e =
        (StartupEvent.KvCacheAllocated)
            parsed(
                "[2026-08-10 10:00:00] SWA KV Cache is allocated. dtype: torch.bfloat16, #tokens:"
                    + " 65536, K size: 1.50 GB, V size: 1.50 GB");
    assertEquals(Optional.of("SWA"), e.poolLabel());
    assertEquals(Rank.UNLABELED, e.rank());
  }

  @Test
  void parse_postCaptureKvSizing_givesSizeAndAvail() {
    // model_runner_components/kv_pool_runtime.py:126-133@8761b971 (opt-in since 2ad9a243f,
    // 2026-07-07); synthetic
    var e =
        (StartupEvent.KvCacheAllocated)
            parsed(
                "[2026-08-10 10:00:00 TP0] Post-capture KV sizing: KV cache allocated. dtype:"
                    + " torch.bfloat16, #tokens: 349377, KV size: 40.00 GB, avail mem=6.10 GB");
    assertTrue(e.afterGraphCapture());
    assertEquals(OptionalLong.of(349377), e.tokens());
    assertEquals(gib("40.00"), e.totalBytes());
    assertEquals(OptionalLong.of(gib("6.10")), e.availBytes());
    assertEquals(Optional.empty(), e.stage());
  }

  // --- scheduler limits --------------------------------------------------------------------

  @Test
  void parse_schedulerLimitsWithAvailableGpuMem_givesAll() {
    // managers/scheduler.py:342-348@v0.4.7 (available_gpu_mem since 2d72fc47c, 2025-05-31),
    // :1081-1087@8761b971; figures of PR #11830 (row 20) where it gives them, the rest synthetic
    var e =
        (StartupEvent.SchedulerLimits)
            parsed(
                "[2025-11-30 12:00:50] max_total_num_tokens=2261377, chunked_prefill_size=16384,"
                    + " max_prefill_tokens=16384, max_running_requests=4096, context_len=128000,"
                    + " available_gpu_mem=35.60 GB");
    assertEquals(2261377, e.maxTotalNumTokens());
    assertEquals(OptionalLong.of(16384), e.chunkedPrefillSize());
    assertEquals(OptionalLong.of(4096), e.maxRunningRequests());
    assertEquals(OptionalLong.of(128000), e.contextLen());
    assertEquals(OptionalLong.of(gib("35.60")), e.availableGpuMemBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"None", "-1"})
  void parse_schedulerLimitsChunkedPrefillDisabled_givesNoChunk(String chunk) {
    var e =
        (StartupEvent.SchedulerLimits)
            parsed(
                "[2025-04-21 10:00:00 TP0] max_total_num_tokens=1000, chunked_prefill_size="
                    + chunk
                    + ", max_prefill_tokens=16384, max_running_requests=10, context_len=4096");
    assertEquals(OptionalLong.empty(), e.chunkedPrefillSize());
    assertEquals(OptionalLong.empty(), e.availableGpuMemBytes());
  }

  // --- graph capture -----------------------------------------------------------------------

  @Test
  void parse_captureEndV045Order_givesAvailThenUsage() {
    // model_runner.py:983-984@v0.4.5.post3 (avail mem before mem usage until 849c83a0c,
    // 2025-04-28); synthetic
    var e =
        (StartupEvent.GraphCaptureEnd)
            parsed(
                "[2025-04-21 10:00:20 TP0] Capture cuda graph end. Time elapsed: 8.12 s. avail"
                    + " mem=7.02 GB. mem usage=1.32 GB.");
    assertEquals("cuda graph", e.graph());
    assertEquals(OptionalDouble.of(8.12), e.elapsedSeconds());
    assertEquals(OptionalLong.of(gib("1.32")), e.memUsageBytes());
    assertEquals(OptionalLong.of(gib("7.02")), e.availBytes());
  }

  @Test
  void parse_captureBeginMainDecode_givesGraphNameAndAvail() {
    // model_runner_components/cuda_graph_setup.py:458-462@8761b971 (since ad9723af0, 2026-06-22);
    // synthetic
    var e =
        (StartupEvent.GraphCaptureBegin)
            parsed(
                "[2026-08-10 10:00:00 TP0] Capture target decode CUDA graph begin."
                    + " backend=full, num_tokens_per_req=1, bs=[1, 2, 4, 8], avail mem=22.31 GB");
    assertEquals("target decode CUDA graph", e.graph());
    assertEquals(OptionalLong.of(gib("22.31")), e.availBytes());
  }

  @Test
  void parse_captureEndMainDecode_givesElapsedUsageAvail() {
    // model_runner_components/cuda_graph_setup.py:481-485@8761b971; synthetic
    var e =
        (StartupEvent.GraphCaptureEnd)
            parsed(
                "[2026-08-10 10:00:12 TP0] Capture target decode CUDA graph end. elapsed=12.40 s,"
                    + " mem usage=1.05 GB, avail mem=21.26 GB.");
    assertEquals("target decode CUDA graph", e.graph());
    assertEquals(OptionalDouble.of(12.40), e.elapsedSeconds());
    assertEquals(OptionalLong.of(gib("1.05")), e.memUsageBytes());
    assertEquals(OptionalLong.of(gib("21.26")), e.availBytes());
  }

  @Test
  void parse_captureBeginMainPrefill_givesGraphName() {
    // model_runner_components/cuda_graph_setup.py:383-387@8761b971; synthetic
    var e =
        (StartupEvent.GraphCaptureBegin)
            parsed(
                "[2026-08-10 10:00:00 TP0] Capture target prefill CUDA graph begin."
                    + " backend=piecewise, num_tokens=[4, 8, 16], avail mem=26.82 GB");
    assertEquals("target prefill CUDA graph", e.graph());
  }

  @Test
  void parse_capturePiecewiseBegin_givesAvail() {
    // model_runner.py "Capture piecewise CUDA graph begin" (e8542db55, 2025-11-30, to ad9723af0);
    // synthetic
    var e =
        (StartupEvent.GraphCaptureBegin)
            parsed("[2025-12-04 12:01:42] Capture piecewise CUDA graph begin. avail mem=26.82 GB");
    assertEquals("piecewise CUDA graph", e.graph());
    assertEquals(OptionalLong.of(gib("26.82")), e.availBytes());
  }

  @Test
  void parse_captureDraftV045_givesDraftGraph() {
    // speculative/eagle_worker.py:220,225@v0.4.5.post3; synthetic
    var begin =
        (StartupEvent.GraphCaptureBegin)
            parsed(
                "[2025-04-21 10:00:30 TP0] Capture draft cuda graph begin. This can take up to"
                    + " several minutes. avail mem=10.11 GB");
    var end =
        (StartupEvent.GraphCaptureEnd)
            parsed(
                "[2025-04-21 10:00:34 TP0] Capture draft cuda graph end. Time elapsed: 4.02 s."
                    + " avail mem=9.80 GB. mem usage=0.31 GB.");
    assertEquals("draft cuda graph", begin.graph());
    assertEquals(OptionalLong.of(gib("0.31")), end.memUsageBytes());
  }

  @Test
  void parse_captureDraftExtendStepMain_givesUsage() {
    // speculative/multi_layer_eagle_draft_extend_cuda_graph_runner.py:601-606@8761b971; synthetic
    var e =
        (StartupEvent.GraphCaptureEnd)
            parsed(
                "[2026-08-10 10:00:00 TP0] Capture draft extend CUDA graph end. step=0,"
                    + " elapsed=2.10 s, mem usage=0.20 GB, avail mem=9.00 GB.");
    assertEquals("draft extend CUDA graph", e.graph());
    assertEquals(OptionalLong.of(gib("0.20")), e.memUsageBytes());
  }

  @Test
  void parse_captureWithoutFigures_givesEmptyFigures() {
    // speculative/frozen_kv_mtp_cuda_graph_runner.py ("Capture Frozen-KV MTP draft cuda graph
    // end.")@8761b971
    var e =
        (StartupEvent.GraphCaptureEnd)
            parsed("[2026-08-10 10:00:00 TP0] Capture Frozen-KV MTP draft cuda graph end.");
    assertEquals("Frozen-KV MTP draft cuda graph", e.graph());
    assertEquals(OptionalLong.empty(), e.memUsageBytes());
    assertEquals(OptionalLong.empty(), e.availBytes());
  }

  // --- DeepGEMM ----------------------------------------------------------------------------

  @Test
  void parse_deepGemmRequirement_givesRequiredAndAvailable() {
    // layers/deep_gemm_wrapper/compile_utils.py:184-186@8761b971 (bc388471d, 2025-12-06); figures
    // printed unformatted by Python; synthetic
    var e =
        (StartupEvent.DeepGemmWarmup)
            parsed(
                "[2026-08-10 10:00:00 TP0] Required memory for warmup: 3.3125GB, Available memory:"
                    + " 41.12483215332031GB");
    assertEquals(gib("3.3125"), e.requiredBytes());
    assertEquals(gib("41.12483215332031"), e.availableBytes());
    assertEquals(OptionalLong.empty(), e.reducedMaxM());
  }

  @Test
  void parse_deepGemmReducingMaxM_givesTheNewMaxM() {
    // layers/deep_gemm_wrapper/compile_utils.py:197-199@8761b971; synthetic
    var e =
        (StartupEvent.DeepGemmWarmup)
            parsed(
                "[2026-08-10 10:00:00 TP0] Available memory 2.5GB is less than required memory"
                    + " 6.625GB for warmup, reducing max_m to 8192 to avoid out of memory");
    assertEquals(gib("6.625"), e.requiredBytes());
    assertEquals(gib("2.5"), e.availableBytes());
    assertEquals(OptionalLong.of(8192), e.reducedMaxM());
  }

  // --- failures ----------------------------------------------------------------------------

  @Test
  void parse_notEnoughMemoryWithCurrentValue_givesTheFraction() {
    // model_executor/pool_configurator.py:67-69@8761b971; synthetic
    var e =
        failure(
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static."
                + " Current value: mem_fraction_static=0.88");
    assertEquals(StartupFailureKind.NOT_ENOUGH_MEMORY, e.kind());
    assertEquals(OptionalDouble.of(0.88), e.memFractionStatic());
    assertTrue(e.fatal());
    assertFalse(e.outOfMemory());
  }

  @Test
  void parse_loadedWeightsLeaveNoKvMemory_givesCurrentAndMinimumFraction() {
    // mem_cache/kv_cache_configurator.py:1806-1813@8761b971 (since 9691a29fe, 2026-06-21);
    // synthetic
    var e =
        failure(
            "ValueError: Loaded weights leave no GPU memory for the KV cache under"
                + " --mem-fraction-static=0.85. Raise --mem-fraction-static above 0.912 (minimum"
                + " viable = 1 - available/pre = 0.9114). If using speculative decoding, draft"
                + " weights are now counted.");
    assertEquals(StartupFailureKind.NO_MEMORY_FOR_KV_CACHE, e.kind());
    assertEquals(OptionalDouble.of(0.85), e.memFractionStatic());
    assertEquals(OptionalDouble.of(0.912), e.minimumMemFractionStatic());
  }

  @Test
  void parse_captureFailedWithFullTorchOom_givesRequestGpuCapacityFree() {
    // model_executor/runner/decode_cuda_graph_runner.py:424@8761b971 + torch >= 2.1 text; synthetic
    var e =
        failure(
            "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 2.00 GiB."
                + " GPU 0 has a total capacity of 139.81 GiB of which 1.06 GiB is free. Including"
                + " non-PyTorch memory, this process has 138.74 GiB memory in use.");
    assertEquals(StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED, e.kind());
    assertEquals(OptionalLong.of(2L << 30), e.requestedBytes());
    assertEquals(OptionalInt.of(0), e.gpuIndex());
    assertEquals(OptionalLong.of(gib("139.81")), e.totalCapacityBytes());
    assertEquals(OptionalLong.of(gib("1.06")), e.freeBytes());
  }

  @Test
  void parse_prefillCaptureFailedWithoutOom_isCaptureFailure() {
    // model_executor/runner/prefill_cuda_graph_runner.py:366@8761b971; synthetic cause
    var e =
        failure(
            "Exception: Capture prefill CUDA graph failed: an illegal memory access was"
                + " encountered");
    assertEquals(StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED, e.kind());
    assertFalse(e.outOfMemory());
  }

  @Test
  void parse_torchOomBefore21_givesGpuCapacityFree() {
    // torch < 2.1 wording "(GPU n; X total capacity; Y already allocated; Z free; ...)"; synthetic
    var e =
        failure(
            "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 1; 15.78 GiB total"
                + " capacity; 14.56 GiB already allocated; 3.12 MiB free; 14.81 GiB reserved in"
                + " total by PyTorch)");
    assertEquals(StartupFailureKind.CUDA_OUT_OF_MEMORY, e.kind());
    assertEquals(OptionalLong.of(20L << 20), e.requestedBytes());
    assertEquals(OptionalInt.of(1), e.gpuIndex());
    assertEquals(OptionalLong.of(gib("15.78")), e.totalCapacityBytes());
    assertEquals(
        OptionalLong.of(
            new BigDecimal("3.12")
                .multiply(BigDecimal.valueOf(1L << 20))
                .setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact()),
        e.freeBytes());
  }

  @Test
  void parse_hipOomInBytes_givesRequest() {
    // ROCm torch says HIP; sizes under 1 KiB print as "bytes"; synthetic
    var e = failure("torch.OutOfMemoryError: HIP out of memory. Tried to allocate 512 bytes.");
    assertEquals(OptionalLong.of(512), e.requestedBytes());
    assertEquals(OptionalInt.empty(), e.gpuIndex());
  }

  @Test
  void parse_unbalancedRaisedWithFigures_isFatal() {
    // model_executor/model_runner.py:398-401@v0.4.5.post3; synthetic figures
    var e =
        failure(
            "ValueError: The memory capacity is unbalanced. Some GPUs may be occupied by other"
                + " processes. min_per_gpu_memory=60.5, local_gpu_memory=78.2, local_gpu_memory *"
                + " 0.9=70.38");
    assertEquals(StartupFailureKind.MEMORY_CAPACITY_UNBALANCED, e.kind());
    assertTrue(e.fatal());
  }

  @Test
  void parse_unbalancedLoggedAsWarningOnMain_isNotFatal() {
    // distributed/bootstrap.py:271-279@8761b971 (a warning unless
    // SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK)
    var e =
        failure(
            "[2026-08-10 10:00:00 TP0] The memory capacity is unbalanced. Some GPUs may be"
                + " occupied by other processes. pre_model_load_memory=60.5,"
                + " local_gpu_memory=78.2, local_gpu_memory * 0.9=70.38");
    assertFalse(e.fatal());
  }

  // --- serving -----------------------------------------------------------------------------

  @Test
  void parse_uvicornRunning_givesUrl() {
    // uvicorn's text in SGLang's format (utils.py:1626-1629@v0.4.5.post3); synthetic
    var e =
        (StartupEvent.HttpListening)
            parsed(
                "[2025-04-21 10:00:30] INFO:     Uvicorn running on http://0.0.0.0:30000 (Press"
                    + " CTRL+C to quit)");
    assertEquals("http://0.0.0.0:30000", e.url());
    assertEquals(Optional.of(StartupStage.HTTP_LISTENING), e.stage());
  }

  @Test
  void parse_firedUp_isReady() {
    // entrypoints/http_server.py:831@v0.4.5.post3, :2358@8761b971
    var e = parsed("[2025-04-21 10:00:32] The server is fired up and ready to roll!");
    assertInstanceOf(StartupEvent.ServerReady.class, e);
  }

  // --- helpers -----------------------------------------------------------------------------

  private static StartupObservation observe(String file) {
    List<StartupEvent> events = new ArrayList<>();
    for (String line : LaunchResources.logLines(file)) {
      StartupLogParser.parse(line).ifPresent(events::add);
    }
    return StartupObservation.of(events);
  }

  private static void assertOutcome(String file, String outcome, StartupObservation o) {
    StartupEvent.Failure f =
        o.firstFatalFailure()
            .orElseThrow(() -> new AssertionError(file + ": no failure"))
            .failure();
    switch (outcome) {
      case "not_enough_memory" -> assertEquals(StartupFailureKind.NOT_ENOUGH_MEMORY, f.kind());
      case "oom_at_graph" -> {
        assertEquals(StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED, f.kind());
        assertTrue(f.outOfMemory(), file + ": the capture failure should carry the OOM figures");
      }
      default -> fail(file + ": no check for outcome " + outcome);
    }
  }

  private static List<Rank> ranksOf(String annotation, Rank defaultRank) {
    if (annotation == null) {
      return List.of(defaultRank);
    }
    List<Rank> ranks = new ArrayList<>();
    Matcher m = TP.matcher(annotation);
    while (m.find()) {
      ranks.add(
          defaultRank.dp().isPresent()
              ? Rank.parse("DP" + defaultRank.dp().getAsInt() + " " + m.group())
              : Rank.parse(m.group()));
    }
    return ranks.isEmpty() ? List.of(defaultRank) : ranks;
  }

  private static OptionalLong measured(String column, RankObservation r) {
    return switch (column) {
      case "avail_before_load_gb" -> r.availBeforeLoadBytes();
      case "weight_mem_usage_gb" -> r.weightsBytes();
      case "avail_after_load_gb" -> r.availAfterLoadBytes();
      case "kv_tokens" -> r.actual(MemoryTerm.KV_TOKENS);
      case "kv_size_gb" -> r.kvBytes();
      case "avail_after_pool_gb" -> r.availAfterPoolBytes();
      case "cuda_graph_mem_gb" -> r.cudaGraphBytes();
      case "avail_after_graph_gb" -> r.availAfterGraphsBytes();
      default -> throw new AssertionError("no mapping for column " + column);
    };
  }

  private static BigDecimal gibOf(long bytes) {
    return new BigDecimal(bytes).divide(GIB, 2, RoundingMode.HALF_EVEN);
  }

  static long gib(String number) {
    return new BigDecimal(number)
        .multiply(GIB)
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  private static StartupEvent parsed(String line) {
    return StartupLogParser.parse(line)
        .orElseThrow(() -> new AssertionError("no event for: " + line));
  }

  private static StartupEvent.Failure failure(String line) {
    return assertInstanceOf(StartupEvent.Failure.class, parsed(line));
  }
}
