package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library's packages point one way: the graph of package dependencies read from the sources
 * (imports, static imports and fully qualified names in code, comments left out) has no cycle, and
 * only {@code gpu.nvml.BoundNvmlApi} touches the jextract bindings. {@code jdeps -verbose:package}
 * on target/classes gives the same graph; this test keeps it so in every build.
 */
class PackageGraphTest {
  private static final String ROOT = "io.github.sglangpreflight";
  private static final Path BASEDIR = Path.of(System.getProperty("project.basedir", "."));
  private static final List<Path> SOURCE_ROOTS =
      List.of(BASEDIR.resolve("src/main/java"), BASEDIR.resolve("nvml-bindings/src/main/java"));

  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^import\\s+(?:static\\s+)?(" + Pattern.quote(ROOT) + "[\\w.*]*)\\s*;");

  /** A qualified name in code (resolved to the longest library package it starts with). */
  private static final Pattern QUALIFIED =
      Pattern.compile("\\b(" + Pattern.quote(ROOT) + "[\\w.]*)");

  private static final Pattern COMMENT =
      Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\\\n])*\"", Pattern.DOTALL);

  /** package → the library packages its sources use. */
  private static final Map<String, Set<String>> GRAPH = new TreeMap<>();

  /** source file (relative to its root) → the library packages it uses. */
  private static final Map<String, Set<String>> USES_BY_FILE = new TreeMap<>();

  @BeforeAll
  static void readSources() {
    Map<String, String> packageByFile = new TreeMap<>();
    Map<String, Set<String>> namesByFile = new TreeMap<>();
    for (Path root : SOURCE_ROOTS) {
      assertTrue(Files.isDirectory(root), root + " is a source root");
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          read(root, file, packageByFile, namesByFile);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Set<String> known = new TreeSet<>(packageByFile.values());
    namesByFile.forEach(
        (file, names) -> {
          String from = packageByFile.get(file);
          Set<String> uses = new TreeSet<>();
          for (String name : names) {
            packageOf(name, known).filter(p -> !p.equals(from)).ifPresent(uses::add);
          }
          USES_BY_FILE.put(file, uses);
          GRAPH.computeIfAbsent(from, p -> new TreeSet<>()).addAll(uses);
        });
  }

  /**
   * Collects the library names a file uses: its imports whose simple name the code uses (an import
   * for a Javadoc link only is no dependency of the classes), and qualified names in code.
   */
  private static void read(
      Path root, Path file, Map<String, String> packageByFile, Map<String, Set<String>> names)
      throws IOException {
    String text = Files.readString(file);
    Matcher pkg = PACKAGE.matcher(text);
    if (!pkg.find()) {
      return; // module-info.java
    }
    String key = root.relativize(file).toString();
    packageByFile.put(key, pkg.group(1));
    String code = COMMENT.matcher(text).replaceAll(" ");
    String body = IMPORT.matcher(code).replaceAll(" ");
    Set<String> used = new TreeSet<>();
    Matcher imports = IMPORT.matcher(code);
    while (imports.find()) {
      String imported = imports.group(1);
      String simple = imported.substring(imported.lastIndexOf('.') + 1);
      if (imported.endsWith(".*")
          || Pattern.compile("\\b" + Pattern.quote(simple) + "\\b").matcher(body).find()) {
        used.add(imported);
      }
    }
    Matcher qualified = QUALIFIED.matcher(body);
    while (qualified.find()) {
      used.add(qualified.group(1));
    }
    names.put(key, used);
  }

  /** The package of a used name: the longest library package it starts with. */
  private static java.util.Optional<String> packageOf(String name, Set<String> known) {
    String best = null;
    for (String p : known) {
      if ((name.equals(p) || name.startsWith(p + "."))
          && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return java.util.Optional.ofNullable(best);
  }

  @Test
  void theGraphCoversTheLibrary() {
    assertTrue(GRAPH.containsKey(ROOT), GRAPH.keySet().toString());
    assertTrue(GRAPH.containsKey(ROOT + ".gpu.nvml"), GRAPH.keySet().toString());
    assertTrue(GRAPH.containsKey(ROOT + ".nvml.bindings"), GRAPH.keySet().toString());
    assertTrue(GRAPH.get(ROOT).contains(ROOT + ".report"), GRAPH.get(ROOT).toString());
  }

  @Test
  void noPackageCycle() {
    assertEquals(List.of(), cycles(GRAPH), "package cycles (each list is one circle)");
  }

  @Test
  void onlyBoundNvmlApiUsesTheBindings() {
    List<String> users = new ArrayList<>();
    USES_BY_FILE.forEach(
        (file, uses) -> {
          if (uses.contains(ROOT + ".nvml.bindings")) {
            users.add(file);
          }
        });
    assertEquals(List.of("io/github/sglangpreflight/gpu/nvml/BoundNvmlApi.java"), users);
  }

  @Test
  void cycles_findsACircleOfThree() {
    Map<String, Set<String>> g =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());
    assertEquals(List.of(List.of("a", "b", "c")), cycles(g));
  }

  /** The strongly connected components with more than one package (Tarjan), each sorted. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    return new Tarjan(graph).run();
  }

  private static final class Tarjan {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final List<String> stack = new ArrayList<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<List<String>> found = new ArrayList<>();

    Tarjan(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    List<List<String>> run() {
      for (String node : new TreeSet<>(graph.keySet())) {
        if (!index.containsKey(node)) {
          visit(node);
        }
      }
      return found;
    }

    private void visit(String node) {
      index.put(node, index.size());
      low.put(node, index.get(node));
      stack.add(node);
      onStack.add(node);
      for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
        if (!index.containsKey(next)) {
          visit(next);
          low.put(node, Math.min(low.get(node), low.get(next)));
        } else if (onStack.contains(next)) {
          low.put(node, Math.min(low.get(node), index.get(next)));
        }
      }
      if (low.get(node).equals(index.get(node))) {
        List<String> component = new ArrayList<>();
        String member;
        do {
          member = stack.remove(stack.size() - 1);
          onStack.remove(member);
          component.add(member);
        } while (!member.equals(node));
        if (component.size() > 1) {
          component.sort(null);
          found.add(component);
        }
      }
    }
  }
}
