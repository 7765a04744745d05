package io.github.sglangpreflight.sglang.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SglangInstallationTest {

  @TempDir Path tmp;

  private Path venvWith(String distInfo) throws IOException {
    Path site = tmp.resolve("venv/lib/python3.12/site-packages");
    Files.createDirectories(site.resolve(distInfo));
    Files.createDirectories(tmp.resolve("venv/bin"));
    return tmp.resolve("venv");
  }

  @Test
  void detect_pythonOfTheCommand_readsItsSitePackages() throws IOException {
    Path venv = venvWith("sglang-0.4.5.post3.dist-info");

    Optional<SglangInstallation> found =
        SglangInstallation.detect(
            List.of(venv.resolve("bin/python3").toString(), "-m", "sglang.launch_server"),
            Map.of(),
            tmp.resolve("home"));

    assertEquals(SglangVersion.parse("0.4.5.post3"), found.orElseThrow().version());
    assertEquals(
        venv.resolve("lib/python3.12/site-packages/sglang-0.4.5.post3.dist-info"),
        found.get().location());
  }

  @Test
  void detect_virtualEnvVariable_whenTheCommandSaysPython3() throws IOException {
    Path venv = venvWith("sglang-0.5.1.post2.dist-info");

    Optional<SglangInstallation> found =
        SglangInstallation.detect(
            List.of("python3", "-m", "sglang.launch_server"),
            Map.of("VIRTUAL_ENV", venv.toString()),
            tmp.resolve("home"));

    assertEquals("0.5.1.post2", found.orElseThrow().version().toString());
  }

  @Test
  void detect_userSiteAndEggInfo() throws IOException {
    Path home = tmp.resolve("home");
    Files.createDirectories(
        home.resolve(".local/lib/python3.11/site-packages/sglang-0.4.9.egg-info"));

    Optional<SglangInstallation> found =
        SglangInstallation.detect(List.of("sglang", "serve"), Map.of(), home);

    assertTrue(found.isPresent());
    assertEquals("0.4.9", found.get().version().toString());
  }

  @Test
  void inSitePackages_ignoresOtherPackagesAndBadVersions() throws IOException {
    Path site = tmp.resolve("site");
    Files.createDirectories(site.resolve("sglang_router-0.1.0.dist-info"));
    Files.createDirectories(site.resolve("sgl_kernel-0.3.5.dist-info"));
    Files.createDirectories(site.resolve("sglang-notaversion.dist-info"));

    assertEquals(Optional.empty(), SglangInstallation.inSitePackages(site));
    assertEquals(Optional.empty(), SglangInstallation.inSitePackages(tmp.resolve("missing")));
  }

  @Test
  void fromPyproject_readsTheEditableCheckoutVersion() throws IOException {
    Path pyproject = tmp.resolve("python/pyproject.toml");
    Files.createDirectories(pyproject.getParent());
    Files.writeString(pyproject, "[project]\nname = \"sglang\"\nversion = \"0.5.2rc1\"\n");

    assertEquals(
        "0.5.2rc1", SglangInstallation.fromPyproject(pyproject).orElseThrow().version().toString());
  }
}
