package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizesTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "1GiB        | 1073741824",
        "512MiB      | 536870912",
        "1.5 GiB     | 1610612736",
        "2G          | 2147483648",
        "2g          | 2147483648",
        "1073741824  | 1073741824",
        "0           | 0",
        "100B        | 100",
        "64k         | 65536",
        "1kib        | 1024",
        "1 TiB       | 1099511627776",
        "1GB         | 1000000000",
        "2.5MB       | 2500000",
        "1kB         | 1000",
        ".5G         | 536870912",
        "1.          | 1",
        "0.3KiB      | 307",
        "' 3 M '     | 3145728",
      })
  void parse_writtenSizes_bytes(String text, long bytes) {
    assertEquals(bytes, ByteSizes.parse("--safety-margin", text));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''",
        "GiB",
        "1.5 parsecs",
        "1e9",
        "1,5GiB",
        "one GiB",
        "1 GiB 2",
        "1..5G",
        "0x10",
      })
  void parse_nonsense_sentenceWithExamples(String text) {
    UsageException e =
        assertThrows(UsageException.class, () -> ByteSizes.parse("--safety-margin", text));

    assertEquals(
        "--safety-margin '"
            + text
            + "' is not a size; write bytes or a number with a unit, e.g. 1GiB, 512MiB, '1.5 GiB'"
            + " or 2G",
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"-1GiB", "-0", " -5"})
  void parse_negative_saysSo(String text) {
    UsageException e =
        assertThrows(UsageException.class, () -> ByteSizes.parse("--safety-margin", text));

    assertEquals(
        "--safety-margin '"
            + text
            + "' is negative; give a size of zero or more, e.g. --safety-margin 1GiB",
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"9999999999T", "99999999999999999999"})
  void parse_beyondLong_saysTooLarge(String text) {
    UsageException e =
        assertThrows(UsageException.class, () -> ByteSizes.parse("--safety-margin", text));

    assertEquals("--safety-margin '" + text + "' is too large to be a memory size", e.getMessage());
  }
}
