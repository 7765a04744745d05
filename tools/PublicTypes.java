import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.attribute.InnerClassesAttribute;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Counts the public types of a compiled class tree (JDK 24+: java.lang.classfile).
 *
 * <p>Usage: {@code java tools/PublicTypes.java DIR [-v]} (tools/public-types.sh runs it on
 * target/classes). "public" counts every top-level or member type declared public (anonymous and
 * local classes excluded); "exported" counts those reachable from outside the module: in a package
 * that DIR/module-info.class exports and, for a member type, inside public types all the way out.
 * Without a module-info every package counts as exported. -v lists the exported types.
 */
public class PublicTypes {
  record Type(String name, String pkg, boolean isPublic, String outer) {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    boolean verbose = args.length > 1 && args[1].equals("-v");
    Map<String, Type> types = new TreeMap<>();
    Set<String> exported = null;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        ClassModel model = ClassFile.of().parse(file);
        if (model.isModuleInfo()) {
          exported = new TreeSet<>();
          for (var e :
              model
                  .findAttribute(java.lang.classfile.Attributes.module())
                  .orElseThrow()
                  .exports()) {
            if (e.exportsTo().isEmpty()) {
              exported.add(e.exportedPackage().name().stringValue().replace('/', '.'));
            }
          }
          continue;
        }
        String name = model.thisClass().asInternalName();
        boolean isPublic = model.flags().has(AccessFlag.PUBLIC);
        String outer = null;
        boolean localOrAnonymous = false;
        for (var inner :
            model
                .findAttribute(java.lang.classfile.Attributes.innerClasses())
                .map(InnerClassesAttribute::classes)
                .orElse(java.util.List.of())) {
          if (inner.innerClass().asInternalName().equals(name)) {
            isPublic = inner.flags().contains(AccessFlag.PUBLIC);
            localOrAnonymous = inner.outerClass().isEmpty();
            outer = inner.outerClass().map(c -> c.asInternalName()).orElse(null);
          }
        }
        if (localOrAnonymous || model.flags().has(AccessFlag.SYNTHETIC)) {
          continue;
        }
        int slash = name.lastIndexOf('/');
        String pkg = slash < 0 ? "" : name.substring(0, slash).replace('/', '.');
        types.put(name, new Type(name, pkg, isPublic, outer));
      }
    }
    int publicTypes = 0;
    int exportedTypes = 0;
    Map<String, int[]> byPackage = new TreeMap<>();
    for (Type t : types.values()) {
      if (!t.isPublic()) {
        continue;
      }
      publicTypes++;
      int[] counts = byPackage.computeIfAbsent(t.pkg(), p -> new int[2]);
      counts[0]++;
      boolean reachable = exported == null || exported.contains(t.pkg());
      for (Type o = t; reachable && o.outer() != null; ) {
        o = types.get(o.outer());
        reachable = o != null && o.isPublic();
      }
      if (reachable) {
        exportedTypes++;
        counts[1]++;
        if (verbose) {
          System.out.println("  " + t.name().replace('/', '.'));
        }
      }
    }
    byPackage.forEach((p, c) -> System.out.printf("%4d public %4d exported  %s%n", c[0], c[1], p));
    System.out.println(
        dir
            + ": "
            + publicTypes
            + " public types, "
            + exportedTypes
            + " exported ("
            + (exported == null ? "no module-info: every package" : exported.size() + " packages")
            + ")");
  }
}
