package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every document the code, the tests and their data cite by name, and every document the docs link
 * to, is in the repository: a reader of a report or a test can open it without anything from
 * outside ("cite only documents that are in the repository"). Web addresses and files of other
 * repositories named with their address are not documents of ours.
 */
class CitedDocumentsTest {

  private static final Path ROOT = Path.of(System.getProperty("project.basedir", "."));
  private static final Pattern CITED = Pattern.compile("[A-Za-z0-9_./-]{1,200}\\.md\\b");

  /** In markdown, the documents it links to: {@code [text](docs/memory-model.md)}. */
  private static final Pattern LINKED =
      Pattern.compile("(?<=\\]\\()[A-Za-z0-9_./-]{1,200}\\.md(?=[)#])");

  @Test
  void everyCitedMarkdownDocumentIsInTheRepository() throws IOException {
    Set<String> present = new TreeSet<>();
    List<Path> citing = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Path rel = ROOT.relativize(p);
        String first = rel.getName(0).toString();
        if (first.equals("target") || first.equals(".git") || rel.toString().contains("/target/")) {
          continue;
        }
        if (p.getFileName().toString().endsWith(".md")) {
          present.add(p.getFileName().toString());
          present.add(rel.toString());
        }
        String file = p.getFileName().toString();
        boolean code = first.equals("src") && (file.endsWith(".java") || file.endsWith(".tsv"));
        boolean doc = (first.equals("docs") || rel.getNameCount() == 1) && file.endsWith(".md");
        if (code || doc) {
          citing.add(p);
        }
      }
    }
    assertTrue(present.contains("docs/memory-model.md"), "the walk found the docs: " + ROOT);
    List<String> missing = new ArrayList<>();
    for (Path p : citing) {
      String text;
      try {
        text = Files.readString(p, StandardCharsets.UTF_8);
      } catch (MalformedInputException binary) {
        continue;
      }
      boolean markdown = p.getFileName().toString().endsWith(".md");
      Matcher m = (markdown ? LINKED : CITED).matcher(text);
      while (m.find()) {
        int from = Math.max(0, m.start() - 200);
        String before = text.substring(from, m.start());
        int lineStart = before.lastIndexOf('\n');
        String sameLine = before.substring(lineStart + 1);
        String name = m.group();
        if (name.startsWith("//") || sameLine.matches(".*https?:$")) {
          continue; // part of a web address
        }
        if (sameLine.contains("github.com/") || sameLine.contains("huggingface.co/")) {
          continue; // a file of another repository, named with its address on the same line
        }
        String base = name.substring(name.lastIndexOf('/') + 1);
        String stripped = name.replaceFirst("^(\\./|\\.\\./)+", "");
        if (!present.contains(base) && !present.contains(stripped)) {
          missing.add(ROOT.relativize(p) + ": " + name);
        }
      }
    }
    assertEquals(List.of(), missing, "documents cited but not in the repository");
  }
}
