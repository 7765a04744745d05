package io.github.sglangpreflight.bench;

import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource;
import io.github.sglangpreflight.gpu.nvml.NvmlSession;
import io.github.sglangpreflight.gpu.nvml.NvmlStub;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading the whole inventory through the real downcalls, after NVML is initialised (a session
 * holds one initialisation, as a long-running service would), against the stub libnvidia-ml.so.1
 * with {@code gpus} H200s, each with two compute processes. Target: at most 50 µs per GPU.
 *
 * <p>Run (after {@code bin/mvn-jdk -B -Pdevice -DskipTests process-test-classes}):
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Dnvml.stub.dir=target/nvml-stub \
 *   -cp "target/test-classes:target/classes:target/device-lib/*" \
 *   org.openjdk.jmh.Main NvmlInventoryBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NvmlInventoryBenchmark {

  @Param({"1", "8"})
  public int gpus;

  private NvmlGpuInventorySource source;
  private NvmlSession session;

  @Setup(Level.Trial)
  public void stubWithH200s() {
    NvmlStub stub = NvmlStub.load("current");
    stub.reset();
    stub.deviceCount(gpus);
    for (int i = 0; i < gpus; i++) {
      stub.h200(i, String.format("GPU-bc7a29fa-0000-4000-8000-%012d", i), 6 + i);
      stub.process(i, 1000 + i, 650_969_088L);
      stub.process(i, 2000 + i, 1L << 30);
    }
    source = NvmlGpuInventorySource.create();
    session = source.openSession();
  }

  @TearDown(Level.Trial)
  public void close() {
    session.close();
  }

  /** One full read: init (a reference-count bump here), versions, every GPU, shutdown. */
  @Benchmark
  public GpuInventory readInventory() {
    return source.read();
  }
}
