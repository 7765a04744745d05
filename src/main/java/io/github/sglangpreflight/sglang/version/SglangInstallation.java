package io.github.sglangpreflight.sglang.version;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An installed SGLang found without running Python: the {@code sglang-<version>.dist-info} (or
 * {@code .egg-info}) folder of a site-packages directory, or an editable checkout's {@code
 * python/pyproject.toml}.
 *
 * @param version the installed version
 * @param location the metadata folder or file it was read from
 */
public record SglangInstallation(SglangVersion version, Path location) {
  private static final Logger LOG = LoggerFactory.getLogger(SglangInstallation.class);
  private static final Pattern DIST_INFO =
      Pattern.compile("sglang-([0-9][^-]*?)\\.(dist-info|egg-info)", Pattern.CASE_INSENSITIVE);
  private static final Pattern PYPROJECT_VERSION =
      Pattern.compile("(?m)^version\\s*=\\s*\"([^\"]+)\"");

  public SglangInstallation {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(location, "location");
  }

  /**
   * Looks for the SGLang the launch would import: first the site-packages of the Python the command
   * names ({@code /opt/venv/bin/python3 -m sglang.launch_server}), then {@code $VIRTUAL_ENV},
   * {@code $CONDA_PREFIX}, the user site, the system and conda locations, and the source checkout
   * of the official image ({@code /sgl-workspace/sglang}).
   *
   * @param launcherPrefix the command before the server arguments ({@code python3 -m
   *     sglang.launch_server})
   * @param environment the launch's environment
   * @param userHome {@code ~}
   * @return the first installation found, or empty
   */
  public static Optional<SglangInstallation> detect(
      List<String> launcherPrefix, Map<String, String> environment, Path userHome) {
    for (Path dir : candidateSitePackages(launcherPrefix, environment, userHome)) {
      Optional<SglangInstallation> found = inSitePackages(dir);
      if (found.isPresent()) {
        LOG.debug("found SGLang {} at {}", found.get().version(), found.get().location());
        return found;
      }
    }
    Path checkout = Path.of("/sgl-workspace/sglang/python/pyproject.toml");
    return fromPyproject(checkout);
  }

  /** The sglang metadata in one site-packages directory, if any. */
  static Optional<SglangInstallation> inSitePackages(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "sglang-*")) {
      for (Path e : entries) {
        Matcher m = DIST_INFO.matcher(e.getFileName().toString());
        if (m.matches()) {
          try {
            return Optional.of(new SglangInstallation(SglangVersion.parse(m.group(1)), e));
          } catch (InvalidInputException bad) {
            LOG.debug("ignoring {}: {}", e, bad.getMessage());
          }
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list {}: {}", dir, e.toString());
    }
    return Optional.empty();
  }

  static Optional<SglangInstallation> fromPyproject(Path pyproject) {
    if (!Files.isRegularFile(pyproject)) {
      return Optional.empty();
    }
    try {
      Matcher m = PYPROJECT_VERSION.matcher(Files.readString(pyproject, StandardCharsets.UTF_8));
      if (m.find()) {
        return Optional.of(new SglangInstallation(SglangVersion.parse(m.group(1)), pyproject));
      }
    } catch (IOException | InvalidInputException e) {
      LOG.debug("cannot read the version from {}: {}", pyproject, e.toString());
    }
    return Optional.empty();
  }

  /** Site-packages directories to look in, most specific first. */
  static List<Path> candidateSitePackages(
      List<String> launcherPrefix, Map<String, String> environment, Path userHome) {
    Set<Path> prefixes = new LinkedHashSet<>();
    if (!launcherPrefix.isEmpty()) {
      String exe = launcherPrefix.getFirst();
      if (exe.contains("/")) {
        Path bin = Path.of(exe).toAbsolutePath().getParent();
        if (bin != null && bin.getParent() != null) {
          prefixes.add(bin.getParent());
        }
      }
    }
    Optional.ofNullable(environment.get("VIRTUAL_ENV")).map(Path::of).ifPresent(prefixes::add);
    Optional.ofNullable(environment.get("CONDA_PREFIX")).map(Path::of).ifPresent(prefixes::add);
    List<Path> out = new ArrayList<>();
    for (Path prefix : prefixes) {
      out.addAll(pythonDirs(prefix.resolve("lib"), "site-packages"));
    }
    out.addAll(pythonDirs(userHome.resolve(".local/lib"), "site-packages"));
    out.addAll(pythonDirs(Path.of("/usr/local/lib"), "dist-packages"));
    out.addAll(pythonDirs(Path.of("/usr/local/lib"), "site-packages"));
    out.add(Path.of("/usr/lib/python3/dist-packages"));
    out.addAll(pythonDirs(Path.of("/usr/lib"), "site-packages"));
    out.addAll(pythonDirs(Path.of("/opt/conda/lib"), "site-packages"));
    return out;
  }

  private static List<Path> pythonDirs(Path lib, String leaf) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(lib)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(lib, "python3*")) {
      for (Path e : entries) {
        out.add(e.resolve(leaf));
      }
    } catch (IOException e) {
      LOG.debug("cannot list {}: {}", lib, e.toString());
    }
    out.sort(null);
    return out.reversed();
  }
}
