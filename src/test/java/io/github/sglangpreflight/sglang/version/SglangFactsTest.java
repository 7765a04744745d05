package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.sglang.version.SglangFacts.CaptureListRule;
import io.github.sglangpreflight.sglang.version.SglangFacts.ChunkRule;
import io.github.sglangpreflight.sglang.version.SglangFacts.FractionRule;
import io.github.sglangpreflight.sglang.version.SglangFacts.RequestRowsRule;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every version switch at its boundary: the last version without the change and the first with it.
 * Boundaries are those of docs/memory-model.md §2.1 and the switch-point table and were checked
 * against the tags (git tag --contains) and the bump commits on main (git merge-base
 * --is-ancestor).
 */
class SglangFactsTest {

  private static SglangFacts f(String version) {
    return SglangFacts.of(SglangVersion.parse(version));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0.4.5.post3, P1_TP_TABLE_OR_13_GIB",
    "0.4.6, P1_TP_TABLE_OR_13_GIB",
    "0.4.6.post1, P1_TP_TABLE_OR_13_GIB",
    // PR #5893 (e4b6133b7) is first in v0.4.6.post2
    "0.4.6.post2, P2_H200_RULE",
    "0.4.6.post5, P2_H200_RULE",
    "0.4.7, P2_V047",
    // PR #7054 (6b12d6a8d) is first in v0.4.7.post1
    "0.4.7.post1, P3_RESERVE_TABLE",
    "0.5.2, P3_RESERVE_TABLE",
    "0.5.3rc0, P3_RESERVE_TABLE",
    // PRs #10975/#11076 landed between the 0.5.3rc0 and 0.5.3rc2 bumps
    "0.5.3rc2, P4_ACTIVATION_GRAPHS",
    "0.5.6.post2, P4_ACTIVATION_GRAPHS",
    "0.5.7, P4_MAIN",
    "main, P4_MAIN",
  })
  void fractionRule_atTheBoundaries(String version, FractionRule expected) {
    assertEquals(expected, f(version).fractionRule());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0.4.5.post3, P1",
    // PR #5634 (917324862): the 168..256 extension only with dp_size 1, v0.4.6 and post1
    "0.4.6, V046_DP1_ONLY",
    "0.4.6.post1, V046_DP1_ONLY",
    "0.4.6.post2, V046_POST2",
    "0.4.7, V047",
    "0.4.7.post1, V047_POST1",
    "0.5.3rc0, V047_POST1",
    "0.5.3rc2, MAIN",
    "main, MAIN",
  })
  void captureListRule_atTheBoundaries(String version, CaptureListRule expected) {
    assertEquals(expected, f(version).captureListRule());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0.4.6.post5, P1",
    "0.4.7, V047",
    "0.4.7.post1, V047_POST1",
    "0.5.3rc0, V047_POST1",
    "0.5.3rc2, MAIN",
  })
  void chunkRule_atTheBoundaries(String version, ChunkRule expected) {
    assertEquals(expected, f(version).chunkRule());
  }

  @Test
  void captureListExtendsToMaxBs_fromPost4UntilTheServerSideList() {
    // fba8eccd7 (#6201) is first in v0.4.6.post4; the server-side list of PR #10372 drops it
    assertFalse(f("0.4.6.post3").captureListExtendsToMaxBs());
    assertTrue(f("0.4.6.post4").captureListExtendsToMaxBs());
    assertTrue(f("0.5.3rc0").captureListExtendsToMaxBs());
    assertFalse(f("0.5.3rc2").captureListExtendsToMaxBs());
  }

  @Test
  void multimodalSwitches_atTheirBoundaries() {
    // 4685fbb88 (#6355) first in v0.4.6.post5: only a few VLMs keep chunked prefill off
    assertTrue(f("0.4.6.post4").multimodalDisablesChunkedPrefill());
    assertFalse(f("0.4.6.post5").multimodalDisablesChunkedPrefill());
    // the x0.9 moved into server_args (default only) in v0.4.9 (14229ccf8, #7748; git tag
    // --contains: v0.4.9): model_runner.py L414-419 @v0.4.8 still scales any fraction, so 0.4.8
    // (asserted false here before) and 0.4.8.post1 still apply it
    assertTrue(f("0.4.7.post1").multimodalFactorAppliesToUserFraction());
    assertTrue(f("0.4.8").multimodalFactorAppliesToUserFraction());
    assertTrue(f("0.4.8.post1").multimodalFactorAppliesToUserFraction());
    assertFalse(f("0.4.9").multimodalFactorAppliesToUserFraction());
    // the ViT-size factor (3964b352c, #6881) from v0.4.9.post3
    assertFalse(f("0.4.9.post2").vitSizeFactor());
    assertTrue(f("0.4.9.post3").vitSizeFactor());
    assertTrue(f("0.4.9.post4").vitSizeFactor());
  }

  @Test
  void dpGraphBatchPerRank_fromV049Post4() {
    // c0fb25e94 (#8280): tags v0.4.9.post4 and later contain it
    assertFalse(f("0.4.9.post2").dpGraphBatchPerRank());
    assertTrue(f("0.4.9.post4").dpGraphBatchPerRank());
  }

  @Test
  void graphLeaks_fixedInV0410Post2() {
    SglangFacts before = f("0.4.10.post1");
    SglangFacts after = f("0.4.10.post2");

    // PR #8579 (cb099d209) and PR #8567 (7a9133014): tags v0.4.10.post2 and later
    assertTrue(before.logitsKeptPerGraph());
    assertFalse(after.logitsKeptPerGraph());
    assertTrue(before.fa3PageTablePerGraph());
    assertFalse(after.fa3PageTablePerGraph());
    assertEquals(3, before.fa3StaticTables());
    assertEquals(1, after.fa3StaticTables());
    // page_table + page_table_draft_decode in v0.4.5.post3; + encoder_page_table from v0.4.6
    assertEquals(2, f("0.4.5.post3").fa3StaticTables());
    assertEquals(3, f("0.4.6").fa3StaticTables());
  }

  @Test
  void deepGemm_switchesAtTheirBoundaries() {
    // #5628 (ce5412b62): on by default from v0.4.6
    assertFalse(f("0.4.5.post3").jitDeepGemmDefaultOn());
    assertTrue(f("0.4.6").jitDeepGemmDefaultOn());
    // #9340 (aa3eba8eb) is an ancestor of the 0.5.1.post3 bump bc80dc4ce
    assertFalse(f("0.5.1.post2").deepGemmWarmupAllocates());
    assertTrue(f("0.5.1.post3").deepGemmWarmupAllocates());
    assertTrue(f("0.5.2rc0").deepGemmWarmupAllocates());
    // #9879 (1db649ac0) first in the 0.5.2rc1 bump 18f91eb63
    assertFalse(f("0.5.2rc0").deepGemmWarmupFreesPerShape());
    assertTrue(f("0.5.2rc1").deepGemmWarmupFreesPerShape());
    // #14136 (9d0e5f1f7) in 0.5.6; #14493 (bc388471d) in 0.5.6.post1
    assertFalse(f("0.5.5.post1").deepGemmFirstRankUsesBaseGpuId());
    assertTrue(f("0.5.6").deepGemmFirstRankUsesBaseGpuId());
    assertFalse(f("0.5.6").deepGemmWarmupGuard());
    assertTrue(f("0.5.6.post1").deepGemmWarmupGuard());
  }

  @Test
  void jitDeepGemmSupports_computeCapabilityPerVersion() {
    assertTrue(f("0.5.1").jitDeepGemmSupports(90));
    assertFalse(f("0.5.1").jitDeepGemmSupports(100));
    assertTrue(f("0.5.1.post1").jitDeepGemmSupports(100));
    assertTrue(f("0.5.6").jitDeepGemmSupports(120));
    assertFalse(f("main").jitDeepGemmSupports(120));
    assertTrue(f("main").jitDeepGemmSupports(100));
    for (String v : List.of("0.4.5.post3", "0.5.1.post1", "main")) {
      assertFalse(f(v).jitDeepGemmSupports(89), v);
      assertFalse(f(v).jitDeepGemmSupports(80), v);
    }
  }

  @Test
  void requestTableAndNccl_switchesAtTheirBoundaries() {
    // 20fd53b8f (#6803): no "+ 1" row from v0.4.7
    assertEquals(RequestRowsRule.PLUS_ONE, f("0.4.6.post5").requestRowsRule());
    assertEquals(RequestRowsRule.EXACT, f("0.4.7").requestRowsRule());
    assertEquals(RequestRowsRule.MAIN, f("main").requestRowsRule());
    // eb19ccada (#9388): draft tokens in the columns from v0.5.1
    assertFalse(f("0.5.0rc2").requestTableCountsDraftTokens());
    assertTrue(f("0.5.1").requestTableCountsDraftTokens());
    // bad7c26fd (#6223): the MIN of T moves to the CPU group in v0.4.6.post4
    assertTrue(f("0.4.6.post3").preLoadMinCreatesNcclCommunicator());
    assertFalse(f("0.4.6.post4").preLoadMinCreatesNcclCommunicator());
  }

  @Test
  void releaseDate_taggedVersions_areExact() {
    assertEquals(LocalDate.of(2025, 4, 21), f("0.4.5.post3").releaseDate());
    assertEquals(LocalDate.of(2025, 12, 11), f("0.5.6.post2").releaseDate());
    assertTrue(f("0.5.6.post2").releaseDateExact());
    assertEquals(List.of(), f("0.5.6.post2").notes());
    // main moved from 8761b971 (2026-08-12) to the newest nightly seen (0.5.22.dev20261009), whose
    // date is not a commit the project read: not exact
    assertEquals(LocalDate.of(2026, 10, 9), f("main").releaseDate());
    assertFalse(f("main").releaseDateExact());
    assertEquals(List.of(), f("main").notes());
  }

  @Test
  void releaseDate_0510_isItsReleaseDate() {
    // the release page's date (sglang-releases.tsv); the interpolation it replaces gave 2026-03-10
    SglangFacts facts = f("0.5.10");

    assertEquals(LocalDate.of(2026, 4, 6), facts.releaseDate());
    assertTrue(facts.releaseDateExact());
    assertEquals(
        List.of(
            "SGLang 0.5.10 is modelled by upstream main as of about 2026-04-06 (releases after"
                + " 0.5.6.post2 are cut on branches this build cannot read)"),
        facts.notes());
  }

  @Test
  void releaseDate_0516_isItsReleaseDate() {
    // release pages (sglang-releases.tsv); before: 0.5.16 = docs bump 2026-07-24, 0.5.15.post1 =
    // 2026-07-07, 0.5.17 = main 2026-08-12
    SglangFacts facts = f("0.5.16");

    assertEquals(LocalDate.of(2026, 7, 25), facts.releaseDate());
    assertTrue(facts.releaseDateExact());
    assertEquals(LocalDate.of(2026, 7, 14), f("0.5.15.post1").releaseDate());
    assertEquals(LocalDate.of(2026, 8, 8), f("0.5.17").releaseDate());
  }

  @Test
  void mainDatedSwitches_followTheApproximateReleaseDate() {
    // released 0.5.9 2026-02-24, 0.5.10 2026-04-06, 0.5.12.post1 2026-05-26, 0.5.13 2026-06-13
    // prefill graphs default-on from main 2026-03-02 (c64274c74, #16331)
    assertFalse(f("0.5.9").prefillGraphsByDefault());
    assertTrue(f("0.5.10").prefillGraphsByDefault());
    // request rows capped at tokens/2 from 2026-03-08 (2ef00383a), padding row from 2026-05-06
    assertEquals(RequestRowsRule.EXACT, f("0.5.9").requestRowsRule());
    assertEquals(RequestRowsRule.CAPPED, f("0.5.10").requestRowsRule());
    assertEquals(RequestRowsRule.MAIN, f("0.5.13").requestRowsRule());
    // eager input registry from 2026-06-09: first in 0.5.13 by its release date (asserted false for
    // 0.5.13 before, when 0.5.13 was put at about 2026-05-20)
    assertFalse(f("0.5.12.post1").eagerInputBuffers());
    assertTrue(f("0.5.13").eagerInputBuffers());
    assertTrue(f("0.5.14").eagerInputBuffers());
    // head_dim + v_head_dim cells (160a06cab, 2025-12-19); new imbalance switch (2025-12-25)
    assertEquals(KvCacheOptions.CellFormula.TWO_HEAD_DIM, f("0.5.6.post2").cellFormula());
    assertEquals(KvCacheOptions.CellFormula.HEAD_DIM_PLUS_V_HEAD_DIM, f("0.5.7").cellFormula());
    assertFalse(f("0.5.6.post2").imbalanceSwitchIsNew());
    assertTrue(f("0.5.7").imbalanceSwitchIsNew());
    // main-only terms stay off for the tagged releases
    assertFalse(f("0.5.6.post2").prefillGraphsByDefault());
    assertFalse(f("0.5.6.post2").deepEpReserveTerm());
    assertTrue(f("main").deepEpReserveTerm());
    assertTrue(f("main").breakablePrefillDeepEpTerm());
    assertFalse(f("0.5.16").breakablePrefillDeepEpTerm());
  }

  @ParameterizedTest(name = "{0}: mla {1}, sm{2}, {3}, no spec or top-k 1 {4} -> {5}")
  @CsvSource({
    // model_runner.py L245-263 @v0.4.5.post3
    "0.4.5.post3, true, 90, DeepseekV3ForCausalLM, true, fa3",
    "0.4.5.post3, true, 80, DeepseekV3ForCausalLM, true, triton",
    "0.4.5.post3, true, 100, DeepseekV3ForCausalLM, true, triton",
    "0.4.5.post3, false, 90, LlamaForCausalLM, true, fa3",
    "0.4.5.post3, false, 90, LlamaForCausalLM, false, flashinfer",
    "0.4.5.post3, false, 90, Qwen3ForCausalLM, true, flashinfer",
    "0.4.5.post3, false, 89, LlamaForCausalLM, true, flashinfer",
    "0.4.5.post3, false, 80, MistralForCausalLM, true, flashinfer",
    // the FA3 architecture list per tag (utils.py is_fa3_default_architecture)
    "0.4.6, false, 90, Qwen3ForCausalLM, true, flashinfer",
    "0.4.6.post1, false, 90, Qwen3ForCausalLM, true, fa3",
    "0.4.6.post3, false, 90, MixtralForCausalLM, true, fa3",
    "0.4.6.post4, false, 90, MixtralForCausalLM, true, flashinfer",
    "0.4.6.post4, false, 90, MistralForCausalLM, true, fa3",
    "0.4.6.post5, false, 90, MistralForCausalLM, true, flashinfer",
    "0.4.6.post5, true, 100, DeepseekV3ForCausalLM, true, triton",
    "0.4.7, true, 100, DeepseekV3ForCausalLM, true, flashinfer",
    "0.5.1, false, 90, Gemma2ForCausalLM, true, fa3",
    "0.5.6, false, 100, Qwen3ForCausalLM, true, flashinfer",
    // 3d1b591aa (trtllm_mha on Blackwell) is an ancestor of the 0.5.6.post1 bump
    "0.5.6.post1, false, 100, Qwen3ForCausalLM, true, trtllm_mha",
    "0.5.6.post1, false, 100, Qwen3ForCausalLM, false, flashinfer",
    // PR #17425 (a54d75bf2, 2026-01-21): FA3 for every MHA model on Hopper
    "0.5.7, false, 90, MistralForCausalLM, true, flashinfer",
    "0.5.8, false, 90, MistralForCausalLM, true, fa3",
    "main, false, 90, MistralForCausalLM, true, fa3",
    "main, false, 90, MistralForCausalLM, false, flashinfer",
    "main, true, 90, DeepseekV3ForCausalLM, true, fa3",
    "main, true, 100, DeepseekV3ForCausalLM, true, flashinfer",
    "main, false, 100, LlamaForCausalLM, true, trtllm_mha",
    "main, false, 120, LlamaForCausalLM, true, flashinfer",
    "main, false, 89, LlamaForCausalLM, true, flashinfer",
    "main, true, 89, DeepseekV3ForCausalLM, true, triton",
  })
  void defaultAttentionBackend_perVersionGpuAndArchitecture(
      String version,
      boolean mla,
      int sm,
      String architecture,
      boolean noSpecOrTopkOne,
      String expected) {
    assertEquals(
        expected, f(version).defaultAttentionBackend(mla, sm, architecture, noSpecOrTopkOne));
  }
}
