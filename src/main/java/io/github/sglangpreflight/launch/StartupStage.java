package io.github.sglangpreflight.launch;

/** How far an SGLang start-up got, by the last milestone line it printed. */
public enum StartupStage {
  NOT_STARTED("no start-up line seen yet"),
  TORCH_DISTRIBUTED_READY("torch distributed initialised"),
  LOADING_WEIGHTS("loading the weights"),
  WEIGHTS_LOADED("weights loaded"),
  KV_CACHE_ALLOCATED("KV cache allocated"),
  MEMORY_POOL_READY("memory pool ready"),
  CAPTURING_GRAPHS("capturing CUDA graphs"),
  GRAPHS_CAPTURED("CUDA graphs captured"),
  HTTP_LISTENING("HTTP server listening"),
  READY("ready");

  private final String description;

  StartupStage(String description) {
    this.description = description;
  }

  /** Lower-case words for messages, e.g. {@code capturing CUDA graphs}. */
  public String description() {
    return description;
  }
}
