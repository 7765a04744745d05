package io.github.sglangpreflight.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the files under {@code src/test/resources/launch}. */
public final class LaunchResources {
  private LaunchResources() {}

  public static Path path(String name) {
    URL url = LaunchResources.class.getResource("/launch/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no test resource launch/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code *.log} files of the directory. */
  static List<String> logFiles() {
    try (Stream<Path> files = Files.list(path("fake-ok.log").getParent())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".log"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The log lines of a {@code .log} file: every line not starting with {@code #}. */
  static List<String> logLines(String name) {
    return lines(name).stream().filter(l -> !l.startsWith("#") && !l.isEmpty()).toList();
  }

  /** The {@code # key: value} header lines of a {@code .log} file (continuation lines skipped). */
  static Map<String, String> headers(String name) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : lines(name)) {
      if (line.startsWith("# ") && !line.startsWith("#  ")) {
        int colon = line.indexOf(':');
        String key = colon > 2 ? line.substring(2, colon) : "";
        if (!key.isEmpty() && key.matches("[a-z-]+")) {
          headers.put(key, line.substring(colon + 1).strip());
        }
      }
    }
    return headers;
  }

  /** Data row {@code index} (0-based, header excluded) of a TSV, by column name. */
  static Map<String, String> tsvRow(String name, int index) {
    List<String> lines = lines(name);
    String[] header = lines.get(0).split("\t", -1);
    String[] cells = lines.get(index + 1).split("\t", -1);
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < header.length; i++) {
      row.put(header[i], i < cells.length ? cells[i] : "");
    }
    return row;
  }

  private static List<String> lines(String name) {
    try {
      return new ArrayList<>(Files.readAllLines(path(name), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
