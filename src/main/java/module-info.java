/**
 * sglang-preflight: reads GPUs through NVML, predicts what an SGLang launch needs in GPU memory,
 * and accepts, adjusts or rejects {@code --mem-fraction-static} before the launch.
 *
 * <p>The exported packages are what a launcher's {@code main()} or a Java wrapper calls: the facade
 * {@link io.github.sglangpreflight.Preflight} and its builder, the errors, the decision and the
 * report it returns, the term ids the report names, the GPU inventory (from NVML, a snapshot or a
 * preset) and the SGLang process wrapper. Flag parsing, version knowledge, the model description,
 * the launch plan, the budget and the NVML bindings stay inside. NVML is called through {@code
 * java.lang.foreign}: on the module path, start the JVM with {@code
 * --enable-native-access=io.github.sglangpreflight}.
 */
module io.github.sglangpreflight {
  requires java.net.http;
  requires transitive org.slf4j; // SglangServer.Builder takes a Logger and a Level
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.jr.ob;

  exports io.github.sglangpreflight;
  exports io.github.sglangpreflight.errors;
  exports io.github.sglangpreflight.decision;
  exports io.github.sglangpreflight.report;
  exports io.github.sglangpreflight.term;
  exports io.github.sglangpreflight.gpu;
  exports io.github.sglangpreflight.gpu.nvml;
  exports io.github.sglangpreflight.launch;
}
