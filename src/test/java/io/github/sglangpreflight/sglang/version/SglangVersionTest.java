package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SglangVersionTest {

  private static SglangVersion v(String text) {
    return SglangVersion.parse(text);
  }

  @Test
  void compareTo_pep440Phases_sortDevPreReleaseFinalPost() {
    // PEP 440 "Summary of permitted suffixes and relative ordering": .devN < aN < bN < rcN
    // (each with its own .devN before it and .postN after it) < final < .postN.devM < .postN
    List<String> ordered =
        List.of(
            "0.5.0.dev1",
            "0.5.0.dev20",
            "0.5.0a1",
            "0.5.0a2",
            "0.5.0b1",
            "0.5.0rc0",
            "0.5.0rc1.dev2",
            "0.5.0rc1",
            "0.5.0rc1.post1",
            "0.5.0rc2",
            "0.5.0",
            "0.5.0.post1.dev3",
            "0.5.0.post1",
            "0.5.0.post2",
            "0.5.1",
            "0.5.10",
            "1.0");
    List<SglangVersion> shuffled =
        new ArrayList<>(ordered.stream().map(SglangVersionTest::v).toList());
    Collections.reverse(shuffled);
    Collections.sort(shuffled);

    assertEquals(ordered, shuffled.stream().map(SglangVersion::toString).toList());
  }

  @Test
  void compareTo_releaseNumbers_compareNumericallyNotAsText() {
    assertTrue(v("0.4.10").compareTo(v("0.4.9.post6")) > 0);
    assertTrue(v("0.4.10.post2").compareTo(v("0.4.10.post10")) < 0);
    assertTrue(v("0.5.1").compareTo(v("0.4.10.post2")) > 0);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "0.5, 0.5.0",
    "v0.4.5.post3, 0.4.5.post3",
    "0.4.5-post3, 0.4.5.post3",
    "0.4.5_post.3, 0.4.5.post3",
    "0.5.0-rc.1, 0.5.0rc1",
    "0.5.0c1, 0.5.0rc1",
    "0.5.0RC1, 0.5.0rc1",
    "0.5.0alpha2, 0.5.0a2",
    "0.5.0beta1, 0.5.0b1",
    "0.5.0rc, 0.5.0rc0",
    "0.5.0.post, 0.5.0.post0",
    "0.5.3.dev120+g1a2b3c, 0.5.3.dev120",
    "0.5.3.dev120+g1a2b3c.d20250901, 0.5.3.dev120",
  })
  void compareTo_equivalentSpellings_orderEqual(String spelled, String canonical) {
    assertEquals(0, v(spelled).compareTo(v(canonical)));
  }

  @Test
  void equals_isTextualWhileOrderIsPep440() {
    assertNotEquals(v("0.5"), v("0.5.0"));
    assertEquals(v("0.4.5.post3"), v(" 0.4.5.post3 "));
    assertEquals(v("0.4.5.post3").hashCode(), v("0.4.5.post3").hashCode());
    assertEquals("0.5.3.dev120+g1a2b3c", v("0.5.3.dev120+g1a2b3c").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"main", "MAIN", "latest", "newest", "nightly", " main "})
  void parse_mainAliases_areMain(String text) {
    SglangVersion m = v(text);

    assertSame(SglangVersion.MAIN, m);
    assertTrue(m.isMain());
    assertEquals("main", m.toString());
  }

  @Test
  void compareTo_main_isAfterEveryRelease() {
    assertTrue(SglangVersion.MAIN.compareTo(v("0.5.16")) > 0);
    assertTrue(SglangVersion.MAIN.compareTo(v("99.0.post9")) > 0);
    assertTrue(v("0.5.16").compareTo(SglangVersion.MAIN) < 0);
    assertEquals(0, SglangVersion.MAIN.compareTo(v("latest")));
    assertTrue(SglangVersion.MAIN.atLeast("0.5.6.post2"));
    assertFalse(SglangVersion.MAIN.before("0.5.7"));
    assertFalse(v("0.5.6.post2").isMain());
  }

  @Test
  void atLeastAndBefore_atTheBoundary_areComplementary() {
    SglangVersion post1 = v("0.4.6.post1");

    assertTrue(post1.atLeast("0.4.6.post1"));
    assertFalse(post1.before("0.4.6.post1"));
    assertFalse(post1.atLeast("0.4.6.post2"));
    assertTrue(post1.before("0.4.6.post2"));
    assertTrue(v("0.5.2rc0").before("0.5.2"));
    assertTrue(v("0.5.2").atLeast("0.5.2rc1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", "0.4.x", "0..4", "0.4.5.post3.foo", "version 0.5", "-1"})
  void parse_notAVersion_throwsWithTheFix(String text) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> v(text));

    assertEquals("--sglang-version", e.input());
    assertEquals(
        "SGLang version '"
            + text
            + "' is not a version number; give one like 0.4.5.post3, 0.5.1 or main",
        e.getMessage());
  }

  @Test
  void parse_longerThan64Characters_throwsNamingTheLength() {
    String text = "0." + "1".repeat(70);

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> v(text));

    assertEquals("--sglang-version", e.input());
    assertEquals(
        "SGLang version '0.111111111111111111...' has 72 characters, more than 64; give one like"
            + " 0.4.5.post3, 0.5.1 or main",
        e.getMessage());
  }

  @Test
  void parse_64Characters_isAccepted_andAManyDotsInputIsRejected() {
    String longest = "0.5.22.dev20261009+g" + "a".repeat(44);

    assertEquals(64, longest.length());
    assertEquals(0, v(longest).compareTo(v("0.5.22.dev20261009")));
    assertThrows(InvalidInputException.class, () -> v("1.".repeat(31) + "x"));
  }
}
