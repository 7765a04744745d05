package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SglangProfileTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0.4.3.post2, P1",
    "0.4.5.post3, P1",
    "0.4.6rc1, P1",
    "0.4.6.dev5, P1",
    "0.4.6, P2",
    "0.4.6.post5, P2",
    "0.4.7.post1, P2",
    "0.4.8rc0, P2",
    "0.4.8, P3",
    "0.4.10.post2, P3",
    "0.5.1.post3, P3",
    "0.5.2.dev40, P3",
    "0.5.2rc0, P4",
    "0.5.2, P4",
    "0.5.16, P4",
    "main, P4",
  })
  void of_versionAtTheBoundaries_picksTheFamily(String version, SglangProfile expected) {
    assertEquals(expected, SglangProfile.of(SglangVersion.parse(version)));
  }

  @Test
  void toString_namesTheVersionsAndReference() {
    assertEquals("P1 (<=0.4.5.x)", SglangProfile.P1.toString());
    assertEquals("P4 (>=0.5.2 (main))", SglangProfile.P4.toString());
    assertEquals("v0.4.5.post3", SglangProfile.P1.reference());
    assertEquals("0.4.8-0.5.1", SglangProfile.P3.versions());
  }
}
