package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Version knowledge lives in the two tables: no code outside {@code sglang/version} compares
 * version strings or holds a version literal, and inside it only the table loaders parse one.
 */
class NoVersionComparisonsTest {

  private static final Path MAIN =
      Path.of(System.getProperty("project.basedir", "."), "src/main/java");
  private static final Path VERSION_PACKAGE =
      MAIN.resolve("io/github/sglangpreflight/sglang/version");

  // atLeast("..."), before("..."), SglangVersion.parse("..."), or a string literal that is a bare
  // SGLang version number such as "0.4.7", "0.5.3rc2", "0.4.6.post2" (tags like "v0.4.7" label
  // flag snapshots and are allowed; other products' versions, e.g. a driver's, are not 0.x)
  private static final Pattern COMPARISON =
      Pattern.compile(
          "atLeast\\(\"|before\\(\"|SglangVersion\\.parse\\(\""
              + "|\"0\\.\\d+\\.\\d+(?:\\.post\\d+|rc\\d+|\\.dev\\d+)?\"");

  @Test
  void noVersionStringComparisonsOrLiterals_outsideTheVersionPackage() throws IOException {
    assertEquals(List.of(), hits(MAIN, p -> !p.startsWith(VERSION_PACKAGE)));
  }

  @Test
  void insideTheVersionPackage_noLiteralVersionComparisons() throws IOException {
    assertEquals(List.of(), hits(VERSION_PACKAGE, p -> true));
  }

  private static List<String> hits(Path root, java.util.function.Predicate<Path> keep)
      throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(keep)
          .forEach(
              p -> {
                try {
                  List<String> lines = Files.readAllLines(p);
                  for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) {
                      continue;
                    }
                    if (COMPARISON.matcher(line).find()) {
                      out.add(p + ":" + (i + 1) + ": " + code);
                    }
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return out;
  }
}
