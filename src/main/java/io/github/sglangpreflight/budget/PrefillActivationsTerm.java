package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Locale;
import java.util.Optional;

/**
 * Prefill activations of one chunk per rank: the larger of one attention layer and the MoE (over
 * the gathered chunk under DP attention) or MLP, plus the last-token logits of the requests that
 * finish their prefill in the batch, times 1.15 for fragmentation.
 */
final class PrefillActivationsTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.PREFILL_ACTIVATIONS;
  }

  /** The peak's parts: attention and MLP working sets, the last-token logits. */
  private record Sizes(
      long attn, String attnF, long mlp, String mlpF, long requests, long logits, long peak) {}

  @Override
  public long bytes(TermContext.Reserve c) {
    return sizes(c).peak();
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    Sizes z = sizes(c);
    long v = c.spec().vocabSize();
    return Optional.of(
        new BudgetItem(
            id(),
            z.peak(),
            String.format(
                Locale.ROOT,
                "(max(%s = %s, %s = %s) + last-token logits %d x %d x (2/tp + 6) B = %s) x 1.15"
                    + " fragmentation",
                z.attnF(),
                Units.gib(z.attn()),
                z.mlpF(),
                Units.gib(z.mlp()),
                z.requests(),
                v,
                Units.gib(z.logits())),
            "shapes of SGLang's forward (layers/moe/fused_moe_triton/fused_moe.py L1340-1400,"
                + " layers/logits_processor.py L240-410 @v0.4.5.post3); "
                + (p.chunkedPrefillSize() > 0
                    ? "chunk " + p.chunkPerRank() + " per rank"
                    : "chunked prefill off: one prompt of up to min(context, pool) = "
                        + forwardTokens(c)
                        + " tokens in one forward (schedule_policy.py PrefillAdder.add_one_req)")
                + "; requests that ask for prompt logprobs need up to 14 x vocab B more"
                + " per token (not assumed)"));
  }

  /**
   * The tokens of the largest prefill forward on one rank. With chunked prefill, one chunk. Without
   * it ({@code --chunked-prefill-size -1}) the scheduler admits the first request of a batch
   * whatever {@code --max-prefill-tokens} says (PrefillAdder.add_one_req skips a request over the
   * input budget only when the batch already has one, schedule_policy.py @v0.4.5.post3 and main),
   * so a single prompt of up to min(context length, pool) tokens prefills in one forward.
   */
  static long forwardTokens(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    long chunk = Math.max(1, p.chunkPerRank());
    if (p.chunkedPrefillSize() > 0) {
      return chunk;
    }
    return Math.max(chunk, Math.min(p.contextLength(), c.kvTokens()));
  }

  /** One layer's working set over a prefill forward: attention and MLP (or MoE) with formulas. */
  record Layer(long attn, String attnF, long mlp, String mlpF) {
    long peak() {
      return Math.max(attn, mlp);
    }
  }

  /**
   * The working set of one decoder layer over a prefill forward of {@code tokens} tokens on one
   * rank (the MoE over the tokens gathered from every DP rank under DP attention): the larger of
   * attention and MLP decides the forward's peak. The prefill CUDA graphs use it for their largest
   * captured size ({@link CudaGraphPrefillTerm}).
   */
  static Layer layer(TermContext.Reserve c, long tokens) {
    LaunchPlan p = c.plan();
    ModelSpec s = c.spec();
    long chunk = tokens;
    long cMoe = p.parallelism().dpAttention() ? chunk * p.parallelism().dpSize() : chunk;
    long h = s.hiddenSize();
    int tp = p.parallelism().tpSize();
    int attnTp = p.parallelism().attnTpSize();
    int moeTp = p.parallelism().moeTpSize();
    long heads = Math.max(1, s.numAttentionHeads() / attnTp);
    long kvHeads = Math.max(1, s.numKeyValueHeads() / attnTp);
    long d = s.headDim();
    long attn;
    String attnF;
    if (s.mla().isPresent()) {
      attn = chunk * heads * 1536;
      attnF = chunk + " tokens x " + heads + " heads x 1.5 KiB (MLA prefill q/k/v expansion)";
    } else {
      attn = chunk * (4 * h + 2 * (heads + 2 * kvHeads) * d + 2 * heads * d + 2 * h);
      attnF = chunk + " tokens x (4H + 2(q+2kv)d + 2qd + 2H) B";
    }
    long mlp;
    String mlpF;
    if (s.moe().isPresent()) {
      ModelSpec.Moe moe = s.moe().get();
      int k = moe.expertsPerToken() + (moe.sharedExperts() > 0 ? 1 : 0);
      long inter = moe.expertIntermediateSize();
      mlp =
          cMoe
              * (2L * k * Math.max(2 * inter / moeTp, h)
                  + (long) k * (inter / moeTp) * 2
                  + 5 * h
                  + 4L * moe.numExperts());
      mlpF =
          cMoe
              + " tokens through the MoE (top-"
              + k
              + ", fused-MoE caches)"
              + (cMoe != chunk ? " gathered over DP " + p.parallelism().dpSize() : "");
    } else {
      long inter = s.denseIntermediateSize().orElse(4 * s.hiddenSize());
      mlp = chunk * (6 * inter / tp + 2 * h);
      mlpF = chunk + " tokens x (6I/tp + 2H) B (MLP)";
    }
    return new Layer(attn, attnF, mlp, mlpF);
  }

  private static Sizes sizes(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    long chunk = forwardTokens(c);
    long v = c.spec().vocabSize();
    int tp = p.parallelism().tpSize();
    Layer l = layer(c, chunk);
    long attn = l.attn();
    String attnF = l.attnF();
    long mlp = l.mlp();
    String mlpF = l.mlpF();
    // requests finishing their prefill in one batch: bounded by the chunk, the running limit and,
    // like the decode term, by max(256, the largest decode graph); a chunk of thousands of
    // one-token prompts is not a realistic peak
    long graphMax = c.captureList().isEmpty() ? 0 : c.captureList().getLast();
    long requests =
        Math.min(Math.min(chunk, Math.max(1, c.maxRunningPerRank())), Math.max(256, graphMax));
    long logits = (long) (requests * v * (2.0 / tp + 6));
    long peak = (long) ((Math.max(attn, mlp) + logits) * 1.15);
    return new Sizes(attn, attnF, mlp, mlpF, requests, logits, peak);
  }
}
