package io.github.sglangpreflight.model.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a Hugging Face model in the local hub cache, the way {@code huggingface_hub} lays it out:
 * {@code <hub>/models--<org>--<name>/snapshots/<commit>/}, with {@code refs/main} naming the
 * commit. The hub directory is {@code $HF_HUB_CACHE}, else {@code $HUGGINGFACE_HUB_CACHE}, else
 * {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code
 * ~/.cache/huggingface/hub}.
 */
final class HfCache {
  private final Map<String, String> env;
  private final Path home;

  HfCache(Map<String, String> env, Path home) {
    this.env = env;
    this.home = home;
  }

  /** The hub directory the environment points at (it may not exist). */
  Path hubDir() {
    String v = env.get("HF_HUB_CACHE");
    if (isSet(v)) {
      return Path.of(v);
    }
    v = env.get("HUGGINGFACE_HUB_CACHE");
    if (isSet(v)) {
      return Path.of(v);
    }
    v = env.get("HF_HOME");
    if (isSet(v)) {
      return Path.of(v).resolve("hub");
    }
    v = env.get("XDG_CACHE_HOME");
    if (isSet(v)) {
      return Path.of(v).resolve("huggingface").resolve("hub");
    }
    return home.resolve(".cache").resolve("huggingface").resolve("hub");
  }

  /** A found snapshot and how it was chosen. */
  record Snapshot(Path dir, String revision, Optional<String> note) {}

  /**
   * The snapshot of {@code repoId} that {@code refs/main} names; without {@code refs/main}, the
   * only snapshot or else the newest one (with a note). Empty when the repository is not cached.
   */
  Optional<Snapshot> find(String repoId) {
    Path repo = hubDir().resolve("models--" + repoId.replace("/", "--"));
    Path snapshots = repo.resolve("snapshots");
    if (!Files.isDirectory(snapshots)) {
      return Optional.empty();
    }
    Path ref = repo.resolve("refs").resolve("main");
    if (Files.isRegularFile(ref)) {
      try {
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        Path dir = snapshots.resolve(commit);
        if (!commit.isEmpty() && Files.isDirectory(dir)) {
          return Optional.of(new Snapshot(dir, commit, Optional.empty()));
        }
      } catch (IOException e) {
        // fall through to the snapshot listing
      }
    }
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(snapshots)) {
      s.filter(Files::isDirectory).forEach(dirs::add);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (dirs.isEmpty()) {
      return Optional.empty();
    }
    dirs.sort(Comparator.comparing(HfCache::modified).reversed());
    Path chosen = dirs.get(0);
    Optional<String> note =
        dirs.size() == 1
            ? Optional.of(
                "the cache has no refs/main; used its only snapshot " + chosen.getFileName())
            : Optional.of(
                "the cache has no usable refs/main and "
                    + dirs.size()
                    + " snapshots; used the newest, "
                    + chosen.getFileName());
    return Optional.of(new Snapshot(chosen, chosen.getFileName().toString(), note));
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static boolean isSet(String v) {
    return v != null && !v.isBlank();
  }
}
