package io.github.sglangpreflight.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SGLang's KV dtype for DeepSeek DSA (NSA) models: from 0.5.3 {@code --kv-cache-dtype auto} is
 * fp8_e4m3 on compute capability 10 and above (server_args.py {@code
 * _set_default_nsa_kv_cache_dtype}, switch point NSA_FP8_KV_ON_BLACKWELL); the PR #11309 logs of 8
 * x B200 allocate 48,073 B per token, the fp8 DSA cell.
 */
class NsaKvCacheDtypeTest {
  static final long B200 = 183359;
  static final String DSV32 = "deepseek-ai/DeepSeek-V3.2-Exp";

  static LaunchPlan plan(String version, String model, ComputeCapability cc, String... args) {
    return SglangDefaultsTest.plan(version, B200, Optional.ofNullable(cc), model, args);
  }

  @Test
  void dsaOnBlackwell_autoBecomesFp8_withNote() {
    LaunchPlan p = plan("0.5.3", DSV32, new ComputeCapability(10, 0), "--tp", "8");
    assertEquals("fp8_e4m3", p.kvCacheDtype());
    assertTrue(
        p.notes()
            .contains(
                "--kv-cache-dtype auto on a DeepSeek DSA model: SGLang 0.5.3 uses fp8_e4m3 on"
                    + " sm100 (_set_default_nsa_kv_cache_dtype)"),
        p.notes().toString());
    // an explicit auto is rewritten too: SGLang tests the resolved value
    assertEquals(
        "fp8_e4m3",
        plan("main", DSV32, new ComputeCapability(10, 0), "--kv-cache-dtype", "auto")
            .kvCacheDtype());
  }

  @Test
  void dsaOnHopper_orAGivenDtype_orAnotherModel_keepTheirDtype() {
    assertEquals("auto", plan("0.5.3", DSV32, new ComputeCapability(9, 0)).kvCacheDtype());
    assertEquals(
        "bfloat16",
        plan("0.5.3", DSV32, new ComputeCapability(10, 0), "--kv-cache-dtype", "bfloat16")
            .kvCacheDtype());
    assertEquals(
        "auto",
        plan("0.5.3", "deepseek-ai/DeepSeek-V3", new ComputeCapability(10, 0)).kvCacheDtype());
  }

  @Test
  void beforeTheSwitchPoint_autoStays() {
    assertEquals("auto", plan("0.5.2", DSV32, new ComputeCapability(10, 0)).kvCacheDtype());
  }

  @Test
  void unknownComputeCapability_keepsAuto_andSaysSo() {
    LaunchPlan p = plan("0.5.3", DSV32, null);
    assertEquals("auto", p.kvCacheDtype());
    assertTrue(
        p.notes().stream()
            .anyMatch(
                n ->
                    n.startsWith("--kv-cache-dtype auto on a DeepSeek DSA model: SGLang 0.5.3")
                        && n.endsWith("so the KV cache is sized as bfloat16")),
        p.notes().toString());
  }
}
