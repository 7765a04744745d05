package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.sglang.version.ReleaseTable.Release;
import io.github.sglangpreflight.testing.RecordingLogger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The two data tables: releases and switch points, and how versions resolve against them. */
class VersionTablesTest {

  private static List<String> rows(String resource) throws IOException {
    try (InputStream in = SwitchPoint.class.getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).skip(1).toList();
    }
  }

  @Test
  void switchPoints_everyConstantHasARowAndEveryRowAConstant() throws IOException {
    Set<String> rowNames =
        rows(SwitchPoint.RESOURCE).stream()
            .map(l -> l.split("\t", -1)[0])
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> constants =
        Arrays.stream(SwitchPoint.values())
            .map(Enum::name)
            .collect(Collectors.toCollection(TreeSet::new));

    assertEquals(constants, rowNames);
    assertEquals(SwitchPoint.values().length, rows(SwitchPoint.RESOURCE).size(), "a row twice");
  }

  @Test
  void switchPoints_startAtAKnownReleaseOrAMainDate_withASourceAndADescription() {
    ReleaseTable releases = ReleaseTable.get();
    for (SwitchPoint p : SwitchPoint.values()) {
      assertTrue(
          p.version().map(v -> releases.find(v).isPresent()).orElse(p.mainDate().isPresent()),
          p.name());
      assertFalse(p.source().isBlank(), p.name());
      assertFalse(p.description().isBlank(), p.name());
    }
  }

  @Test
  void switchPoints_theTermsEngineersNames_startWhereSglangsCodeChanges() {
    // cuda_graph_runner.py: L309-313 @v0.4.8 (PR #7269) one rank's rows; L323-329 @v0.4.9.post4
    // (PR #8280) x dp again; removed by PR #9136, first in v0.5.0rc2
    assertEquals("0.4.8", SwitchPoint.GRAPH_RESIDUAL_500_MIB.firstVersion());
    assertEquals("0.4.8", SwitchPoint.DP_ATTENTION_GATHER_ROWS_PER_RANK.firstVersion());
    assertEquals("0.4.9.post4", SwitchPoint.DP_ATTENTION_GATHER_ROWS_TIMES_DP.firstVersion());
    assertEquals("0.5.0rc2", SwitchPoint.DP_ATTENTION_GATHER_IN_GRAPH_RUNNER.firstVersion());
    assertEquals("main@2026-06-09", SwitchPoint.CAPTURE_LIST_ALWAYS_MAX_BS.firstVersion());
  }

  @Test
  void dpAttentionGatherRows_followsTheGraphRunnerAtEachTag() {
    // max_bs 256, one token per request, dp 8
    assertEquals(256 * 8, f("0.4.7.post1").dpAttentionGatherRows(256, 1, 8));
    assertEquals(256, f("0.4.8").dpAttentionGatherRows(256, 1, 8));
    assertEquals(256, f("0.4.9.post2").dpAttentionGatherRows(256, 1, 8));
    assertEquals(256 * 8, f("0.4.9.post4").dpAttentionGatherRows(256, 1, 8));
    assertEquals(256 * 8, f("0.5.0rc1").dpAttentionGatherRows(256, 1, 8));
    assertEquals(0, f("0.5.0rc2").dpAttentionGatherRows(256, 1, 8));
    assertEquals(0, f("main").dpAttentionGatherRows(256, 1, 8));
  }

  @Test
  void releases_areOrderedFromTheOldestToMain_withDatesThatNeverGoBack() {
    List<Release> all = ReleaseTable.get().releases();

    assertEquals(70, all.size());
    assertTrue(all.getLast().version().isMain());
    assertEquals(LocalDate.of(2026, 10, 9), ReleaseTable.get().main().date());
    for (int i = 1; i < all.size() - 1; i++) {
      assertTrue(all.get(i - 1).version().compareTo(all.get(i).version()) < 0);
      assertFalse(all.get(i).date().isBefore(all.get(i - 1).date()), all.get(i).toString());
    }
    // every release from 0.5.7 to 0.5.21 is a row
    for (int minor = 7; minor <= 21; minor++) {
      assertTrue(ReleaseTable.get().find(SglangVersion.parse("0.5." + minor)).isPresent());
    }
  }

  @Test
  void releases_withoutADate_takeThePreviousOne_notExact() {
    // 0.5.3rc2's bump date is not recorded: 0.5.2's date (2025-09-11), marked not exact
    SglangFacts facts = f("0.5.3rc2");

    assertEquals(LocalDate.of(2025, 9, 11), facts.releaseDate());
    assertFalse(facts.releaseDateExact());
    assertEquals(List.of(), facts.notes());
    // the bump commit of 0.4.9.post3 (01c000043, 2025-07-22): a release without a tag
    assertEquals(LocalDate.of(2025, 7, 22), f("0.4.9.post3").releaseDate());
    assertTrue(f("0.4.9.post3").releaseDateExact());
  }

  @Test
  void releasesAfterTheOldMainDate_areModelledAtTheirOwnDate_andSaySo() {
    // main was 8761b971 (2026-08-12) and 0.5.18 was capped there; main now reaches 2026-10-09
    SglangFacts facts = f("0.5.18");

    assertEquals(LocalDate.of(2026, 8, 22), facts.releaseDate());
    assertTrue(facts.multimodalKvReservation());
    assertFalse(f("0.5.17").multimodalKvReservation());
    assertEquals(
        List.of(
            "SGLang 0.5.18 is modelled by upstream main as of about 2026-08-22 (releases after"
                + " 0.5.6.post2 are cut on branches this build cannot read)"),
        facts.notes());
    assertEquals(
        List.of(
            "SGLang 0.5.21 is modelled by upstream main as of about 2026-10-02 (releases after"
                + " 0.5.6.post2 are cut on branches this build cannot read)"),
        f("0.5.21").notes());
  }

  @Test
  void unknownVersion_nightly_isModelledAsTheNearestReleaseBefore_withAWarnAndANote() {
    RecordingLogger log = new RecordingLogger("recording");

    SglangFacts facts = SglangFacts.of(SglangVersion.parse("0.5.22.dev20261009"), log);

    assertEquals(SglangVersion.parse("0.5.21"), facts.modelledAs());
    assertEquals("0.5.22.dev20261009", facts.version().toString());
    assertEquals(
        List.of(
            "WARN SGLang 0.5.22.dev20261009 is not in the release table; modelling it as 0.5.21,"
                + " the nearest known release before it"),
        log.lines());
    assertEquals(
        "SGLang 0.5.22.dev20261009 is not a release this build knows: it is modelled as 0.5.21,"
            + " the nearest known release before it",
        facts.notes().getFirst());
    assertEquals(2, facts.notes().size());
    assertEquals(SglangProfile.P4, facts.profile());
  }

  @Test
  void unknownVersion_rcOrPostOfAnUnknownBase_orOlderThanAll_resolveByOrder() {
    RecordingLogger log = new RecordingLogger("recording");

    assertEquals("0.5.6.post2", SglangFacts.of(v("0.5.7rc1"), log).modelledAs().toString());
    assertEquals("0.5.21", SglangFacts.of(v("0.5.99.post3"), log).modelledAs().toString());
    assertEquals("0.4.4.post1", SglangFacts.of(v("0.3.0"), log).modelledAs().toString());
    assertEquals(
        "WARN SGLang 0.3.0 is not in the release table; modelling it as 0.4.4.post1, the nearest"
            + " known release after it",
        log.lines().getLast());
    // a known release, spelled differently, is known: no warning
    RecordingLogger quiet = new RecordingLogger("recording");
    assertEquals(List.of(), SglangFacts.of(v("v0.4.5-post3"), quiet).notes());
    assertEquals(List.of(), quiet.lines());
  }

  private static SglangVersion v(String text) {
    return SglangVersion.parse(text);
  }

  private static SglangFacts f(String version) {
    return SglangFacts.of(v(version));
  }
}
