package io.github.sglangpreflight.decision;

/**
 * The stable identity of a {@link Reason}: what the JSON report writes as {@code
 * reasonDetails[].id}. The sentence a reason is rendered to may be reworded; its id may not.
 */
public enum ReasonId {
  /** The requested fraction lies in the safe window. */
  FITS("fits"),
  /** The requested fraction leaves too little outside the static pool: lowered to the safe max. */
  RESERVE_TOO_SMALL("reserve-too-small"),
  /** The requested fraction leaves too few KV tokens: raised to the smallest workable fraction. */
  POOL_TOO_SMALL("pool-too-small"),
  /** The fraction that holds the minimum KV cache leaves too little outside the pool. */
  NO_WINDOW("no-window"),
  /** Even 0.999 does not hold the minimum KV cache. */
  KV_NEVER_FITS("kv-never-fits"),
  /** A start-up check SGLang makes independently of the fraction would stop the launch. */
  STARTUP_CHECK_FAILS("startup-check-fails"),
  /** The modelled SGLang version refuses an input of the launch. */
  VERSION_REFUSES("version-refuses"),
  /** The reject policy forbids the adjustment the memory would need. */
  POLICY_FORBIDS_CHANGE("policy-forbids-change"),
  /** The launch needs more GPUs on this node than SGLang would see. */
  GPUS_MISSING("gpus-missing"),
  /** The GPUs cannot be read and unreadable GPUs are allowed: the launch goes unchecked. */
  GPUS_UNREADABLE("gpus-unreadable");

  private final String id;

  ReasonId(String id) {
    this.id = id;
  }

  /** The stable id, kebab-case, as the JSON report writes it: {@code reserve-too-small}. */
  public String id() {
    return id;
  }
}
