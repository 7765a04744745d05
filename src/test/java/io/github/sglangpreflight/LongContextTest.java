package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a context length of millions of tokens is costed as SGLang allocates it. The
 * request-to-token table is (rows + 1 padding row) x (context + 4) int32, rows = min(clamp(tokens /
 * context x 512, 2048, 4096), tokens / 2) on main (kv_cache_configurator _resolve_max_num_reqs);
 * without chunked prefill one prompt of up to min(context, pool) tokens prefills in one forward.
 */
class LongContextTest {
  static final String SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct";

  static PreflightReport check(String preset, String... extra) {
    return checkAt("0.5.21", preset, extra);
  }

  static PreflightReport checkAt(String version, String preset, String... extra) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", SCOUT));
    argv.addAll(List.of(extra));
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource(preset))
        .sglangVersion(version)
        .build()
        .check(argv, Map.of());
  }

  static PreflightReport.Item item(PreflightReport.Estimate e, TermId id) {
    return e.items().stream().filter(i -> i.id() == id).findFirst().orElseThrow();
  }

  @Test
  void tenMillionTokenContext_onH100s_cannotHoldItsRequestTable_isRejected() {
    // Llama-4-Scout's own context, 10,485,760 tokens, on 0.5.9 (rows at least 2048 before main's
    // tokens / 2 cap of 2026-03-08): 2048 rows x 10,485,764 x 4 B = 80.00 GiB on every GPU, more
    // than an H100 has, whatever the fraction
    PreflightReport r = checkAt("0.5.9", "8xH100", "--tp", "8");

    assertEquals(Decision.REJECT, r.decision());
    assertEquals(ReasonId.NO_WINDOW, r.reasonDetails().getFirst().id());
    assertTrue(r.maxSafeFraction().isEmpty());
    PreflightReport.Item table = item(r.estimate().orElseThrow(), TermId.REQUEST_TABLE);
    assertEquals(2048L * (10_485_760 + 4) * 4, table.bytes());
  }

  @Test
  void tenMillionTokenContext_onMain_fitsOnlyWithAPoolOfAFewThousandTokens_andSaysSo() {
    // main caps the rows at tokens / 2 and adds a padding row: at SGLang's default 2049 rows x
    // 10,485,764 x 4 B = 80.04 GiB; only a pool of a few thousand tokens (and as few rows) leaves
    // room for the table, and the guard says how little the pool holds
    PreflightReport r = check("8xH100", "--tp", "8");

    PreflightReport.Item table = item(r.estimate().orElseThrow(), TermId.REQUEST_TABLE);
    assertEquals(2049L * (10_485_760 + 4) * 4, table.bytes());
    assertEquals(85_941_321_744L, table.bytes());
    assertEquals(Decision.ADJUST, r.decision());
    PreflightReport.Estimate adjusted = r.adjustedEstimate().orElseThrow();
    assertTrue(adjusted.headroomBytes() >= adjusted.safetyMarginBytes());
    assertTrue(adjusted.kvTokens() < 10_000, "" + adjusted.kvTokens());
    assertTrue(
        r.notes().stream().anyMatch(n -> n.startsWith("the KV pool holds ")), r.notes().toString());
  }

  @Test
  void twoMillionTokens_withoutChunkedPrefill_prefillsOnePromptOfUpToThePool() {
    PreflightReport r =
        check("8xH200", "--tp", "8", "--context-length", "2000000", "--chunked-prefill-size", "-1");

    // at SGLang's default the pool holds more than 2,000,000 tokens: one forward of 2,000,000
    PreflightReport.Item at = item(r.estimate().orElseThrow(), TermId.PREFILL_ACTIVATIONS);
    assertTrue(
        at.source()
            .contains("chunked prefill off: one prompt of up to min(context, pool) = 2000000"),
        at.source());
    assertTrue(at.bytes() > 100L << 30, "" + at.bytes());
    // the guard lowers the fraction until the pool, and so the longest prompt, fits beside it
    assertEquals(Decision.ADJUST, r.decision());
    PreflightReport.Estimate adjusted = r.adjustedEstimate().orElseThrow();
    assertTrue(adjusted.headroomBytes() >= adjusted.safetyMarginBytes());
    assertTrue(adjusted.kvTokens() < 2_000_000, "" + adjusted.kvTokens());
    assertTrue(
        item(adjusted, TermId.PREFILL_ACTIVATIONS)
            .source()
            .contains("min(context, pool) = " + adjusted.kvTokens()),
        item(adjusted, TermId.PREFILL_ACTIVATIONS).source());
    // and says that the pool holds less than one full-length request
    assertTrue(
        r.notes().stream()
            .anyMatch(
                n ->
                    n.startsWith(
                        String.format(
                            java.util.Locale.ROOT,
                            "the KV pool holds %,d tokens, less than one request",
                            adjusted.kvTokens()))),
        r.notes().toString());
  }

  @Test
  void oneMillionTokens_onH100s_countsItsRequestTable() {
    PreflightReport r = check("8xH100", "--tp", "8", "--context-length", "1000000");

    PreflightReport.Item table = item(r.estimate().orElseThrow(), TermId.REQUEST_TABLE);
    assertEquals(2049L * (1_000_000 + 4) * 4, table.bytes());
    assertTrue(r.decision() != Decision.REJECT, r.headline());
    r.adjustedEstimate()
        .ifPresent(e -> assertTrue(e.headroomBytes() >= e.safetyMarginBytes(), r.headline()));
  }
}
