package io.github.sglangpreflight.launch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskingTest {

  @Test
  void maskArgv_bothFlagsInBothForms_masksOnlyTheValues() {
    List<String> argv =
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--api-key",
            "sk-1",
            "--admin-api-key=adm-2",
            "--port",
            "30000",
            "--admin-api-key",
            "adm-3",
            "--api-key=sk-4");
    assertEquals(
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--api-key",
            "***",
            "--admin-api-key=***",
            "--port",
            "30000",
            "--admin-api-key",
            "***",
            "--api-key=***"),
        SecretMasking.maskArgv(argv));
  }

  @Test
  void maskArgv_flagLast_hasNothingToMask() {
    assertEquals(List.of("x", "--api-key"), SecretMasking.maskArgv(List.of("x", "--api-key")));
  }

  @Test
  void commandLine_blankArguments_areQuoted() {
    assertEquals(
        "python3 --served-model-name 'my model' --api-key ***",
        SecretMasking.commandLine(
            List.of("python3", "--served-model-name", "my model", "--api-key", "s e")));
  }

  @Test
  void maskLine_serverArgsDump_masksApiKeyFields() {
    // SGLang logs f"{server_args=}" at start (entrypoints/engine.py:245@8761b971), keys included
    String line =
        "[2026-08-10 10:00:00] server_args=ServerArgs(model_path='m', api_key='sk-secret',"
            + " admin_api_key=\"adm\", port=30000)";
    assertEquals(
        "[2026-08-10 10:00:00] server_args=ServerArgs(model_path='m', api_key='***',"
            + " admin_api_key='***', port=30000)",
        SecretMasking.maskLine(line));
  }

  @Test
  void maskLine_commandLineInALine_masksFlagValues() {
    assertEquals(
        "launching sglang --api-key *** --admin-api-key=*** --port 1",
        SecretMasking.maskLine("launching sglang --api-key sk-1 --admin-api-key=adm --port 1"));
  }

  @Test
  void maskLine_noKey_isUnchanged() {
    String line = "[2025-04-21 10:00:00 TP0] Memory pool end. avail mem=8.34 GB";
    assertEquals(line, SecretMasking.maskLine(line));
  }
}
