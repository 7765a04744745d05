package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.sglang.args.LaunchEnvironment.Switch;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LaunchEnvironmentTest {

  private static LaunchEnvironment env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return new LaunchEnvironment(m);
  }

  @ParameterizedTest
  @CsvSource({
    "1,TRUE,TRUE",
    "true,TRUE,TRUE",
    "TRUE,TRUE,TRUE",
    "0,FALSE,FALSE",
    "false,FALSE,FALSE",
    "yes,FALSE,TRUE",
    "y,FALSE,TRUE",
    "no,FALSE,FALSE",
    "on,FALSE,UNSET",
    "' 1',FALSE,UNSET",
    "'',FALSE,UNSET"
  })
  void jitDeepGemm_truthiness_followsEachGeneration(String value, Switch legacy, Switch main) {
    LaunchEnvironment old = env("SGL_ENABLE_JIT_DEEPGEMM", value);
    assertEquals(legacy, old.jitDeepGemm(Snapshot.V0_4_5_POST3));
    assertEquals(legacy, old.jitDeepGemm(Snapshot.V0_5_1));
    assertEquals(main, old.jitDeepGemm(Snapshot.MAIN));
  }

  @Test
  void jitDeepGemm_unset_isUnset() {
    assertEquals(Switch.UNSET, env().jitDeepGemm(Snapshot.V0_4_5_POST3));
    assertEquals(Switch.UNSET, env().jitDeepGemm(Snapshot.MAIN));
    assertTrue(env().jitDeepGemm(Snapshot.MAIN).orElse(true));
    assertFalse(env().jitDeepGemm(Snapshot.V0_4_5_POST3).orElse(false));
  }

  @Test
  void jitDeepGemm_newSpelling_isReadOnlyOnMain() {
    LaunchEnvironment e = env("SGLANG_ENABLE_JIT_DEEPGEMM", "0");
    assertEquals(Switch.UNSET, e.jitDeepGemm(Snapshot.V0_5_1));
    assertEquals(Switch.FALSE, e.jitDeepGemm(Snapshot.MAIN));
  }

  @Test
  void jitDeepGemm_oldSpellingWinsOnMain() {
    LaunchEnvironment e = env("SGL_ENABLE_JIT_DEEPGEMM", "1", "SGLANG_ENABLE_JIT_DEEPGEMM", "0");
    assertEquals(Switch.TRUE, e.jitDeepGemm(Snapshot.MAIN));
  }

  @Test
  void deepGemmKnobs_areReadPerGeneration() {
    LaunchEnvironment e =
        env(
            "SGL_JIT_DEEPGEMM_PRECOMPILE", "false",
            "SGLANG_JIT_DEEPGEMM_FAST_WARMUP", "1",
            "SGL_JIT_DEEPGEMM_COMPILE_WORKERS", " 8 ");
    assertEquals(Switch.FALSE, e.jitDeepGemmPrecompile(Snapshot.V0_4_5_POST3));
    assertEquals(Switch.FALSE, e.jitDeepGemmPrecompile(Snapshot.MAIN));
    assertEquals(Switch.UNSET, e.jitDeepGemmFastWarmup(Snapshot.V0_5_1));
    assertEquals(Switch.TRUE, e.jitDeepGemmFastWarmup(Snapshot.MAIN));
    assertEquals(OptionalInt.of(8), e.jitDeepGemmCompileWorkers(Snapshot.V0_4_5_POST3));
    assertEquals(OptionalInt.of(8), e.jitDeepGemmCompileWorkers(Snapshot.MAIN));
    assertEquals(
        OptionalInt.empty(),
        env("SGL_JIT_DEEPGEMM_COMPILE_WORKERS", "four")
            .jitDeepGemmCompileWorkers(Snapshot.V0_4_5_POST3));
  }

  @Test
  void newSpellings_mapEveryOldSwitchThatMainRenamed() {
    for (Map.Entry<String, String> e : LaunchEnvironment.NEW_SPELLINGS.entrySet()) {
      assertTrue(e.getKey().startsWith("SGL_"), e.getKey());
      assertTrue(e.getValue().startsWith("SGLANG_"), e.getValue());
      assertTrue(
          LaunchEnvironment.MEMORY_RELEVANT.contains(e.getKey())
              || e.getKey().equals("SGL_DG_CACHE_DIR"),
          e.getKey());
    }
  }

  @Test
  void tpMemoryImbalanceCheck_defaultsOn() {
    assertTrue(env().tpMemoryImbalanceCheckEnabled(Snapshot.V0_4_5_POST3));
    assertTrue(env().tpMemoryImbalanceCheckEnabled(Snapshot.MAIN));
  }

  @Test
  void tpMemoryImbalanceCheck_oldDisableSwitch_turnsItOffOnlyUpToV051() {
    LaunchEnvironment e = env("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK", "1");
    assertFalse(e.tpMemoryImbalanceCheckEnabled(Snapshot.V0_4_5_POST3));
    // main copies the old value into SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK unchanged
    assertTrue(e.tpMemoryImbalanceCheckEnabled(Snapshot.MAIN));
    assertFalse(
        env("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK", "0")
            .tpMemoryImbalanceCheckEnabled(Snapshot.MAIN));
  }

  @Test
  void tpMemoryImbalanceCheck_newSwitch_isReadOnMain() {
    LaunchEnvironment e = env("SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK", "false");
    assertFalse(e.tpMemoryImbalanceCheckEnabled(Snapshot.MAIN));
    assertTrue(e.tpMemoryImbalanceCheckEnabled(Snapshot.V0_5_1));
  }

  @Test
  void symmMemPrealloc_isReadOnMainOnly() {
    LaunchEnvironment e = env("SGLANG_SYMM_MEM_PREALLOC_GB_SIZE", "6");
    assertEquals(OptionalInt.of(6), e.symmMemPreallocGb(Snapshot.MAIN));
    assertEquals(OptionalInt.empty(), e.symmMemPreallocGb(Snapshot.V0_5_1));
    assertEquals(
        OptionalInt.empty(),
        env("SGLANG_SYMM_MEM_PREALLOC_GB_SIZE", "-1").symmMemPreallocGb(Snapshot.MAIN));
  }

  @Test
  void postCaptureKvSizing_isReadOnMainOnly() {
    LaunchEnvironment e = env("SGLANG_ENABLE_POST_CAPTURE_KV_SIZING", "1");
    assertEquals(Switch.TRUE, e.postCaptureKvSizing(Snapshot.MAIN));
    assertEquals(Switch.UNSET, e.postCaptureKvSizing(Snapshot.V0_5_1));
  }

  @Test
  void cudaVisibleDevices_distinguishesUnsetFromEmpty() {
    assertEquals(Optional.empty(), env().cudaVisibleDevices());
    assertEquals(Optional.of(""), env("CUDA_VISIBLE_DEVICES", "").cudaVisibleDevices());
    assertEquals(
        Optional.of("GPU-1,GPU-2"),
        env("CUDA_VISIBLE_DEVICES", "GPU-1,GPU-2").cudaVisibleDevices());
  }

  @Test
  void rawVariables_areExposed() {
    LaunchEnvironment e =
        env(
            "CUDA_DEVICE_ORDER",
            "PCI_BUS_ID",
            "PYTORCH_CUDA_ALLOC_CONF",
            "expandable_segments:True");
    assertEquals(Optional.of("PCI_BUS_ID"), e.cudaDeviceOrder());
    assertEquals(Optional.of("expandable_segments:True"), e.pytorchCudaAllocConf());
  }

  @Test
  void maskedForLog_masksSecretNamesOnly() {
    LaunchEnvironment e =
        env(
            "HF_TOKEN", "hf_x",
            "HUGGING_FACE_HUB_TOKEN", "hf_y",
            "AWS_SECRET_ACCESS_KEY", "k",
            "OPENAI_API_KEY", "sk",
            "SGLANG_PPLX_NUM_MAX_DISPATCH_TOKENS_PER_RANK", "128",
            "CUDA_VISIBLE_DEVICES", "0");
    Map<String, String> masked = e.maskedForLog();
    assertEquals("***", masked.get("HF_TOKEN"));
    assertEquals("***", masked.get("HUGGING_FACE_HUB_TOKEN"));
    assertEquals("***", masked.get("AWS_SECRET_ACCESS_KEY"));
    assertEquals("***", masked.get("OPENAI_API_KEY"));
    assertEquals("128", masked.get("SGLANG_PPLX_NUM_MAX_DISPATCH_TOKENS_PER_RANK"));
    assertEquals("0", masked.get("CUDA_VISIBLE_DEVICES"));
    assertFalse(e.toString().contains("hf_x"));
  }

  @Test
  void constructor_copiesAndRejectsNulls() {
    Map<String, String> m = new HashMap<>();
    m.put("A", "1");
    LaunchEnvironment e = new LaunchEnvironment(m);
    m.put("A", "2");
    assertEquals(Optional.of("1"), e.get("A"));
    Map<String, String> withNull = new HashMap<>();
    withNull.put("A", null);
    assertThrows(NullPointerException.class, () -> new LaunchEnvironment(withNull));
  }
}
